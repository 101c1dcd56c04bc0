"""Moderation: the services behind reports, the moderation queue, memberships and the audit
log.

Every action checks that the moderator moderates the community concerned, runs in a
transaction, writes one ModerationAction (who, what, when, why, before and after) and tells
the people concerned. The site, the admin and management commands all call these
functions; no admin form writes a state or a role itself."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from forums import permissions, ratelimit
from forums.choices import NotificationKind
from forums.models import Membership, ModerationAction, Post, Report, Thread
from forums.services import (
    IDEA_STATUS_PREFIX,
    announce_post,
    community_recount,
    mentions_in,
    notify,
    thread_rebump,
)

Kind = ModerationAction.Kind


def _require_moderator(moderator, community):
    membership = Membership.objects.filter(community=community, member=moderator).first()
    if not permissions.can_moderate(moderator, membership):
        raise PermissionDenied("You do not moderate this community.")


def _log(
    *,
    moderator,
    kind,
    community,
    member=None,
    thread=None,
    post=None,
    reason="",
    before=None,
    after=None,
):
    return ModerationAction.objects.create(
        moderator=moderator,
        kind=kind,
        community=community,
        member=member,
        thread=thread,
        post=post,
        reason=reason,
        before=before or {},
        after=after or {},
    )


def _post_for(moderator, post):
    """Locks the post's row and checks the moderator may act on its community."""
    post = Post.objects.select_for_update().select_related("thread__community").get(pk=post.pk)
    _require_moderator(moderator, post.thread.community)
    return post


def _log_post(post, *, by, kind, reason="", before=None, after=None):
    return _log(
        moderator=by,
        kind=kind,
        community=post.thread.community,
        member=post.author,
        thread=post.thread,
        post=post,
        reason=reason,
        before=before,
        after=after,
    )


def _tell(member, message, *, post=None, thread=None):
    notify(
        kind=NotificationKind.MODERATION,
        recipients=[member],
        actor=None,
        post=post,
        thread=thread,
        message=message,
    )


def _close_reports(post, *, by, status, message):
    """Closes a post's open reports and tells each reporter how it ended."""
    reports = list(post.reports.filter(status=Report.Status.OPEN).select_related("reporter"))
    Report.objects.filter(pk__in=[report.pk for report in reports]).update(
        status=status, resolved_at=timezone.now(), resolved_by=by
    )
    for report in reports:
        if report.reporter is not None:  # a reporter who left is told nothing
            _tell(report.reporter, message)
    return len(reports)


# ------------------------------------------------------------------------------------ reports


def report_create(*, post, reporter, reason, details=""):
    """A member reports a live post they can see. One open report per member per post. A
    deleted post cannot be reported: a report opens a post's text to the moderators, and
    deleted text stays deleted."""
    if post.deleted_at is not None:
        raise ValidationError("This post was deleted; there is nothing left to report.")
    if post.author_id == reporter.pk:
        raise ValidationError("You can't report your own post. You can edit or delete it.")
    if Report.objects.filter(post=post, reporter=reporter, status=Report.Status.OPEN).exists():
        raise ValidationError("You already reported this post; the moderators will look at it.")
    ratelimit.check("report", reporter)
    try:
        with transaction.atomic():
            return Report.objects.create(
                post=post, reporter=reporter, reason=reason, details=details.strip()
            )
    except IntegrityError as error:  # the same report sent twice at once
        raise ValidationError("You already reported this post.") from error


@transaction.atomic
def reports_dismiss(*, post, by, reason=""):
    community = post.thread.community
    _require_moderator(by, community)
    closed = _close_reports(
        post,
        by=by,
        status=Report.Status.DISMISSED,
        message="The moderators looked at a post you reported and left it up. Thank you for "
        "telling them.",
    )
    _log_post(
        post,
        by=by,
        kind=Kind.DISMISS,
        reason=reason,
        after={"reports_closed": closed},
    )
    return closed


# -------------------------------------------------------------------------------------- posts


