from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.names import display_name_key

BEFORE = [("accounts", "0002_member_default_visibility_member_email_notifications_and_more")]
AFTER = [("accounts", "0003_display_name_keys_by_look")]


@pytest.mark.django_db
def test_keys_are_recomputed_and_a_clash_in_old_data_keeps_both_members():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldMember = executor.loader.project_state(BEFORE).apps.get_model("accounts", "Member")
    now = timezone.now()
    # Under the old key (NFKC + casefold) these were three names; they read as two.
    for number, (name, old_key, joined) in enumerate(
        [
            ("River", "river", now - timedelta(days=3)),
            ("Riv\u0435r", "riv\u0435r", now - timedelta(days=1)),  # Cyrillic small ie
            ("Willow", "willow", now - timedelta(days=2)),
        ]
    ):
        OldMember.objects.create(
            email=f"member{number}@example.org",
            display_name=name,
            display_name_key=old_key,
            handle=f"member-{number}",
            date_joined=joined,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    # The model as this migration left it (later ones add columns).
    Migrated = executor.loader.project_state(AFTER).apps.get_model("accounts", "Member")

    older, newer, willow = (
        Migrated.objects.get(email=f"member{number}@example.org") for number in range(3)
    )
    assert older.display_name_key == display_name_key("River")
    assert willow.display_name_key == display_name_key("Willow")
    # The newer look-alike keeps their name; only their key is made unique.
    assert newer.display_name == "Riv\u0435r"
    assert newer.display_name_key == f"{display_name_key('River')}#{newer.pk}"
