"""Promise 1 ("only the audience sees a post") restated in plain Python, as a reference model.
It covers what a viewer sees, and the order of their lists of threads by latest activity,
since an order can tell of a post as surely as its text.

forums/querysets.py decides visibility in SQL. The tests compare what it answers with what
the predicates here answer for the same rows. These are written to be checked by eye against
DESIGN.md, not to be fast: plain sets and dataclasses, no ORM. Only `World.from_database`
touches the database, to copy the stored rows into plain data.

A viewer is a member's pk, or None for an anonymous visitor.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Authored:
    """What decides the audience of a thread or a post."""

    author: int
    visibility: str  # "public", "circle" or "private"
    hidden: bool  # hidden by a moderator
    pending: bool  # waiting for a moderator's approval


@dataclass(frozen=True)
class ThreadFacts(Authored):
    community: int
    deleted: bool
    pinned: bool
    created_at: datetime
    bumped_at: datetime  # as stored by the write door; see last_bump


@dataclass(frozen=True)
class PostFacts(Authored):
    thread: int
    deleted: bool
    opening: bool  # the thread's opening post, rather than a reply
    created_at: datetime


@dataclass(frozen=True)
class World:
    members_only: bool  # settings.HEARTH_MEMBERS_ONLY
    read_access: dict[int, str]  # community pk -> "open", "members" or "private"
    active_memberships: frozenset[tuple[int, int]]  # (member, community)
    bans: frozenset[tuple[int, int]]  # (member, community): the community banned the member
    circles: frozenset[tuple[int, int]]  # (owner, member): member is in owner's circle
    blocks: frozenset[tuple[int, int]]  # (blocker, blocked)
    threads: dict[int, ThreadFacts]
    posts: dict[int, PostFacts]

    @classmethod
    def from_database(cls, *, members_only):
        """The rows as stored, copied into plain data."""
        from accounts.models import Block, CircleMembership
        from forums.models import Community, Membership, Post, Thread

        return cls(
            members_only=members_only,
            read_access=dict(Community.objects.values_list("pk", "read_access")),
            active_memberships=frozenset(
                Membership.objects.filter(state="active").values_list("member", "community")
            ),
            bans=frozenset(
                Membership.objects.filter(state="banned").values_list("member", "community")
            ),
            circles=frozenset(CircleMembership.objects.values_list("owner", "member")),
            blocks=frozenset(Block.objects.values_list("blocker", "blocked")),
            threads={
                row["pk"]: ThreadFacts(
                    author=row["author"],
                    visibility=row["visibility"],
                    hidden=row["hidden_at"] is not None,
                    pending=row["is_pending"],
                    community=row["community"],
                    deleted=row["deleted_at"] is not None,
                    pinned=row["is_pinned"],
                    created_at=row["created_at"],
                    bumped_at=row["bumped_at"],
                )
                for row in Thread.objects.values(
                    "pk",
                    "author",
                    "visibility",
                    "hidden_at",
                    "is_pending",
                    "community",
                    "deleted_at",
                    "is_pinned",
                    "created_at",
                    "bumped_at",
                )
            },
            posts={
                row["pk"]: PostFacts(
                    author=row["author"],
                    visibility=row["visibility"],
                    hidden=row["hidden_at"] is not None,
                    pending=row["is_pending"],
                    thread=row["thread"],
                    deleted=row["deleted_at"] is not None,
                    opening=row["is_opening"],
                    created_at=row["created_at"],
                )
                for row in Post.objects.values(
                    "pk",
                    "author",
                    "visibility",
                    "hidden_at",
                    "is_pending",
                    "thread",
                    "deleted_at",
                    "is_opening",
                    "created_at",
                )
            },
        )


def banned(world, viewer, community):
    """The community banned this member. A visitor is never banned."""
    return viewer is not None and (viewer, community) in world.bans


def community_readable(world, viewer, community):
    """`open`: everyone, but no anonymous visitor on a members-only site. `members`: every
    signed-in member. `private`: the community's active members. A member the community
    banned reads it no further than an anonymous visitor could."""
    access = world.read_access[community]
    if viewer is None:
        return access == "open" and not world.members_only
    if banned(world, viewer, community):
        return community_readable(world, None, community)
    if access in ("open", "members"):
        return True
    return (viewer, community) in world.active_memberships


def in_audience(world, viewer, item):
    """The author always. Anyone else only when it is neither hidden nor waiting for approval,
    no block stands between them and the author (either way), and it is `public`, or
    `circle` with them in the author's circle. `private` is the author's alone."""
    if viewer is not None and viewer == item.author:
        return True
    if item.hidden or item.pending:
        return False
    if viewer is None:
        return item.visibility == "public"
    if (viewer, item.author) in world.blocks or (item.author, viewer) in world.blocks:
        return False
    if item.visibility == "public":
        return True
    if item.visibility == "circle":
        return (item.author, viewer) in world.circles
    return False


def thread_visible(world, viewer, thread):
    """Its community is readable, it is not deleted, and the viewer is in its audience. In a
    community that banned them, a member sees nothing an anonymous visitor would not (and,
    as everywhere, nothing a block keeps from them)."""
    facts = world.threads[thread]
    if banned(world, viewer, facts.community) and not thread_visible(world, None, thread):
        return False
    return (
        community_readable(world, viewer, facts.community)
        and not facts.deleted
        and in_audience(world, viewer, facts)
    )


def post_visible(world, viewer, post):
    """Its thread is visible and the viewer is in the post's own audience. A deleted post
    stays visible, as a placeholder without its text. In a community that banned them, a
    member sees nothing an anonymous visitor would not."""
    facts = world.posts[post]
    community = world.threads[facts.thread].community
    if banned(world, viewer, community) and not post_visible(world, None, post):
        return False
    return thread_visible(world, viewer, facts.thread) and in_audience(world, viewer, facts)


def post_text_visible(world, viewer, post):
    """The text of a post is shown only when the post is visible and not deleted."""
    return post_visible(world, viewer, post) and not world.posts[post].deleted


def bumps(world, post):
    """A reply moves its thread up the lists of activity when the thread's whole audience can
    read it: it is public, not deleted, neither hidden nor waiting for approval. An opening
    post never does: the thread's start is its first activity."""
    facts = world.posts[post]
    return (
        not facts.opening
        and facts.visibility == "public"
        and not facts.deleted
        and not facts.hidden
        and not facts.pending
    )


