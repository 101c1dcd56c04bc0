"""The one door for reads. Who may see a community, thread or post is decided here and
nowhere else: pages, counts, search, tags, profiles, notifications and feeds all read through
`readable_by` / `visible_to`. Everything is computed in SQL at read time from the current
memberships, circles and blocks, so nothing can go stale."""

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from forums.choices import Visibility


def _signed_in(viewer):
    return viewer is not None and viewer.is_authenticated


def _nothing():
    return Q(pk__in=[])


def community_q(viewer, path=""):
    """A community is readable by anyone when its read access is `open` (by signed-in members
    only on a members-only site), by every signed-in member when it is `members`, and by its
    own active members when it is `private`. `path` leads from the model queried to the
    community ("" for Community itself)."""
    from forums.models import Community, Membership

    prefix = f"{path}__" if path else ""
    Access = Community.ReadAccess
    if not _signed_in(viewer):
        if settings.HEARTH_MEMBERS_ONLY:
            return _nothing()
        return Q(**{f"{prefix}read_access": Access.OPEN})
    own = Membership.objects.filter(member=viewer, state=Membership.State.ACTIVE)
    return Q(**{f"{prefix}read_access__in": [Access.OPEN, Access.MEMBERS]}) | Q(
        **{f"{path or 'pk'}__in": own.values("community_id")}
    )


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


def thread_q(viewer, path=""):
    """A thread is visible when its community is readable, it is not deleted, and the viewer
    is in its audience."""
    prefix = f"{path}__" if path else ""
    return (
        community_q(viewer, f"{prefix}community")
        & Q(**{f"{prefix}deleted_at__isnull": True})
        & audience_q(viewer, path)
    )


def post_q(viewer):
    """A post is visible to those who see its thread *and* fall within the post's own
    audience. A deleted post stays visible as a placeholder to that audience; its text never
    is (see PostQuerySet.live)."""
    return thread_q(viewer, "thread") & audience_q(viewer)


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

    def for_listing(self):
        return self.select_related("author", "category__community", "community").prefetch_related(
            "tags"
        )


class PostQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        return self.filter(post_q(viewer))

    def live(self):
        """Posts whose text may be shown: not deleted."""
        return self.filter(deleted_at__isnull=True)

    def with_text_open_to_moderators(self):
        """Adds `text_open_to_moderators`: in the admin, a post's text is read when it is for
        the whole community, or once someone has reported it. Otherwise the text of a circle
        or private post stays with its audience; moderators see its title and metadata."""
        from forums.models import Report

        reported = Exists(Report.objects.filter(post=OuterRef("pk")))
        return self.annotate(
            text_open_to_moderators=ExpressionWrapper(
                Q(visibility=Visibility.PUBLIC) | Q(reported), output_field=BooleanField()
            )
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
