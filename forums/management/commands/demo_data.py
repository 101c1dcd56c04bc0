from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Member
from accounts.services import member_create

# Demo logins, printed by `make run`. Only for a local demo: never load this in production.
DEMO_MEMBERS = [
    # (e-mail, display name, password, staff)
    ("manager@example.com", "Community Manager Kim", "hearth-demo-manager", True),
    ("river@example.com", "River", "hearth-demo-river", False),
    ("sam@example.com", "Quiet Sam", "hearth-demo-sam", False),
    ("noor@example.com", "Noor H.", "hearth-demo-noor", False),
]


class Command(BaseCommand):
    help = "Loads a small demo data set. Running it again adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    @transaction.atomic
    def handle(self, *args, quiet_logins=False, **options):
        created = 0
        for email, display_name, password, staff in DEMO_MEMBERS:
            if Member.objects.filter(email=email).exists():
                continue
            member_create(
                email=email,
                password=password,
                display_name=display_name,
                email_verified=True,
                is_staff=staff,
                is_superuser=staff,
            )
            created += 1
        self.stdout.write(
            f"Demo data: {created} member(s) added, {len(DEMO_MEMBERS) - created} already there."
        )
        if not quiet_logins:
            self.stdout.write("Demo logins (e-mail / password):")
            for email, display_name, password, staff in DEMO_MEMBERS:
                role = " — staff, can open /admin/" if staff else ""
                self.stdout.write(f"  {email} / {password}  ({display_name}{role})")
