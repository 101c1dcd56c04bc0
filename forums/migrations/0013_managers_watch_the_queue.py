from django.db import migrations

QUEUE_MODELS = ["procrastinatejob"]


def grant(apps, schema_editor):
    """Community managers see the task queue in the admin (Procrastinate's own pages):
    failed jobs, and why. Volunteer moderators do not: a job's arguments may carry an
    account e-mail."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name="Community manager")
    for model in QUEUE_MODELS:
        managers.permissions.add(
            Permission.objects.get(
                content_type__app_label="procrastinate", codename=f"view_{model}"
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Community manager"):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="procrastinate"))


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0012_notifications_once_and_emailed"),
        ("procrastinate", "0041_post_retry_failed_job"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
