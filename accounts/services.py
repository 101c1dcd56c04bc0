import re
import secrets
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils.text import slugify
from unidecode import unidecode

from accounts import names
from accounts.models import FORMER_MEMBER_NAME, Block, CircleMembership, Member
from forums.querysets import forget_reader

HANDLE_BASE_LENGTH = 48


def display_name_clash(name, *, exclude=None):
    """The display name of another member whose name reads the same, or None."""
    others = Member.objects.filter(display_name_key=names.display_name_key(name))
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    return others.values_list("display_name", flat=True).first()


def validate_new_display_name(raw, *, member=None):
    """Returns the cleaned name, or raises ValidationError with a message for the form.

    The message names the name it clashes with: display names are public, and "reads the
    same" is not obvious when the difference is a Cyrillic letter."""
    name = names.clean_display_name(raw)
    names.validate_display_name(name)
    clash = display_name_clash(name, exclude=member)
    if clash == name:
        raise ValidationError(
            "Another member already uses “%(name)s”. Please choose another.",
            code="taken",
            params={"name": name},
        )
    if clash is not None:
        raise ValidationError(
            "“%(name)s” looks the same as “%(clash)s”, a name another member already uses. "
            "Please choose another.",
            code="taken",
            params={"name": name, "clash": clash},
        )
    return name


def _handle_base(name):
    return slugify(unidecode(name))[:HANDLE_BASE_LENGTH].strip("-") or "member"


def _new_handle(name, *, member):
    """A URL slug from the name. A clash gets a random suffix, never a counter or an id."""
    base = _handle_base(name)
    handle = base
    while Member.objects.filter(handle=handle).exclude(pk=member.pk).exists():
        handle = f"{base}-{secrets.token_hex(2)}"
    return handle


def assign_display_name(member, raw):
    """Sets the display name, its comparison key and a matching handle on an unsaved change.

    A new name means a new handle: the old profile URL stops answering, so a member who
    renames themselves is not followed by links that carry the old name."""
    name = validate_new_display_name(raw, member=member)
    member.display_name = name
    member.display_name_key = names.display_name_key(name)
    base = _handle_base(name)
    if not re.fullmatch(rf"{re.escape(base)}(-[0-9a-f]{{4}})?", member.handle or ""):
        member.handle = _new_handle(name, member=member)


@transaction.atomic
def member_create(
    *, email, password, display_name, email_verified=False, is_staff=False, is_superuser=False
):
    """Creates a member outside the sign-up form (demo data, the shell, tests), with the
    e-mail address registered the way allauth expects it (create_superuser registers it
    too: here `email_verified` decides)."""
    create = Member.objects.create_superuser if is_superuser else Member.objects.create_user
    member = create(email=email, password=password, display_name=display_name, is_staff=is_staff)
    EmailAddress.objects.update_or_create(
        user=member,
        email=member.email,
        defaults={"primary": True, "verified": email_verified},
    )
    return member


@transaction.atomic
def member_update_profile(
    *,
    member,
    display_name,
    bio,
    open_to_mentoring,
    default_visibility=None,
    avatar=None,
    remove_avatar=False,
):
    """Saves a member's own profile. `avatar` is an already re-encoded file
    (accounts.avatars.reencode_avatar); the replaced file is deleted once the change commits."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if names.clean_display_name(display_name) != member.display_name:
        assign_display_name(member, display_name)
    member.bio = bio.strip()
    member.open_to_mentoring = open_to_mentoring
    if default_visibility is not None:
        member.default_visibility = default_visibility
    old_avatar_name = member.avatar.name if member.avatar else ""
    if avatar is not None:
        member.avatar.save(avatar.name, avatar, save=False)
    elif remove_avatar:
        member.avatar = ""
    member.save()
    if old_avatar_name and old_avatar_name != member.avatar.name:
        storage = member.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return member


@transaction.atomic
def member_update_reading(*, member, fold_content_notes):
    """Saves how posts with a content note show to the member: folded behind the note, or
    open with the note above them."""
    member.fold_content_notes = fold_content_notes
    member.save(update_fields=["fold_content_notes"])
    return member


def _forget_readers(*members):
    """What these members may read changed: the rest of the request reads it anew."""
    for member in members:
        forget_reader(member)


@transaction.atomic
def circle_add(*, owner, member):
    """Puts a member in the owner's close circle. Nobody is told; it counts from the next
    page load."""
    if member.pk == owner.pk:
        raise ValidationError("You are always in your own audience.")
    if Block.objects.filter(blocker=owner, blocked=member).exists():
        raise ValidationError("You blocked this member: unblock them first.")
    # Had they blocked the owner, saying so would tell of the block. The entry is harmless:
    # a block keeps the two apart whatever the circles say.
    CircleMembership.objects.get_or_create(owner=owner, member=member)
    _forget_readers(owner, member)


@transaction.atomic
def circle_remove(*, owner, member):
    CircleMembership.objects.filter(owner=owner, member=member).delete()
    _forget_readers(owner, member)


@transaction.atomic
def member_block(*, blocker, blocked):
    """Blocks a member: each leaves the other's circle, and they no longer see each other's
    posts or mentions."""
    if blocked.pk == blocker.pk:
        raise ValidationError("You can't block yourself.")
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    CircleMembership.objects.filter(
        Q(owner=blocker, member=blocked) | Q(owner=blocked, member=blocker)
    ).delete()
    _forget_readers(blocker, blocked)


@transaction.atomic
def member_unblock(*, blocker, blocked):
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    _forget_readers(blocker, blocked)


def _end_sessions(member):
    """Signs the member out everywhere: every session allauth recorded for them (the
    usersessions app, at each sign-in) is deleted from the session store."""
    from allauth.usersessions.models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in UserSession.objects.filter(user=member).values_list("session_key", flat=True):
        store(session_key=key).delete()


@transaction.atomic
def member_delete(*, member, erase_posts):
    """Deletes an account for good, at the member's own request (or a site manager's).
    Their address, profile, avatar, circle, blocks, memberships, follows, notifications,
    votes and sessions go at once; what they wrote goes or stays attributed to "Former
    member" as they chose (forums.services.member_posts_release), and what stays links to
    nobody. Other members' threads, replies and reports are never deleted with them."""
    from forums.models import Membership
    from forums.services import member_posts_release

    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.is_former:
        raise ValidationError("The placeholder for former members is nobody's account.")
    owned = Membership.objects.filter(
        member=member, role=Membership.Role.OWNER, state=Membership.State.ACTIVE
    ).select_related("community")
    for membership in owned:
        others = Membership.objects.filter(
            community=membership.community,
            role=Membership.Role.OWNER,
            state=Membership.State.ACTIVE,
        ).exclude(member=member)
        if not others.exists():
            raise ValidationError(
                f"You are the only owner of {membership.community.name}: ask a community "
                "manager to make someone else an owner first, so that it is not left without one."
            )
    former = Member.objects.former_member()
    member_posts_release(member=member, former=former, erase=erase_posts)
    _end_sessions(member)
    avatar = member.avatar.name if member.avatar else ""
    storage = member.avatar.storage
    # The admin's own log names the member as they were (their account, their memberships,
    # circles and blocks): it names "Former member" now.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk)
    ).update(object_repr=FORMER_MEMBER_NAME)
    LogEntry.objects.filter(object_repr__contains=member.display_name).update(
        object_repr=Replace("object_repr", Value(member.display_name), Value(FORMER_MEMBER_NAME))
    )
    _forget_readers(member)
    member.delete()
    if avatar:
        transaction.on_commit(lambda: storage.delete(avatar))
