import itertools

from accounts.models import Member
from accounts.services import member_create

PASSWORD = "a-long-test-passphrase-42"
_sequence = itertools.count(1)


def make_member(display_name=None, *, email=None, verified=True, is_staff=False, **profile):
    """A member signed up and verified, with any other profile fields (bio, is_active…) set."""
    number = next(_sequence)
    member = member_create(
        email=email or f"member{number}@example.org",
        password=PASSWORD,
        display_name=display_name or f"Member {number}",
        email_verified=verified,
        is_staff=is_staff,
    )
    if profile:
        Member.objects.filter(pk=member.pk).update(**profile)
        member.refresh_from_db()
    return member
