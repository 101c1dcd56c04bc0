"""The one door for reads. Who may see a community, thread or post is decided here and
nowhere else: pages, counts, search, tags, profiles, notifications and feeds all read through
`readable_by` / `visible_to`, and lists by latest activity are ordered by `activity_at`
(activity_parts), never by `bumped_at` alone. Everything is decided at read time from the
current memberships, bans, circles and blocks, read once per request (Reader), so nothing
can go stale."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from forums.choices import Visibility


def _signed_in(viewer):
    """A viewer reads as a member when signed in and not deactivated: a deactivated member,
    whom sign-in refuses, reads as a visitor wherever they are asked about (a job outside a
    request included)."""
    return viewer is not None and viewer.is_authenticated and viewer.is_active


def _nothing():
    return Q(pk__in=[])


@dataclass(frozen=True)
class Reader:
    """What decides what one viewer may read: the communities they may read, those that
    banned them, the members whose circle holds them, and the members a block stands between
    them and (either way). Read from the database in one query, at most once per request
    (ReaderMiddleware), so a change to a circle or a block shows on the next page load."""

    pk: int | None
    readable: tuple = ()
    banned: tuple = ()
    circles_holding: tuple = ()
    blocked: tuple = ()

    @classmethod
    def load(cls, viewer):
        from forums.models import Community

        Access = Community.ReadAccess
        signed_in = _signed_in(viewer)
        rows = _reader_rows(viewer.pk if signed_in else None)
        by_kind = {
            kind: set() for kind in ("open", "members", "active", "banned", "circle", "block")
        }
        for kind, value in rows:
            by_kind[kind].add(value)
        as_visitor = set() if settings.HEARTH_MEMBERS_ONLY else by_kind[Access.OPEN]
        if not signed_in:
            return cls(pk=None, readable=tuple(sorted(as_visitor)))
        banned = by_kind["banned"]
        for_members = (by_kind[Access.OPEN] | by_kind[Access.MEMBERS]) - banned
        return cls(
            pk=viewer.pk,
            readable=tuple(sorted(as_visitor | for_members | by_kind["active"])),
            banned=tuple(sorted(banned)),
            circles_holding=tuple(sorted(by_kind["circle"])),
            blocked=tuple(sorted(by_kind["block"])),
        )


def _reader_rows(member_id):
    """(kind, id) rows, in one query: communities by read access ("open", "members"); for a
    member, also the communities where they are "active" or "banned", the owners of the
    circles that hold them ("circle") and everyone a block stands between them and ("block")."""
    from accounts.models import Block, CircleMembership
    from forums.models import Community, Membership

    def labelled(queryset, label, column):
        return queryset.annotate(kind=Value(label, output_field=CharField())).values_list(
            "kind", column
        )

    communities = (
        Community.objects.filter(read_access__in=["open", "members"])
        .order_by()
        .values_list("read_access", "pk")
    )
    if member_id is None:
        return list(communities)
    memberships = Membership.objects.filter(
        member=member_id, state__in=["active", "banned"]
    ).values_list("state", "community_id")
    return list(
        communities.union(
            memberships,
            labelled(CircleMembership.objects.filter(member=member_id), "circle", "owner_id"),
            labelled(Block.objects.filter(blocker=member_id), "block", "blocked_id"),
            labelled(Block.objects.filter(blocked=member_id), "block", "blocker_id"),
            all=True,
        )
    )


READER_ATTRIBUTE = "_hearth_reader"


def reader_of(viewer):
    """The viewer's Reader: the one remembered for this request, or else read now (a Reader
    is its own). The door's entry points turn their viewer into a Reader once, so that a
    filter outside a request reads the database once too."""
    if isinstance(viewer, Reader):
        return viewer
    remembered = getattr(viewer, READER_ATTRIBUTE, None) if viewer is not None else None
    return remembered if remembered is not None else Reader.load(viewer)


def forget_reader(member):
    """After a write that changes what a member may read (joining, leaving, a circle, a
    block), so that the rest of the request reads with the change. Through delattr, which
    request.user's lazy wrapper passes on to the member it wraps."""
    if member is not None and hasattr(member, READER_ATTRIBUTE):
        delattr(member, READER_ATTRIBUTE)


def community_q(viewer, path=""):
    """A community is readable by anyone when its read access is `open` (by signed-in members
    only on a members-only site), by every signed-in member when it is `members`, and by its
    own active members when it is `private`. A member the community banned reads it no
    further than an anonymous visitor could (Reader.load). `path` leads from the model
    queried to the community ("" for Community itself)."""
    readable = reader_of(viewer).readable
    if not readable:
        return _nothing()
    return Q(**{f"{path or 'pk'}__in": readable})


