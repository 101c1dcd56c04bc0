"""Plain predicates about what a member may do, shared by views, templates and the admin.

They take the viewer's membership of the community (or None) so that a page asks for it once.
What a member may *see* is not decided here but in forums.querysets."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from forums.choices import Visibility
from forums.models import Membership, Thread
from forums.querysets import reader_of

SITE_MANAGERS_GROUP = "Community manager"
MODERATORS_GROUP = "Moderator"


def is_active_member(membership):
    return membership is not None and membership.state == Membership.State.ACTIVE


def is_site_manager(member):
    """Superusers and the "Community manager" group moderate every community."""
    if not member.is_authenticated or not member.is_active:
        return False
    if member.is_superuser:
        return True
    if not hasattr(member, "_is_site_manager"):
        member._is_site_manager = member.groups.filter(name=SITE_MANAGERS_GROUP).exists()
    return member._is_site_manager


def can_reveal_author(member):
    """Only the "Community manager" group may reveal who wrote an anonymous post (and then
    only with a reason, logged, the author told: moderation.services.post_reveal_author).
    Volunteer moderators never may, nor superusers outside the group."""
    if not member.is_authenticated or not member.is_active:
        return False
    return member.groups.filter(name=SITE_MANAGERS_GROUP).exists()


def can_moderate(member, membership):
    """Moderators and owners of a community, and the site's managers."""
    if not member.is_authenticated:
        return False
    if is_active_member(membership) and membership.role in (
        Membership.Role.MODERATOR,
        Membership.Role.OWNER,
    ):
        return True
    return is_site_manager(member)


def is_suspended(membership):
    return bool(
        membership is not None
        and membership.suspended_until
        and membership.suspended_until > timezone.now()
    )


def can_post(member, membership):
    """Active members of a community start threads, reply and vote in it, unless a
    moderator suspended them for a while."""
    return (
        member.is_authenticated
        and member.is_active
        and is_active_member(membership)
        and not is_suspended(membership)
    )


def can_reply(member, thread, membership):
    if not can_post(member, membership):
        return False
    return not thread.is_locked or can_moderate(member, membership)


def can_edit_post(member, post):
    """Authors edit, re-audience and delete their own live posts."""
    return member.is_authenticated and post.author_id == member.pk and post.deleted_at is None


def can_vote(member, post, membership):
    """Members who may post here vote on others' live posts."""
    return can_post(member, membership) and post.author_id != member.pk and post.deleted_at is None


def can_report_post(member, post):
    """Any signed-in member reports someone else's live post (a deleted one has no text
    left to report)."""
    return member.is_authenticated and post.author_id != member.pk and post.deleted_at is None


def can_accept_answer(member, thread, membership):
    """The asker, or a moderator, marks a question's accepted answer."""
    return thread.kind == Thread.Kind.QUESTION and (
        (member.is_authenticated and thread.author_id == member.pk)
        or can_moderate(member, membership)
    )


def check_can_accept_post(member, thread, post, membership):
    """Raises the reason a reply cannot be the question's accepted answer: only the asker or
    a moderator accepts, never their own reply, and only a live reply the whole community
    can read, so that "solved" never points at something hidden."""
    if not can_accept_answer(member, thread, membership):
        raise ValidationError("Only the asker or a moderator can accept an answer.")
    if post.thread_id != thread.pk or post.is_opening:
        raise ValidationError("That post is not a reply in this thread.")
    if post.author_id == member.pk:
        raise ValidationError("You can't accept your own reply as the answer.")
    if post.visibility != Visibility.PUBLIC or post.deleted_at or post.hidden_at:
        raise ValidationError("Only a reply the whole community can see can be accepted.")


def can_accept_post(member, thread, post, membership):
    """Offers "Accept this answer" on a reply that may be accepted and is not yet."""
    if thread.accepted_answer_id == post.pk:
        return False
    try:
        check_can_accept_post(member, thread, post, membership)
    except ValidationError:
        return False
    return True


def can_unaccept_post(member, thread, post, membership):
    return can_accept_answer(member, thread, membership) and thread.accepted_answer_id == post.pk


def can_set_idea_status(member, thread, membership):
    return thread.kind == Thread.Kind.IDEA and can_moderate(member, membership)


def can_search(viewer):
    """Search is for whoever may read some community. A visitor on a members-only site is
    sent to sign in by /search/, and where no community is open to visitors it could find
    nothing, so neither is offered it."""
    return bool(reader_of(viewer).readable)
