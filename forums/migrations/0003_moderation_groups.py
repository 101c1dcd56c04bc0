from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("forums", "moderationqueueitem", ["view", "change"]),
    ("forums", "pendingpost", ["view", "change"]),
    ("forums", "report", ["view"]),
    ("forums", "moderationaction", ["view"]),
    ("forums", "thread", ["view", "change"]),
    ("forums", "post", ["view"]),
    ("forums", "membership", ["view", "change"]),
    ("accounts", "member", ["view"]),
]
MANAGER_EXTRA = [
    ("forums", "community", ["view", "add", "change"]),
    ("forums", "category", ["view", "add", "change", "delete"]),
    ("forums", "membership", ["add", "delete"]),
    ("accounts", "member", ["change"]),
]


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are made after migrations by default; this one needs them now. (Historical
    # app configs have no models module, which create_permissions would take for "no models".)
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def grant(group, rows):
        for app_label, model, actions in rows:
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )

    moderators, _ = Group.objects.get_or_create(name="Moderator")
    grant(moderators, MODERATOR_PERMISSIONS)
    managers, _ = Group.objects.get_or_create(name="Community manager")
    grant(managers, MODERATOR_PERMISSIONS + MANAGER_EXTRA)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Moderator", "Community manager"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0002_moderation"),
        ("accounts", "0002_member_default_visibility_member_email_notifications_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
