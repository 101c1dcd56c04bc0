"""Plain predicates about what a member may do, shared by views, templates and the admin.

They take the viewer's membership of the community (or None) so that a page asks for it once.
What a member may *see* is not decided here but in forums.querysets."""

from forums.models import Membership, Thread


def is_active_member(membership):
    return membership is not None and membership.state == Membership.State.ACTIVE


def can_moderate(member, membership):
    """Moderators and owners of a community, and the site's superusers."""
    if not member.is_authenticated:
        return False
    if member.is_superuser:
        return True
    return is_active_member(membership) and membership.role in (
        Membership.Role.MODERATOR,
        Membership.Role.OWNER,
    )


def can_post(member, membership):
    """Only active members of a community start threads, reply and vote in it."""
    return member.is_authenticated and member.is_active and is_active_member(membership)


def can_reply(member, thread, membership):
    if not can_post(member, membership):
        return False
    return not thread.is_locked or can_moderate(member, membership)


def can_edit_post(member, post):
    return member.is_authenticated and post.author_id == member.pk and post.deleted_at is None


def can_vote(member, post, membership):
    return can_post(member, membership) and post.author_id != member.pk and post.deleted_at is None


def can_accept_answer(member, thread, membership):
    """The asker, or a moderator, marks a question's accepted answer."""
    return thread.kind == Thread.Kind.QUESTION and (
        (member.is_authenticated and thread.author_id == member.pk)
        or can_moderate(member, membership)
    )


def can_set_idea_status(member, thread, membership):
    return thread.kind == Thread.Kind.IDEA and can_moderate(member, membership)