def listed_q(viewer):
    """A private community its managers listed is found by every signed-in member: who it is
    and how to join (name, description, kind, join policy), never what is inside it, which
    community_q alone opens. Visitors find none."""
    from forums.models import Community

    if reader_of(viewer).pk is None:
        return _nothing()
    return Q(read_access=Community.ReadAccess.PRIVATE, listed=True)


def audience_q(viewer, path=""):
    """An authored thread or post is seen by its author, always. Anyone else sees it only
    when a moderator has neither hidden it nor still to approve it, neither of the two has
    blocked the other, and its visibility is `public`, or `circle` with the viewer in the
    author's circle. A `private` one is the author's alone."""
    prefix = f"{path}__" if path else ""
    shown = Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}is_pending": False})
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    reader = None if viewer is None else reader_of(viewer)
    if reader is None or reader.pk is None:
        return shown & public
    audience = public
    if reader.circles_holding:
        audience |= Q(
            **{
                f"{prefix}visibility": Visibility.CIRCLE,
                f"{prefix}author__in": reader.circles_holding,
            }
        )
    others = shown & audience
    if reader.blocked:
        others &= ~Q(**{f"{prefix}author__in": reader.blocked})
    return Q(**{f"{prefix}author": reader.pk}) | others


def banned_reader_q(viewer, path="", community="community"):
    """In a community that banned them, a member is in the audience of a thread or post only
    where an anonymous visitor would be: it is public and shown. Their own circle and private
    posts there, and the circle posts of others, are closed to them; their blocks still stand
    (this narrows audience_q, never widens it). `path` leads to the thread or post,
    `community` to its community."""
    if not (banned := reader_of(viewer).banned):
        return Q()
    return ~Q(**{f"{community}__in": banned}) | audience_q(None, path)


def thread_q(viewer, path=""):
    """A thread is visible when its community is readable, it is not deleted, and the viewer
    is in its audience; in a community that banned them, only a visitor's audience counts.

    So, in a community a viewer reads, a thread (or reply) that everyone there sees — public,
    shown, approved, live — is kept from them by a block alone. The stored shortcuts rest on
    that (CommunityQuerySet.with_thread_counts, ThreadQuerySet.activity_parts): a new rule
    here must be taught to them, and the property test will say so."""
    viewer = reader_of(viewer)
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
    viewer = reader_of(viewer)
    return (
        thread_q(viewer, "thread")
        & audience_q(viewer)
        & banned_reader_q(viewer, community="thread__community")
    )


class AnonymousAuthor:
    """What a page shows in place of an anonymous post's author: "Anonymous member", with a
    neutral avatar and no profile to link to (like a former member). `is_you` when the viewer
    is the author, so that their own anonymous posts are marked "you, anonymously"."""

    display_name = "Anonymous member"
    avatar = None
    avatar_seed = "anonymous member"
    avatar_colour = "#6f6a66"  # the same neutral grey for every anonymous author
    is_former = True  # no profile page: templates link to none
    is_anonymous_author = True
    pk = None

    def __init__(self, *, is_you=False):
        self.is_you = is_you

    def __str__(self):
        return self.display_name


ANONYMOUS_AUTHOR = AnonymousAuthor()


def author_shown_to(viewer, item):
    """Who a viewer is shown as the author of a post or thread: the author, unless it was
    posted anonymously (a thread is as anonymous as its opening post). Then it is "Anonymous
    member" to everyone, moderators, managers and the admin included; its author alone is
    told it is theirs ("you, anonymously"). Only a community manager's audited reveal
    (forums.moderation.services.post_reveal_author) names the author, and to them alone.
    `viewer` may be None (the admin, logs, e-mails to others): then nobody is the author."""
    if not item.is_anonymous:
        return item.author
    if isinstance(viewer, Reader):
        viewer_pk = viewer.pk
    else:
        viewer_pk = viewer.pk if _signed_in(viewer) else None
    if viewer_pk is not None and viewer_pk == item.author_id:
        return AnonymousAuthor(is_you=True)
    return ANONYMOUS_AUTHOR


