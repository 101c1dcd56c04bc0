import django.db.models.functions.text
from django.db import migrations, models


def recompute_display_name_keys(apps, schema_editor):
    """Gives every member the key of the current rules (accounts.names.display_name_key).

    Names that were two names under the old key (NFKC + casefold) may be one now: "River" and
    "Rivеr" with a Cyrillic "е". The older member keeps the key; the newer one keeps their
    name but gets the key with "#<pk>" added, which no name can produce, so the migration
    never fails on existing data and nobody is renamed behind their back. They can be found
    with `Member.objects.filter(display_name_key__contains="#")` and asked to choose another
    name."""
    from accounts.names import CLASH_SUFFIX_SEPARATOR, display_name_key

    Member = apps.get_model("accounts", "Member")
    members = list(Member.objects.order_by("date_joined", "pk").only("pk", "display_name"))
    # Out of the way first, so that no new key collides with an old one not yet replaced.
    for member in members:
        member.display_name_key = f"{CLASH_SUFFIX_SEPARATOR}{member.pk}"
    Member.objects.bulk_update(members, ["display_name_key"], batch_size=1000)
    taken = set()
    for member in members:
        key = display_name_key(member.display_name)
        if key in taken:
            key = f"{key}{CLASH_SUFFIX_SEPARATOR}{member.pk}"
        taken.add(key)
        member.display_name_key = key
    Member.objects.bulk_update(members, ["display_name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_member_default_visibility_member_email_notifications_and_more"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="member",
            options={
                "ordering": [django.db.models.functions.text.Lower("display_name")],
                "verbose_name": "member",
            },
        ),
        migrations.AlterField(
            model_name="member",
            name="display_name_key",
            field=models.CharField(editable=False, max_length=640, unique=True),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                django.db.models.functions.text.Lower("display_name"),
                name="member_display_name_lower",
            ),
        ),
        # Backwards, the new keys stay: they are unique, and the old rules only compared less.
        migrations.RunPython(recompute_display_name_keys, migrations.RunPython.noop),
    ]