@transaction.atomic
def post_hide(*, post, by, reason):
    """Hides a post from everyone but its author, who sees why. Hiding the opening post
    hides its thread."""
    post = _post_for(by, post)
    thread = post.thread
    before = {"hidden": post.hidden_at is not None}
    post.hidden_at = post.hidden_at or timezone.now()
    post.hidden_reason = reason
    post.save(update_fields=["hidden_at", "hidden_reason"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(hidden_at=post.hidden_at)
    if thread.accepted_answer_id == post.pk:
        Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
    thread_rebump(thread)
    _close_reports(
        post,
        by=by,
        status=Report.Status.ACTIONED,
        message="The moderators hid a post you reported. Thank you for telling them.",
    )
    _tell(post.author, f"The moderators hid one of your posts. Reason: {reason}", post=post)
    _log_post(
        post,
        by=by,
        kind=Kind.HIDE,
        reason=reason,
        before=before,
        after={"hidden": True},
    )
    return post


@transaction.atomic
def post_restore(*, post, by, reason=""):
    post = _post_for(by, post)
    thread = post.thread
    post.hidden_at = None
    post.hidden_reason = ""
    post.save(update_fields=["hidden_at", "hidden_reason"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(hidden_at=None)
    thread_rebump(thread)
    _tell(post.author, "The moderators restored one of your posts.", post=post)
    _log_post(
        post,
        by=by,
        kind=Kind.RESTORE,
        reason=reason,
        before={"hidden": True},
        after={"hidden": False},
    )
    return post


@transaction.atomic
def post_approve(*, post, by):
    """Lets a pre-moderated post through: it becomes visible to its audience and is
    announced as if it had just been posted."""
    post = _post_for(by, post)
    thread = post.thread
    if not post.is_pending:
        return post
    post.is_pending = False
    post.save(update_fields=["is_pending"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(is_pending=False)
        community_recount(thread.community_id)
    announce_post(post, mentions_in(post))
    _log_post(
        post,
        by=by,
        kind=Kind.APPROVE,
        before={"pending": True},
        after={"pending": False},
    )
    return post


@transaction.atomic
def post_reject(*, post, by, reason):
    """Turns a pre-moderated post away: it stays hidden, and its author sees why."""
    post = _post_for(by, post)
    thread = post.thread
    if not post.is_pending:
        raise ValidationError("That post is not waiting for approval.")
    post.is_pending = False
    post.hidden_at = timezone.now()
    post.hidden_reason = reason
    post.save(update_fields=["is_pending", "hidden_at", "hidden_reason"])
    if post.is_opening:
        Thread.objects.filter(pk=thread.pk).update(is_pending=False, hidden_at=post.hidden_at)
        community_recount(thread.community_id)
    _tell(
        post.author,
        f"The moderators did not approve one of your posts. Reason: {reason}",
        post=post,
    )
    _log_post(
        post,
        by=by,
        kind=Kind.REJECT,
        reason=reason,
        before={"pending": True},
        after={"pending": False, "hidden": True},
    )
    return post


# ------------------------------------------------------------------------------------ threads


def _thread_flag(*, thread, by, reason, field, value, kind):
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    _require_moderator(by, thread.community)
    before = {field: getattr(thread, field)}
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    _log(
        moderator=by,
        kind=kind,
        community=thread.community,
        member=thread.author,
        thread=thread,
        reason=reason,
        before=before,
        after={field: value},
    )
    return thread


@transaction.atomic
def thread_lock(*, thread, by, reason=""):
    return _thread_flag(
        thread=thread, by=by, reason=reason, field="is_locked", value=True, kind=Kind.LOCK
    )


@transaction.atomic
def thread_unlock(*, thread, by, reason=""):
    return _thread_flag(
        thread=thread, by=by, reason=reason, field="is_locked", value=False, kind=Kind.UNLOCK
    )


@transaction.atomic
def thread_pin(*, thread, by, reason=""):
    return _thread_flag(
        thread=thread, by=by, reason=reason, field="is_pinned", value=True, kind=Kind.PIN
    )


@transaction.atomic
def thread_unpin(*, thread, by, reason=""):
    return _thread_flag(
        thread=thread, by=by, reason=reason, field="is_pinned", value=False, kind=Kind.UNPIN
    )


@transaction.atomic
def thread_move(*, thread, category, by, reason=""):
    """Moves a thread to another category of the same community."""
    thread = (
        Thread.objects.select_for_update().select_related("category", "community").get(pk=thread.pk)
    )
    _require_moderator(by, thread.community)
    if category.community_id != thread.community_id:
        raise ValidationError("A thread moves only between categories of its own community.")
    before = {"category": thread.category.name}
    thread.category = category
    thread.save(update_fields=["category"])
    _log(
        moderator=by,
        kind=Kind.MOVE,
        community=thread.community,
        member=thread.author,
        thread=thread,
        reason=reason,
        before=before,
        after={"category": category.name},
    )
    return thread


# ------------------------------------------------------------------------------------ members


def _require_someone(member):
    """Warnings, suspensions and bans are for a person: "Former member" is nobody."""
    if member.is_former:
        raise ValidationError(
            "The author has left and deleted their account: there is nobody to act on. "
            "Hide the post instead."
        )


def _named(member, post):
    """How a moderator's messages name the member acted on: "The author" when they are
    reached through a post they wrote anonymously, whose moderator never learns who."""
    if post is not None and post.is_anonymous and post.author_id == member.pk:
        return "The author"
    return member.display_name


def _membership_for(member, community, post=None):
    """The member's membership, locked. Acting on it never makes someone a member."""
    membership = (
        Membership.objects.select_for_update().filter(community=community, member=member).first()
    )
    if membership is None or membership.state != Membership.State.ACTIVE:
        raise ValidationError(f"{_named(member, post)} is not a member of {community.name}.")
    return membership


# Warnings, suspensions and bans may be given through a `post` (the moderation queue's): the
# log then names the post, so that one given to its anonymous author, who is reached all the
# same, is never listed under their name (forums.querysets.audit_names_member).


@transaction.atomic
def member_warn(*, member, community, by, reason, post=None):
    _require_moderator(by, community)
    _require_someone(member)
    _tell(member, f"A warning from the moderators of {community.name}: {reason}")
    _log(moderator=by, kind=Kind.WARN, community=community, member=member, post=post, reason=reason)


@transaction.atomic
def member_suspend(*, member, community, by, until, reason, post=None):
    """The member reads but does not post in the community until `until`, and is told so."""
    _require_moderator(by, community)
    _require_someone(member)
    if until <= timezone.now():
        raise ValidationError("Choose a time in the future.")
    membership = _membership_for(member, community, post)
    before = {
        "suspended_until": membership.suspended_until and membership.suspended_until.isoformat()
    }
    membership.suspended_until = until
    membership.save(update_fields=["suspended_until"])
    local = timezone.localtime(until)
    _tell(
        member,
        f"The moderators of {community.name} suspended you until "
        f"{local:%d %B %Y, %H:%M}: you can read, but not post. Reason: {reason}",
    )
    _log(
        moderator=by,
        kind=Kind.SUSPEND,
        community=community,
        member=member,
        post=post,
        reason=reason,
        before=before,
        after={"suspended_until": until.isoformat()},
    )


@transaction.atomic
def member_unsuspend(*, member, community, by, reason=""):
    _require_moderator(by, community)
    membership = _membership_for(member, community)
    before = {
        "suspended_until": membership.suspended_until and membership.suspended_until.isoformat()
    }
    membership.suspended_until = None
    membership.save(update_fields=["suspended_until"])
    _tell(member, f"Your suspension in {community.name} is lifted.")
    _log(
        moderator=by,
        kind=Kind.UNSUSPEND,
        community=community,
        member=member,
        reason=reason,
        before=before,
        after={"suspended_until": None},
    )


@transaction.atomic
def member_ban(*, member, community, by, reason, post=None):
    """Bans a member from a community: they can no longer post or join it again (nor read
    it, when it is private)."""
    _require_moderator(by, community)
    _require_someone(member)
    membership, _ = Membership.objects.select_for_update().get_or_create(
        community=community, member=member, defaults={"state": Membership.State.BANNED}
    )
    before = {"state": membership.state}
    membership.state = Membership.State.BANNED
    membership.save(update_fields=["state"])
    _tell(
        member,
        f"The moderators of {community.name} banned you from it: you can no longer post there, "
        f"and you read it only as a visitor would. Reason: {reason}",
    )
    _log(
        moderator=by,
        kind=Kind.BAN,
        community=community,
        member=member,
        post=post,
        reason=reason,
        before=before,
        after={"state": Membership.State.BANNED},
    )


@transaction.atomic
def member_unban(*, member, community, by, reason=""):
    """Lifts a ban: the member belongs to the community again, as a plain member."""
    _require_moderator(by, community)
    membership = Membership.objects.select_for_update().get(community=community, member=member)
    if membership.state != Membership.State.BANNED:
        raise ValidationError(f"{member.display_name} is not banned from {community.name}.")
    membership.state = Membership.State.ACTIVE
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["state", "role"])
    _tell(member, f"Your ban from {community.name} is lifted: you are a member again.")
    _log(
        moderator=by,
        kind=Kind.UNBAN,
        community=community,
        member=member,
        reason=reason,
        before={"state": Membership.State.BANNED},
        after={"state": Membership.State.ACTIVE},
    )


# ---------------------------------------------------------------------------------- anonymity


@transaction.atomic
def post_reveal_author(*, post, by, reason):
    """Tells a community manager who wrote an anonymous post, and returns them. Only the
    "Community manager" group may (permissions.can_reveal_author), with a reason: the reveal
    is written to the audit log, which names the author to community managers alone
    (querysets.audit_names_member), and the author is told they were identified, and why."""
    if not permissions.can_reveal_author(by):
        raise PermissionDenied("Only a community manager can reveal who wrote a post.")
    post = _post_for(by, post)
    if not post.is_anonymous:
        raise ValidationError("This post was not posted anonymously: its author is shown.")
    if not reason.strip():
        raise ValidationError("Give a reason: it is logged, and the author is told it.")
    community = post.thread.community
    local = timezone.localtime(post.created_at)
    _tell(
        post.author,
        f"A community manager of {community.name} found out that you wrote the post you "
        f"made anonymously on {local:%d %B %Y, %H:%M}. Reason: {reason}",
    )
    _log_post(post, by=by, kind=Kind.REVEAL, reason=reason)
    return post.author


# -------------------------------------------------------------------------------- memberships


def _locked_membership(membership):
    return (
        Membership.objects.select_for_update()
        .select_related("community", "member")
        .get(pk=membership.pk)
    )


@transaction.atomic
def membership_approve(*, membership, by, reason=""):
    """Lets in a member who asked to join, and tells them."""
    membership = _locked_membership(membership)
    community = membership.community
    _require_moderator(by, community)
    if membership.state != Membership.State.REQUESTED:
        raise ValidationError(f"{membership.member.display_name} has not asked to join.")
    membership.state = Membership.State.ACTIVE
    membership.save(update_fields=["state"])
    _tell(membership.member, f"You are now a member of {community.name}.")
    _log(
        moderator=by,
        kind=Kind.ADMIT,
        community=community,
        member=membership.member,
        reason=reason,
        before={"state": Membership.State.REQUESTED},
        after={"state": Membership.State.ACTIVE},
    )
    return membership


@transaction.atomic
def membership_invite(*, community, member, by, reason=""):
    """Invites a member to a community (a private one shows them its name so that they can
    accept). Someone who already belongs, asked or was banned is left as they are."""
    _require_moderator(by, community)
    membership, created = Membership.objects.get_or_create(
        community=community, member=member, defaults={"state": Membership.State.INVITED}
    )
    if created:
        _tell(member, f"You are invited to join {community.name}.")
        _log(
            moderator=by,
            kind=Kind.INVITE,
            community=community,
            member=member,
            reason=reason,
            after={"state": Membership.State.INVITED},
        )
    return membership


@transaction.atomic
def membership_add(*, community, member, by, role=Membership.Role.MEMBER, reason=""):
    """Makes someone a member at once (a site manager's act in the admin)."""
    _require_moderator(by, community)
    membership, created = Membership.objects.select_for_update().get_or_create(
        community=community,
        member=member,
        defaults={"state": Membership.State.ACTIVE, "role": role},
    )
    if not created:
        raise ValidationError(
            f"{member.display_name} already has a place in {community.name}: change it there."
        )
    _tell(member, f"You are now a member of {community.name}.")
    _log(
        moderator=by,
        kind=Kind.ADD,
        community=community,
        member=member,
        reason=reason,
        after={"state": membership.state, "role": role},
    )
    return membership


ROLE_MESSAGES = {
    Membership.Role.MEMBER: "You are now a member of {community} (no longer moderating it).",
    Membership.Role.MODERATOR: "You are now a moderator of {community}.",
    Membership.Role.OWNER: "You are now an owner of {community}.",
}


@transaction.atomic
def membership_set_role(*, membership, role, by, reason=""):
    """Makes a member a moderator or owner of a community, or a plain member again. The
    last owner stays until another is named."""
    membership = _locked_membership(membership)
    community = membership.community
    _require_moderator(by, community)
    if membership.role == role:
        return membership
    if membership.state != Membership.State.ACTIVE:
        raise ValidationError("Only a member of the community can be given a role in it.")
    other_owners = Membership.objects.filter(
        community=community, role=Membership.Role.OWNER, state=Membership.State.ACTIVE
    ).exclude(pk=membership.pk)
    if membership.role == Membership.Role.OWNER and not other_owners.exists():
        raise ValidationError(f"{community.name} needs an owner: name another owner first.")
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    _tell(membership.member, ROLE_MESSAGES[role].format(community=community.name))
    _log(
        moderator=by,
        kind=Kind.ROLE,
        community=community,
        member=membership.member,
        reason=reason,
        before=before,
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_set_state(*, membership, state, by, reason=""):
    """Moves a membership to another state through the act that means it: approving a
    request, banning, lifting a ban. Other moves are refused with the reason."""
    membership = _locked_membership(membership)
    State = Membership.State
    member, community = membership.member, membership.community
    if state == membership.state:
        return membership
    if state == State.BANNED:
        member_ban(member=member, community=community, by=by, reason=reason)
    elif state == State.ACTIVE and membership.state == State.REQUESTED:
        membership_approve(membership=membership, by=by, reason=reason)
    elif state == State.ACTIVE and membership.state == State.BANNED:
        member_unban(member=member, community=community, by=by, reason=reason)
    else:
        raise ValidationError(
            f"A membership does not go from “{membership.get_state_display()}” to "
            f"“{State(state).label}” here: members accept invitations and leave themselves."
        )
    membership.refresh_from_db()
    return membership


# ---------------------------------------------------------------------------------- ideas


@transaction.atomic
def thread_set_idea_status(*, thread, status, by, reason=""):
    """A moderator marks where an idea stands; its author is told."""
    thread = Thread.objects.select_for_update().select_related("community").get(pk=thread.pk)
    membership = Membership.objects.filter(community=thread.community, member=by).first()
    if not permissions.can_set_idea_status(by, thread, membership):
        raise ValidationError("Only a moderator can set an idea's status.")
    before = {"idea_status": thread.idea_status}
    thread.idea_status = status
    thread.save(update_fields=["idea_status"])
    _tell(
        thread.author,
        f"{IDEA_STATUS_PREFIX}{thread.get_idea_status_display()}.",
        thread=thread,
    )
    _log(
        moderator=by,
        kind=Kind.IDEA,
        community=thread.community,
        member=thread.author,
        thread=thread,
        reason=reason,
        before=before,
        after={"idea_status": status},
    )
    return thread