def named_authors_q(path=""):
    """The posts (or threads, or rows through `path`) whose author may be named beside them:
    those not posted anonymously. Lists by author (a profile, a count) keep to these for
    anyone but the author (author_shown_to)."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}is_anonymous": False})


def audit_names_member(viewer):
    """Whether an audit log row (ModerationAction) names the member it acted on, for this
    viewer, as an expression: never where they were acted on as the anonymous author of its
    post or thread (a hide, a warning through the post, a lock), except that a community
    manager reads the member a reveal named."""
    from forums import permissions

    anonymous = Q(post__is_anonymous=True, member=F("post__author")) | Q(
        thread__is_anonymous=True, member=F("thread__author")
    )
    if _signed_in(viewer) and permissions.is_site_manager(viewer):
        anonymous &= ~Q(kind="reveal")
    return Case(
        When(anonymous, then=Value(False)), default=Value(True), output_field=BooleanField()
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
        return self.filter(community_q(reader_of(viewer)))

    def readable_or_listed(self, viewer):
        """The communities a viewer reads, and those listed to them (listed_q), each with
        `readable`: whether they may read it. Of one they do not read, a page shows who it
        is and how to join, and nothing inside: its threads, categories, tags and counts stay
        behind readable_by."""
        reader = reader_of(viewer)
        readable = community_q(reader)
        return self.filter(readable | listed_q(reader)).annotate(
            readable=ExpressionWrapper(readable, output_field=BooleanField())
        )

    def joinable_by(self, viewer):
        """Where a member may ask to join: the communities they read or find (listed_q),
        and those that invited them. An invitation shows a private community's name, so that
        it can be accepted, and nothing else."""
        from forums.models import Membership

        if not _signed_in(viewer):
            return self.readable_by(viewer)
        invited = Membership.objects.filter(member=viewer, state=Membership.State.INVITED)
        return self.filter(
            community_q(viewer) | listed_q(viewer) | Q(pk__in=invited.values("community_id"))
        )

    def with_thread_counts(self, viewer):
        """These communities, each with `thread_count`: the threads there this viewer may
        see. The stored count of threads for everyone (Community.public_thread_count) less
        those a block keeps from the viewer, plus the viewer's own threads and their
        circles' that are not for everyone: two small queries by author, whatever the number
        of threads. A community the viewer does not read (one listed to them) has none: its
        `thread_count` is None, so that not even how busy it is shows."""
        from forums.models import Thread

        communities = list(self)
        reader = reader_of(viewer)
        readable = set(reader.readable)
        ids = [community.pk for community in communities if community.pk in readable]
        less, more = {}, {}
        if _signed_in(viewer):

            def per_community(threads):
                counted = threads.filter(community__in=ids).order_by().values("community")
                return dict(counted.annotate(count=Count("pk")).values_list("community", "count"))

            if reader.blocked:
                less = per_community(
                    Thread.objects.for_everyone().filter(author__in=reader.blocked)
                )
            # Only the viewer's and their circles' threads can be visible and not for everyone.
            more = per_community(
                Thread.objects.visible_to(viewer)
                .filter(author__in=(reader.pk, *reader.circles_holding))
                .exclude(FOR_EVERYONE)
            )
        for community in communities:
            community.thread_count = (
                community.public_thread_count
                - less.get(community.pk, 0)
                + more.get(community.pk, 0)
                if community.pk in readable
                else None
            )
        return communities

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


# What no page shows of an author beside their threads and posts (and need not be read).
UNLISTED_MEMBER_FIELDS = ("password", "email", "bio", "email_notifications", "last_login")

# A thread everyone who reads its community sees: live, shown, approved, for the community.
FOR_EVERYONE = Q(
    deleted_at__isnull=True,
    hidden_at__isnull=True,
    is_pending=False,
    visibility=Visibility.PUBLIC,
)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=self.model.State.ACTIVE)


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        return self.filter(thread_q(viewer))

    def tagged(self, tag):
        """Threads that carry this tag (a taggit Tag, or None for one that does not exist).
        Asked per thread by the tag's id, so that PostgreSQL knows how common the tag is and
        walks the list's own index for a common one."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        if tag is None:
            return self.none()
        carries = TaggedItem.objects.filter(
            tag=tag,
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=OuterRef("pk"),
        )
        return self.filter(Exists(carries))

    def for_everyone(self):
        """Threads that everyone who may read their community sees (FOR_EVERYONE)."""
        return self.filter(FOR_EVERYONE)

    def solved_for(self, viewer, solved=True):
        """The questions this viewer counts as solved (or, with solved=False, unsolved): the
        accepted answer exists *and* they may read it. "Solved" never points at an answer
        someone cannot see."""
        from forums.models import Post

        readable = Post.objects.visible_to(viewer).live().filter(pk=OuterRef("accepted_answer"))
        answered = Exists(readable)
        return self.filter(kind=self.model.Kind.QUESTION).filter(answered if solved else ~answered)

    def with_activity(self, viewer):
        """Adds, for this viewer, `reply_count`, `last_post_id` and `solved` (see
        add_activity) to each thread: for tests and small lists. Pages use add_activity on
        the rows they show."""
        threads = list(self)
        add_activity(viewer, threads)
        return threads

    def with_activity_at(self, viewer):
        """Adds `activity_at` (for ordering), when the thread last moved as this viewer sees
        it: the time of the newest reply that moves threads (PostQuerySet.bumping) among those
        they may read, or else of the thread's start. So the order of their lists never
        hints at a reply they cannot read.

        Every bumping reply in a thread a viewer sees is theirs to read unless a block stands
        between them and its author. So where the stored newest bumping reply is by someone
        no block parts from the viewer (and for every visitor, and every viewer without
        blocks), this is the stored `bumped_at`; only the threads last bumped by someone a
        block parts from them are looked into (see activity_parts)."""
        parts = self.activity_parts(viewer)
        if len(parts) == 1:
            return parts[0]
        blocked = reader_of(viewer).blocked
        return self.annotate(
            activity_at=Case(
                When(bumped_by__in=blocked, then=self._newest_bump_readable_by(viewer)),
                default=F("bumped_at"),
            )
        )

    def activity_parts(self, viewer):
        """These threads with `activity_at` (as with_activity_at gives it), as one queryset,
        or for a viewer with blocks as two that together hold them all: those whose stored
        activity stands for the viewer, which the lists' indexes serve in order, and the few
        last bumped by someone a block parts from the viewer, whose activity is looked up."""
        if not _signed_in(viewer) or not (blocked := reader_of(viewer).blocked):
            return [self.annotate(activity_at=F("bumped_at"))]
        return [
            self.exclude(bumped_by__in=blocked).annotate(activity_at=F("bumped_at")),
            self.filter(bumped_by__in=blocked).annotate(
                activity_at=self._newest_bump_readable_by(viewer)
            ),
        ]

    @staticmethod
    def _newest_bump_readable_by(viewer):
        from forums.models import Post

        newest = (
            Post.objects.visible_to(viewer)
            .bumping()
            .filter(thread=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        return Coalesce(Subquery(newest), F("created_at"))

    def by_activity(self, viewer, *, pinned_first=False):
        """Latest activity first, as this viewer sees it (see with_activity_at); pinned
        threads before all others when `pinned_first`."""
        pinned = ["-is_pinned"] if pinned_first else []
        return self.with_activity_at(viewer).order_by(*pinned, "-activity_at", "-pk")

    def for_listing(self):
        """With what a list shows beside each thread: its author, place and tags."""
        return (
            self.select_related("author", "category__community", "community")
            .defer(*(f"author__{field}" for field in UNLISTED_MEMBER_FIELDS))
            .prefetch_related("tags")
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


def add_activity(viewer, threads):
    """Sets, on each of these threads, as this viewer sees it: `reply_count`, the live
    replies they may read; `last_post_id`, the newest live post they may read (the opening
    post included; the higher pk first on a tie); and `solved`, whether the question's
    accepted answer is live and theirs to read, so that "Solved" never points at an answer
    someone cannot see. One query, whatever the number of posts."""
    from forums.models import Post

    newest_first = ArrayAgg("pk", order_by=("-created_at", "-pk"))
    rows = (
        Post.objects.visible_to(viewer)
        .live()
        .filter(thread__in=[thread.pk for thread in threads])
        .order_by()
        .values("thread")
        .annotate(
            replies=Count("pk", filter=Q(is_opening=False)),
            newest=Func(newest_first, template="(%(expressions)s)[1]", output_field=IntegerField()),
            accepted=Count("pk", filter=Q(pk=F("thread__accepted_answer"))),
        )
    )
    found = {row["thread"]: row for row in rows}
    for thread in threads:
        row = found.get(thread.pk, {})
        thread.reply_count = row.get("replies", 0)
        thread.last_post_id = row.get("newest")
        thread.solved = bool(row.get("accepted"))
    return threads


class PostQuerySet(models.QuerySet):
    def visible_to(self, viewer):
        return self.filter(post_q(viewer))

    def with_author(self):
        """With what a page shows of each post's author beside it (UNLISTED_MEMBER_FIELDS
        are not read)."""
        return self.select_related("author").defer(
            *(f"author__{field}" for field in UNLISTED_MEMBER_FIELDS)
        )

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
        # Correlated, so each notification looks up its own post or thread by pk.
        post = Post.objects.visible_to(viewer).live().filter(pk=OuterRef("post"))
        thread = Thread.objects.visible_to(viewer).filter(pk=OuterRef("thread"))
        return self.filter(recipient=viewer).filter(
            Q(post__isnull=True, thread__isnull=True)
            | Exists(post)
            | Q(post__isnull=True) & Exists(thread)
        )

    def unread(self):
        return self.filter(read_at__isnull=True)
