"""The one door for reads. Who may see a community, thread or post is decided here and
nowhere else: pages, counts, search, tags, profiles, notifications and feeds all read through
`readable_by` / `visible_to`, and lists by latest activity are ordered by `by_activity`,
never by `bumped_at` alone. Everything is computed in SQL at read time from the current
memberships, bans, circles and blocks, so nothing can go stale."""

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from forums.choices import Visibility


def _signed_in(viewer):
    return viewer is not None and viewer.is_authenticated


def _nothing():
    return Q(pk__in=[])


def _memberships(viewer, state):
    from forums.models import Membership

    return Membership.objects.filter(member=viewer, state=state).values("community_id")


def community_q(viewer, path=""):
    """A community is readable by anyone when its read access is `open` (by signed-in members
    only on a members-only site), by every signed-in member when it is `members`, and by its
    own active members when it is `private`. A member the community banned reads it no
    further than an anonymous visitor could. `path` leads from the model queried to the
    community ("" for Community itself)."""
    from forums.models import Community, Membership

    prefix = f"{path}__" if path else ""
    community = path or "pk"
    Access = Community.ReadAccess
    as_visitor = (
        _nothing() if settings.HEARTH_MEMBERS_ONLY else Q(**{f"{prefix}read_access": Access.OPEN})
    )
    if not _signed_in(viewer):
        return as_visitor
    not_banned = ~Q(**{f"{community}__in": _memberships(viewer, Membership.State.BANNED)})
    own = Q(**{f"{community}__in": _memberships(viewer, Membership.State.ACTIVE)})
    for_members = Q(**{f"{prefix}read_access__in": [Access.OPEN, Access.MEMBERS]})
    return as_visitor | (for_members & not_banned) | own


def audience_q(viewer, path=""):
    """An authored thread or post is seen by its author, always. Anyone else sees it only
    when a moderator has neither hidden it nor still to approve it, neither of the two has
    blocked the other, and its visibility is `public`, or `circle` with the viewer in the
    author's circle. A `private` one is the author's alone."""
    from accounts.models import Block, CircleMembership

    prefix = f"{path}__" if path else ""
    shown = Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}is_pending": False})
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if not _signed_in(viewer):
        return shown & public
    circles_holding_viewer = CircleMembership.objects.filter(member=viewer).values("owner_id")
    blocked = Block.objects.filter(blocker=viewer).values("blocked_id")
    blocked_by = Block.objects.filter(blocked=viewer).values("blocker_id")
    in_circle = Q(
        **{f"{prefix}visibility": Visibility.CIRCLE, f"{prefix}author__in": circles_holding_viewer}
    )
    others = (
        shown
        & (public | in_circle)
        & ~Q(**{f"{prefix}author__in": blocked})
        & ~Q(**{f"{prefix}author__in": blocked_by})
    )
    return Q(**{f"{prefix}author": viewer}) | others


def banned_reader_q(viewer, path="", community="community"):
    """In a community that banned them, a member is in the audience of a thread or post only
    where an anonymous visitor would be: it is public and shown. Their own circle and private
    posts there, and the circle posts of others, are closed to them; their blocks still stand
    (this narrows audience_q, never widens it). `path` leads to the thread or post,
    `community` to its community."""
    from forums.models import Membership

    if not _signed_in(viewer):
        return Q()
    banned = _memberships(viewer, Membership.State.BANNED)
    return ~Q(**{f"{community}__in": banned}) | audience_q(None, path)


def thread_q(viewer, path=""):
    """A thread is visible when its community is readable, it is not deleted, and the viewer
    is in its audience; in a community that banned them, only a visitor's audience counts."""
    prefix = f"{path}__" if path else ""
    return (
        community_q(viewer, f"{prefix}community")
        & Q(**{f"{prefix}deleted_at__isnull": True})
        & audience_q(viewer, path)
        & banned_reader_q(viewer, path, f"{prefix}community")
    )


def post_q(viewer):
    """A post is visible to those who see its thread *and* fall within the post's own
    audience (in a community that banned them, a visitor's audience). A deleted post stays
    visible as a placeholder to that audience; its text never is (see PostQuerySet.live)."""
    return (
        thread_q(viewer, "thread")
        & audience_q(viewer)
        & banned_reader_q(viewer, community="thread__community")
    )


def _open_to_moderators(*, for_everyone, reports, path=""):
    """True for a live row (not deleted) that the whole community may read, or whose
    `reports` (a Report queryset bound to the row) exist. `path` leads to the row."""
    prefix = f"{path}__" if path else ""
    return ExpressionWrapper(
        Q(**{f"{prefix}deleted_at__isnull": True}) & (for_everyone | Exists(reports)),
        output_field=BooleanField(),
    )


