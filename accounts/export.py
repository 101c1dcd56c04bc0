"""A member's data, as one JSON document they can take with them (/settings/data/).

It holds everything they wrote, of every visibility and state, with its edit history, and
everything stored about them. Of other members it names no more than a display name: posts
in others' threads point at their own permalink, never at the thread's title."""

import base64
import json
import logging
from itertools import islice

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Block, CircleMembership
from forums.models import (
    CategoryFollow,
    Membership,
    ModerationAction,
    Notification,
    Post,
    PostRevision,
    PostVote,
    Report,
    Thread,
    ThreadFollow,
)

logger = logging.getLogger(__name__)

FORMAT = "hearth-member-archive/1"
# Rows read from PostgreSQL at a time: memory stays bounded whatever a member wrote.
CHUNK = 500


def filename(member):
    return f"hearth-data-{member.handle}-{timezone.now():%Y-%m-%d}.json"


def _dumps(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _url(path):
    return f"{settings.HEARTH_BASE_URL.rstrip('/')}{path}"


def archive_chunks(member):
    """Yields the archive as pieces of JSON text. Every section is read in chunks within one
    read-only transaction, so the archive is one consistent snapshot and built in bounded
    memory, whatever a member wrote."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield "{\n" + _dumps("format") + ": " + _dumps(FORMAT)
        yield ",\n" + _dumps("exported_at") + ": " + _dumps(timezone.now())
        yield ",\n" + _dumps("account") + ": " + _dumps(_account(member))
        for name, rows in _sections(member):
            yield ",\n" + _dumps(name) + ": ["
            for index, row in enumerate(rows):
                yield ("," if index else "") + "\n  " + _dumps(row)
            yield "\n]"
        yield "\n}\n"


def _account(member):
    avatar = None
    if member.avatar:
        try:
            with member.avatar.open("rb") as image:
                avatar = "data:image/webp;base64," + base64.b64encode(image.read()).decode()
        except OSError:  # the file went missing from storage: the archive says so
            logger.warning("Avatar file %s of member %s is missing", member.avatar, member.pk)
    return {
        "email": member.email,
        "display_name": member.display_name,
        "handle": member.handle,
        "profile": _url(member.get_absolute_url()),
        "bio": member.bio,
        "avatar": avatar,
        "open_to_mentoring": member.open_to_mentoring,
        "default_visibility": member.default_visibility,
        "email_notifications": member.email_notifications,
        "weekly_digest": member.weekly_digest,
        "fold_content_notes": member.fold_content_notes,
        "date_joined": member.date_joined,
        "last_login": member.last_login,
    }


def _sections(member):
    """(name, rows) for each list in the archive; rows are produced lazily."""
    yield (
        "email_addresses",
        (
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=member).order_by("pk")
        ),
    )
    yield (
        "two_factor_authentication",
        (
            {"type": auth.type, "created_at": auth.created_at, "last_used_at": auth.last_used_at}
            for auth in Authenticator.objects.filter(user=member).order_by("pk")
        ),
    )
    yield (
        "sessions",
        (
            {
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
                "ip": session.ip,
                "user_agent": session.user_agent,
            }
            for session in UserSession.objects.filter(user=member).order_by("created_at")
        ),
    )
    yield (
        "memberships",
        (
            {
                "community": membership.community.name,
                "community_url": _url(membership.community.get_absolute_url()),
                "role": membership.role,
                "state": membership.state,
                "suspended_until": membership.suspended_until,
                "since": membership.created_at,
            }
            for membership in Membership.objects.filter(member=member)
            .select_related("community")
            .order_by("pk")
        ),
    )
    yield (
        "circle",
        (
            {"display_name": entry.member.display_name, "since": entry.created_at}
            for entry in CircleMembership.objects.filter(owner=member)
            .select_related("member")
            .order_by("pk")
        ),
    )
    yield (
        "blocks",
        (
            {"display_name": block.blocked.display_name, "since": block.created_at}
            for block in Block.objects.filter(blocker=member).select_related("blocked")
        ),
    )
    yield "threads", (_thread(thread) for thread in _threads(member))
    yield "posts", _posts(member)
    yield (
        "votes",
        (
            {"post": _url(f"/p/{vote.post_id}/"), "at": vote.created_at}
            for vote in PostVote.objects.filter(member=member).order_by("pk").iterator(CHUNK)
        ),
    )
    yield (
        "reports_filed",
        (
            {
                "post": _url(f"/p/{report.post_id}/"),
                "reason": report.reason,
                "details": report.details,
                "status": report.status,
                "created_at": report.created_at,
                "resolved_at": report.resolved_at,
            }
            for report in Report.objects.filter(reporter=member).order_by("pk").iterator(CHUNK)
        ),
    )
    yield (
        "moderation_of_you",
        (
            {
                "action": action.get_kind_display(),
                "community": action.community.name,
                "reason": action.reason,
                "at": action.created_at,
            }
            for action in ModerationAction.objects.filter(member=member)
            .select_related("community")
            .order_by("pk")
            .iterator(CHUNK)
        ),
    )
    yield (
        "followed_threads",
        (
            {"thread": _url(f"/t/{follow.thread_id}/")}
            for follow in ThreadFollow.objects.filter(member=member).order_by("pk").iterator(CHUNK)
        ),
    )
    yield (
        "followed_categories",
        (
            {"category": follow.category.name, "community": follow.category.community.name}
            for follow in CategoryFollow.objects.filter(member=member)
            .select_related("category__community")
            .order_by("pk")
        ),
    )
    yield (
        "notifications",
        (
            {
                "kind": notification.kind,
                "from": notification.actor.display_name if notification.actor else None,
                "post": _url(f"/p/{notification.post_id}/") if notification.post_id else None,
                "thread": _url(f"/t/{notification.thread_id}/") if notification.thread_id else None,
                "message": notification.message,
                "created_at": notification.created_at,
                "read_at": notification.read_at,
            }
            # Through the read door: a notification of a post they may no longer see names
            # nobody and points nowhere.
            for notification in Notification.objects.visible_to(member)
            .select_related("actor")
            .only(
                "kind",
                "actor__display_name",
                "post_id",
                "thread_id",
                "message",
                "created_at",
                "read_at",
            )
            .order_by("pk")
            .iterator(CHUNK)
        ),
    )


def _threads(member):
    return (
        Thread.objects.filter(author=member)
        .select_related("community", "category")
        .prefetch_related("tags")
        .order_by("pk")
        .iterator(CHUNK)
    )


def _thread(thread):
    return {
        "id": thread.pk,
        "url": _url(f"/t/{thread.pk}/"),
        "community": thread.community.name,
        "category": thread.category.name,
        "kind": thread.kind,
        "title": thread.title,
        "visibility": thread.visibility,
        "posted_anonymously": thread.is_anonymous,
        "tags": sorted(tag.name for tag in thread.tags.all()),
        "idea_status": thread.idea_status,
        "created_at": thread.created_at,
        "deleted_at": thread.deleted_at,
        "hidden_at": thread.hidden_at,
        "waiting_for_approval": thread.is_pending,
    }


def _chunks(rows):
    """Lists of up to CHUNK rows, read from a server-side cursor."""
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _posts(member):
    """Their posts as plain rows (no model instances, whose reference cycles would keep
    every chunk alive until the garbage collector ran), each chunk with its edit history
    read in one query."""
    fields = [
        "pk",
        "thread_id",
        "is_opening",
        "body",
        "content_note",
        "visibility",
        "votes",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_reason",
        "is_pending",
        "is_anonymous",
    ]
    rows = Post.objects.filter(author=member).order_by("pk").values(*fields)
    for chunk in _chunks(rows.iterator(CHUNK)):
        history = {}
        revisions = PostRevision.objects.filter(post__in=[row["pk"] for row in chunk])
        for post, body, note, until in revisions.order_by("created_at").values_list(
            "post_id", "body", "content_note", "created_at"
        ):
            history.setdefault(post, []).append(
                {"body": body, "content_note": note, "until": until}
            )
        for row in chunk:
            yield {
                "id": row["pk"],
                "url": _url(f"/p/{row['pk']}/"),
                "thread": _url(f"/t/{row['thread_id']}/"),
                "opening_post": row["is_opening"],
                "body": row["body"],
                "content_note": row["content_note"],
                "visibility": row["visibility"],
                # Their own: an archive is only ever its member's (settings/data).
                "posted_anonymously": row["is_anonymous"],
                "votes": row["votes"],
                "created_at": row["created_at"],
                "edited_at": row["edited_at"],
                "deleted_at": row["deleted_at"],
                "hidden_at": row["hidden_at"],
                "hidden_reason": row["hidden_reason"],
                "waiting_for_approval": row["is_pending"],
                "earlier_versions": history.get(row["pk"], []),
            }
