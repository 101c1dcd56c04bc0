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


def make_community(name="Practice", *, read_access="members", join_policy="open", **fields):
    from django.utils.text import slugify

    from forums.models import Category, Community

    community = Community.objects.create(
        name=name,
        slug=slugify(name),
        read_access=read_access,
        join_policy=join_policy,
        **fields,
    )
    Category.objects.create(community=community, name="General", slug="general", position=0)
    return community


def join(member, community, role="member"):
    from forums.models import Membership

    membership, _ = Membership.objects.update_or_create(
        community=community, member=member, defaults={"role": role, "state": "active"}
    )
    return membership


def make_thread(
    author,
    community,
    *,
    title="A thread",
    body="Opening words.",
    kind="discussion",
    visibility="public",
    tags=(),
):
    from forums.services import thread_create

    join(author, community)
    return thread_create(
        author=author,
        category=community.categories.first(),
        kind=kind,
        title=title,
        body=body,
        visibility=visibility,
        tags=tags,
    )


def make_reply(author, thread, *, body="A reply.", visibility="public"):
    from forums.services import post_create

    join(author, thread.community)
    return post_create(author=author, thread=thread, body=body, visibility=visibility)


def make_volunteer(community, display_name="Mod Runners", **fields):
    """A volunteer moderator of one community: staff, in the "Moderator" group, with the
    authenticator app the admin asks staff for."""
    from django.contrib.auth.models import Group

    from forums.permissions import MODERATORS_GROUP

    moderator = make_member(display_name, is_staff=True, **fields)
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    enrol_totp(moderator)
    join(moderator, community, role="moderator")
    return moderator


def make_community_manager(display_name="Site Manager"):
    """Staff in the "Community manager" group: every community is theirs to moderate."""
    from django.contrib.auth.models import Group

    from forums.permissions import SITE_MANAGERS_GROUP

    manager = make_member(display_name, is_staff=True)
    manager.groups.add(Group.objects.get(name=SITE_MANAGERS_GROUP))
    enrol_totp(manager)
    return manager


def enrol_totp(member):
    """Gives a member an authenticator app, the way allauth's TOTP set-up does: staff need one
    before the admin opens. Returns the secret; `totp_code(secret)` is the app's code now."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    return secret


def totp_code(secret):
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