def last_bump(world, thread):
    """When a thread last moved for its whole audience: its newest bumping reply, or else its
    start. This is what Thread.bumped_at stores."""
    times = [
        facts.created_at
        for post, facts in world.posts.items()
        if facts.thread == thread and bumps(world, post)
    ]
    return max(times, default=world.threads[thread].created_at)


def activity_at(world, viewer, thread):
    """When a thread last moved as this viewer sees it: the newest post they can see among
    the bumping ones, or else its start. A reply they cannot see (a block stands between them
    and its author) moves nothing for them."""
    times = [
        facts.created_at
        for post, facts in world.posts.items()
        if facts.thread == thread and bumps(world, post) and post_visible(world, viewer, post)
    ]
    return max(times, default=world.threads[thread].created_at)


def latest_list(world, viewer, *, pinned_first=False):
    """A viewer's "latest" list: the threads they see, ordered by the newest post they can
    see among the bumping ones, newest first, the newer thread first on a tie; pinned threads
    before all others on the lists that pin them."""

    def newest_first(thread):
        pinned = pinned_first and world.threads[thread].pinned
        return (pinned, activity_at(world, viewer, thread), thread)

    visible = [thread for thread in world.threads if thread_visible(world, viewer, thread)]
    return sorted(visible, key=newest_first, reverse=True)