class CommunityQuerySet(models.QuerySet):
    def readable_by(self, viewer):
        return self.filter(community_q(viewer))

    def readable_or_invited(self, viewer):
        """What a member may read, plus the communities that invited them: an invitation
        shows a private community's name, so that it can be accepted, and nothing else."""
        from forums.models import Membership

        if not _signed_in(viewer):
            return self.readable_by(viewer)
        invited = Membership.objects.filter(member=viewer, state=Membership.State.INVITED)
        return self.filter(community_q(viewer) | Q(pk__in=invited.values("community_id")))

    def with_thread_counts(self, viewer):
        """Adds `thread_count`: the threads in each community this viewer may see."""
        from forums.models import Thread

        counts = (
            Thread.objects.visible_to(viewer)
            .filter(community=OuterRef("pk"))
            .order_by()
            .values("community")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(thread_count=Coalesce(Subquery(counts), 0))

    def moderated_by(self, member):
        """The communities a member moderates: every community for the site's managers
        (superusers and the "Community manager" group), otherwise those where they are an
        active moderator or owner. The admin shows nothing outside them."""
        from forums import permissions
        from forums.models import Membership

        if not _signed_in(member) or not member.is_active:
            return self.none()
        if permissions.is_site_manager(member):
            return self.all()
        moderating = Membership.objects.filter(
            member=member,
            state=Membership.State.ACTIVE,
            role__in=[Membership.Role.MODERATOR, Membership.Role.OWNER],
        )
        return self.filter(pk__in=moderating.values("community_id"))


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=self.model.State.ACTIVE)


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        return self.filter(thread_q(viewer))

    def with_solved(self, viewer):
        """Adds `solved`: the question's accepted answer exists *and* this viewer may read
        it. "Solved" never points at an answer someone cannot see."""
        from forums.models import Post

        readable = Post.objects.visible_to(viewer).live().filter(pk=OuterRef("accepted_answer"))
        return self.annotate(solved=Exists(readable))

    def with_activity(self, viewer):
        """Adds, for this viewer, `reply_count` (the replies they may read) and
        `last_post_id` (the newest post they may read)."""
        from forums.models import Post

        readable = Post.objects.visible_to(viewer).live().filter(thread=OuterRef("pk"))
        replies = (
            readable.filter(is_opening=False)
            .order_by()
            .values("thread")
            .annotate(count=Count("pk"))
            .values("count")
        )
        newest = readable.order_by("-created_at", "-pk").values("pk")[:1]
        return self.with_solved(viewer).annotate(
            reply_count=Coalesce(Subquery(replies), 0), last_post_id=Subquery(newest)
        )

    def with_activity_at(self, viewer):
        """Adds `activity_at` (for ordering), when the thread last moved as this viewer sees
        it: the time of the newest reply that moves threads (PostQuerySet.bumping) among those
        they may read, or else of the thread's start. So the order of their lists never
        hints at a reply they cannot read.

        Every bumping reply in a thread a viewer sees is theirs to read unless a block stands
        between them and its author, so for a viewer with no blocks either way (and for every
        visitor) this is the stored `bumped_at`, which the lists' indexes serve. Finding out
        costs one small query here; only a viewer with blocks pays for a subquery per thread."""
        from accounts.models import Block
        from forums.models import Post

        if (
            not _signed_in(viewer)
            or not Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).exists()
        ):
            return self.alias(activity_at=F("bumped_at"))
        newest = (
            Post.objects.visible_to(viewer)
            .bumping()
            .filter(thread=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        return self.alias(activity_at=Coalesce(Subquery(newest), F("created_at")))

    def by_activity(self, viewer, *, pinned_first=False):
        """Latest activity first, as this viewer sees it (see with_activity_at); pinned
        threads before all others when `pinned_first`."""
        pinned = ["-is_pinned"] if pinned_first else []
        return self.with_activity_at(viewer).order_by(*pinned, "-activity_at", "-pk")

    def for_listing(self):
        return self.select_related("author", "category__community", "community").prefetch_related(
            "tags"
        )

    def open_to_moderator(self, member):
        """The threads of the communities a member moderates, each with `title_open`: a
        moderator reads the title of a live thread for the whole community, and of any other
        thread once one of its posts was reported to them. Until then the title stays with
        the thread's audience and the admin names it by a neutral label (Thread.__str__)."""
        from forums.models import Community, Report

        moderated = Community.objects.moderated_by(member)
        return self.filter(community__in=moderated).annotate(
            title_open=_open_to_moderators(
                for_everyone=Q(visibility=Visibility.PUBLIC),
                reports=Report.objects.filter(post__thread=OuterRef("pk")),
            )
        )


class PostQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        return self.filter(post_q(viewer))

    def live(self):
        """Posts whose text may be shown: not deleted."""
        return self.filter(deleted_at__isnull=True)

    def bumping(self):
        """Replies that move their thread up the lists of activity: those the thread's whole
        audience can read — public, not deleted, neither hidden nor waiting for approval."""
        return self.live().filter(
            is_opening=False, visibility=Visibility.PUBLIC, hidden_at__isnull=True, is_pending=False
        )

    def open_to_moderator(self, member):
        """The posts of the communities a member moderates, each with `text_open`: a
        moderator reads a live post that the whole community may read (a community post in a
        community thread), and any other live post once it was reported to them. The text of
        a circle or only-me post, or of any post in a circle or only-me thread, stays with its
        audience until then; deleted text is never shown."""
        from forums.models import Community, Report

        moderated = Community.objects.moderated_by(member)
        return self.filter(thread__community__in=moderated).annotate(
            text_open=_open_to_moderators(
                for_everyone=Q(visibility=Visibility.PUBLIC, thread__visibility=Visibility.PUBLIC),
                reports=Report.objects.filter(post=OuterRef("pk")),
            ),
            thread_title_open=_open_to_moderators(
                for_everyone=Q(thread__visibility=Visibility.PUBLIC),
                reports=Report.objects.filter(post__thread=OuterRef("thread")),
                path="thread",
            ),
        )


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        """A member's notifications, each shown only while what it points to is still
        visible to them: checked again every time they look."""
        from forums.models import Post, Thread

        if not _signed_in(viewer):
            return self.none()
        posts = Post.objects.visible_to(viewer).live().values("pk")
        threads = Thread.objects.visible_to(viewer).values("pk")
        return self.filter(recipient=viewer).filter(
            Q(post__isnull=True, thread__isnull=True)
            | Q(post__in=posts)
            | Q(post__isnull=True, thread__in=threads)
        )

    def unread(self):
        return self.filter(read_at__isnull=True)
