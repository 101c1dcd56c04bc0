"""Promise 1 ("only the audience sees a post") restated from DESIGN.md, in plain Python.

This is the rule as a reader would check it against DESIGN.md's words, not a translation of
forums/querysets.py: it starts from the thread or post and asks "who is this for?", as an
explicit set of members (plus whether anonymous visitors are among them), and only then "is
this viewer in it?". Plain data and sets, no ORM: only `World.from_database` touches the
database, to copy the stored rows into plain data. Nothing here is meant to be fast.

A viewer is a member's pk, or None for an anonymous visitor.

Stored shortcuts
----------------
The write door keeps some values up to date so that the read path need not compute them
(DESIGN.md: "every such value is derived data proven by the reference model"). Each one has
a function here that computes it from scratch, and an entry in STORED_SHORTCUTS, which the
property test (tests/forums/test_visibility_property.py) compares with the stored column
after every random sequence of writes:

- Thread.bumped_at: expected_bumped_at (its newest bumping reply, or else its start)
- Thread.bumped_by: expected_bumped_by (that reply's author, or None)
- Thread.score: expected_score (the votes on its opening post)
- Post.votes: expected_votes (the votes cast on it)
- Community.public_thread_count: expected_public_thread_count (its live threads for everyone)
- Thread.is_anonymous: expected_thread_anonymous (as anonymous as its opening post)

To add one (a thread's count of replies for everyone, its last post for everyone…):
write `expected_<name>(world, pk)` from the rules below, with a docstring that says the
rule, and add `StoredShortcut("<app.Model>", "<column>", expected_<name>)` to
STORED_SHORTCUTS. If it needs a fact World does not copy yet, copy that fact (never the
stored shortcut itself) in `World.from_database`.
"""

from dataclasses import dataclass
from datetime import datetime

VISITOR = None

# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class ThreadFacts:
    author: int
    community: int
    category: int
    kind: str  # "question", "discussion" or "idea"
    visibility: str  # "public", "circle" or "private"
    hidden: bool  # hidden by a moderator
    pending: bool  # waiting for a moderator's approval
    deleted: bool
    pinned: bool
    created_at: datetime
    accepted_answer: int | None


@dataclass(frozen=True)
class PostFacts:
    author: int
    thread: int
    opening: bool  # the thread's opening post, rather than a reply
    visibility: str
    hidden: bool
    pending: bool
    deleted: bool
    created_at: datetime
    anonymous: bool = False  # posted anonymously: "Anonymous member" to all but its author


@dataclass(frozen=True)
class World:
    members_only: bool  # settings.HEARTH_MEMBERS_ONLY
    active_members: frozenset[int]  # members who can sign in (is_active)
    deactivated_members: frozenset[int]
    read_access: dict[int, str]  # community pk -> "open", "members" or "private"
    active_memberships: frozenset[tuple[int, int]]  # (member, community)
    bans: frozenset[tuple[int, int]]  # (member, community): the community banned the member
    circles: frozenset[tuple[int, int]]  # (owner, member): member is in owner's circle
    blocks: frozenset[tuple[int, int]]  # (blocker, blocked)
    threads: dict[int, ThreadFacts]
    posts: dict[int, PostFacts]
    votes: frozenset[tuple[int, int]] = frozenset()  # (member, post)

    @classmethod
    def from_database(cls, *, members_only):
        """The rows as stored, copied into plain data. Stored shortcuts (STORED_SHORTCUTS)
        are deliberately left out: everything below is computed from the facts."""
        from accounts.models import Block, CircleMembership, Member
        from forums.models import Community, Membership, Post, PostVote, Thread

        is_active = dict(Member.objects.values_list("pk", "is_active"))
        return cls(
            members_only=members_only,
            active_members=frozenset(pk for pk, active in is_active.items() if active),
            deactivated_members=frozenset(pk for pk, active in is_active.items() if not active),
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
                    community=row["community"],
                    category=row["category"],
                    kind=row["kind"],
                    visibility=row["visibility"],
                    hidden=row["hidden_at"] is not None,
                    pending=row["is_pending"],
                    deleted=row["deleted_at"] is not None,
                    pinned=row["is_pinned"],
                    created_at=row["created_at"],
                    accepted_answer=row["accepted_answer"],
                )
                for row in Thread.objects.values(
                    "pk",
                    "author",
                    "community",
                    "category",
                    "kind",
                    "visibility",
                    "hidden_at",
                    "is_pending",
                    "deleted_at",
                    "is_pinned",
                    "created_at",
                    "accepted_answer",
                )
            },
            posts={
                row["pk"]: PostFacts(
                    author=row["author"],
                    thread=row["thread"],
                    opening=row["is_opening"],
                    visibility=row["visibility"],
                    hidden=row["hidden_at"] is not None,
                    pending=row["is_pending"],
                    deleted=row["deleted_at"] is not None,
                    created_at=row["created_at"],
                    anonymous=row["is_anonymous"],
                )
                for row in Post.objects.values(
                    "pk",
                    "author",
                    "thread",
                    "is_opening",
                    "visibility",
                    "hidden_at",
                    "is_pending",
                    "deleted_at",
                    "created_at",
                    "is_anonymous",
                )
            },
            votes=frozenset(PostVote.objects.values_list("member", "post")),
        )


@dataclass(frozen=True)
class Audience:
    """Who something is for: these members (by pk), and anonymous visitors or not."""

    members: frozenset[int]
    visitors: bool

    def __and__(self, other):
        return Audience(self.members & other.members, self.visitors and other.visitors)

    def without(self, members):
        return Audience(self.members - set(members), self.visitors)

    def includes(self, world, viewer):
        """Is this viewer in it? A visitor, and a member who cannot sign in, are in it only
        when visitors are."""
        viewer = signed_in_as(world, viewer)
        if viewer is VISITOR:
            return self.visitors
        return viewer in self.members


NOBODY = Audience(frozenset(), visitors=False)


# --------------------------------------------------------------- who is reading at all?


def signed_in_as(world, viewer):
    """Whom the site knows the viewer as. A deactivated member is signed out (Django's
    session auth refuses an inactive member: ModelBackend.get_user), so they read as any
    visitor would. Their posts are not affected: they stay with the audience they chose
    (promise 3, "nothing is lost"), see chosen_audience."""
    if viewer is not None and viewer in world.active_members:
        return viewer
    return VISITOR


def everyone(world):
    """Every member who can sign in, and visitors."""
    return Audience(world.active_members, visitors=True)


def banned_from(world, community):
    """The members this community banned."""
    return {member for member, banned_in in world.bans if banned_in == community}


def only_as_visitors_for_the_banned(world, community, audience):
    """DESIGN.md (moderation): a member the community banned "reads it only as a visitor
    would": they stay in an audience in that community only where visitors are in it too,
    and never gain what a visitor would see but they themselves would not (a block stands)."""
    if audience.visitors:
        return audience
    return audience.without(banned_from(world, community))


# ------------------------------------------------ may this viewer read this community?


def community_readers(world, community):
    """Who may read a community: `open`, anyone, signed in or not, unless the site is
    members-only; `members`, any signed-in member; `private`, the community's own (active)
    members. A member it banned reads it only as a visitor would."""
    access = world.read_access[community]
    if access == "private":
        own = {m for m, c in world.active_memberships if c == community}
        readers = Audience(frozenset(own) & world.active_members, visitors=False)
    else:
        visitors = access == "open" and not world.members_only
        readers = Audience(world.active_members, visitors=visitors)
    return only_as_visitors_for_the_banned(world, community, readers)


def community_readable(world, viewer, community):
    return community_readers(world, community).includes(world, viewer)


# ------------------------------------- is this viewer in the audience the author chose?


def chosen_audience(world, item):
    """DESIGN.md, promise 1: `public` ("Community"), everyone who may read the community
    (which community_readers decides); `circle` ("My circle"), the author plus the members
    the author put in their circle; `private` ("Only me"), the author alone. Whether the
    author may still sign in changes nothing here."""
    if item.visibility == "public":
        return everyone(world)
    if item.visibility == "circle":
        circle = {member for owner, member in world.circles if owner == item.author}
        return Audience(frozenset({item.author} | circle), visitors=False)
    return Audience(frozenset({item.author}), visitors=False)


def taken_out_of_view(item):
    """A moderator has hidden it, or it is awaiting their approval (pre-moderation): then
    it is its author's alone until a moderator restores or approves it."""
    return item.hidden or item.pending


def kept_apart(world, one, other):
    """DESIGN.md (circles): a member may block another, and then "they no longer see each
    other's posts", whichever of the two blocked the other."""
    return (one, other) in world.blocks or (other, one) in world.blocks


def audience(world, item):
    """Who a thread or post is for, by itself: the audience its author chose, or the author
    alone while it is out of view, and never anyone a block keeps apart from the author."""
    if taken_out_of_view(item):
        chosen = Audience(frozenset({item.author}), visitors=False)
    else:
        chosen = chosen_audience(world, item)
    return chosen.without(m for m in chosen.members if kept_apart(world, m, item.author))


# --------------------------------------------------------------- threads and posts


def thread_readers(world, thread):
    """A thread is read by those who may read its community and are in the thread's own
    audience (decided from the thread's row: its opening post is kept the same by the
    write door, see write_door_disagreements), until its author deletes it."""
    facts = world.threads[thread]
    if facts.deleted:
        return NOBODY
    readers = community_readers(world, facts.community) & audience(world, facts)
    return only_as_visitors_for_the_banned(world, facts.community, readers)


def post_readers(world, post):
    """DESIGN.md (domain): "a reply is seen by those who see its thread *and* fall within
    the reply's own visibility" (a circle reply in a community thread is seen by the
    replier's circle members who can read the thread). A deleted post stays, for that same
    audience, as a placeholder without its text (see post_text_visible)."""
    facts = world.posts[post]
    community = world.threads[facts.thread].community
    readers = thread_readers(world, facts.thread) & audience(world, facts)
    return only_as_visitors_for_the_banned(world, community, readers)


def thread_visible(world, viewer, thread):
    return thread_readers(world, thread).includes(world, viewer)


def post_visible(world, viewer, post):
    return post_readers(world, post).includes(world, viewer)


def post_text_visible(world, viewer, post):
    """The text of a post is shown to its readers until it is deleted (soft delete leaves
    a placeholder, never the words)."""
    return post_visible(world, viewer, post) and not world.posts[post].deleted


def write_door_disagreements(world):
    """What the write door keeps true and the rules above rely on, as sentences for each
    place it does not hold: a thread has one opening post, whose visibility, hidden and
    pending states are the thread's own (post_change_visibility, post_hide and post_approve
    carry the thread with its opening post); a deleted thread's opening post is deleted
    (post_delete), while a thread that others replied to outlives its deleted opening post as
    a placeholder; an accepted answer is a reply in the same question."""
    wrong = []
    for thread, facts in world.threads.items():
        openings = [p for p, post in world.posts.items() if post.thread == thread and post.opening]
        if len(openings) != 1:
            wrong.append(f"thread {thread} has opening posts {openings}")
            continue
        opening = world.posts[openings[0]]
        for name in ("author", "visibility", "hidden", "pending"):
            if getattr(opening, name) != getattr(facts, name):
                wrong.append(f"thread {thread} and its opening post differ in {name}")
        if facts.deleted and not opening.deleted:
            wrong.append(f"thread {thread} is deleted but its opening post is not")
        answer = facts.accepted_answer
        if answer is not None and (
            facts.kind != "question"
            or world.posts[answer].thread != thread
            or world.posts[answer].opening
        ):
            wrong.append(f"thread {thread} accepted post {answer}, not a reply to its question")
    return wrong


# ------------------------------------------------- what a viewer's lists of threads say


def readable_posts(world, viewer, thread):
    """The posts of a thread whose text this viewer may read."""
    return {
        post
        for post, facts in world.posts.items()
        if facts.thread == thread and post_text_visible(world, viewer, post)
    }


def reply_count(world, viewer, thread):
    """A list's "N replies": the replies the viewer may read. The opening post is not a
    reply, and a deleted reply is not counted (its placeholder has no text to read)."""
    return sum(1 for post in readable_posts(world, viewer, thread) if not world.posts[post].opening)


def last_post(world, viewer, thread):
    """A list's "Last: …": the newest post the viewer may read, the opening post included
    (a thread without replies shows its own start), never a deleted one; on a tie of times,
    the later post (higher pk). None only where the viewer may read no post of the thread."""
    posts = readable_posts(world, viewer, thread)
    return max(posts, key=lambda post: (world.posts[post].created_at, post), default=None)


# ------------------------------------------------------------ who is shown as the author?

ANONYMOUS_MEMBER = "Anonymous member"


def opening_post(world, thread):
    return next(
        (pk for pk, post in world.posts.items() if post.thread == thread and post.opening), None
    )


def thread_anonymous(world, thread):
    """DESIGN.md: a thread is as anonymous as its opening post."""
    opening = opening_post(world, thread)
    return opening is not None and world.posts[opening].anonymous


def author_shown(world, viewer, post):
    """Who a viewer is shown as a post's author: its author's pk, unless it was posted
    anonymously. Then it is ANONYMOUS_MEMBER to every viewer, moderators included; its own
    author is shown it as theirs ("you, anonymously") and, like everyone, no name."""
    facts = world.posts[post]
    return ANONYMOUS_MEMBER if facts.anonymous else facts.author


def thread_author_shown(world, viewer, thread):
    """A thread's author as a list shows it ("by …"): its opening post's (author_shown)."""
    if thread_anonymous(world, thread):
        return ANONYMOUS_MEMBER
    return world.threads[thread].author


def solved(world, viewer, thread):
    """A question is "Solved" for a viewer when its accepted answer exists, is live (not
    deleted) and the viewer may read it: "solved" never points at an answer they cannot
    see."""
    answer = world.threads[thread].accepted_answer
    return answer is not None and post_text_visible(world, viewer, answer)


def unanswered(world, viewer, thread):
    """A question not solved for this viewer."""
    return world.threads[thread].kind == "question" and not solved(world, viewer, thread)


def bumps(world, post):
    """A reply moves its thread up the lists of latest activity when the thread's whole
    audience can read it: public, live (not deleted), shown (not hidden) and approved (not
    pending). The opening post is the thread's start, not a bump."""
    facts = world.posts[post]
    return (
        not facts.opening
        and facts.visibility == "public"
        and not facts.deleted
        and not taken_out_of_view(facts)
    )


def activity_at(world, viewer, thread):
    """When a thread last moved as this viewer sees it: the newest bumping reply they may
    read, or else the thread's start. A reply they cannot read (a block stands between
    them and its author) moves nothing for them: an order can tell of a post as surely as
    its text."""
    times = [
        facts.created_at
        for post, facts in world.posts.items()
        if facts.thread == thread and bumps(world, post) and post_visible(world, viewer, post)
    ]
    return max(times, default=world.threads[thread].created_at)


SORTS = ("latest", "newest", "top", "unanswered")


def thread_list(world, viewer, sort="latest", *, community=None, category=None, pinned_first):
    """A list of threads as a viewer sees it: the threads they may see (in the community or
    category, when given), pinned ones first where `pinned_first` (community and category
    pages; not the home page's recent activity), then, newest or highest first, with the
    newer thread (higher pk) first on any tie:
    `latest`, by latest activity as they see it (activity_at);
    `newest`, by the thread's start;
    `top`, by score (votes on the opening post), then latest activity;
    `unanswered`, only questions not solved for them, by the thread's start."""

    def wanted(thread):
        facts = world.threads[thread]
        return (
            thread_visible(world, viewer, thread)
            and community in (None, facts.community)
            and category in (None, facts.category)
            and (sort != "unanswered" or unanswered(world, viewer, thread))
        )

    def key(thread):
        facts = world.threads[thread]
        pinned = pinned_first and facts.pinned
        if sort == "latest":
            return (pinned, activity_at(world, viewer, thread), thread)
        if sort == "top":
            score = expected_score(world, thread)
            return (pinned, score, activity_at(world, viewer, thread), thread)
        return (pinned, facts.created_at, thread)

    return sorted(filter(wanted, world.threads), key=key, reverse=True)


def thread_count(world, viewer, community):
    """The home page's "N threads" of a community: the threads in it this viewer may see."""
    return sum(
        1
        for thread, facts in world.threads.items()
        if facts.community == community and thread_visible(world, viewer, thread)
    )


# ------------------------------------------------------------------- stored shortcuts


@dataclass(frozen=True)
class StoredShortcut:
    model: str  # "app_label.Model"
    column: str
    expected: object  # (world, pk) -> the value the column must hold


def newest_bumping_reply(world, thread):
    """The thread's newest reply that bumps it (see bumps), the later one on a tie; None
    while only its start counts."""
    replies = [
        post for post, facts in world.posts.items() if facts.thread == thread and bumps(world, post)
    ]
    return max(replies, key=lambda post: (world.posts[post].created_at, post), default=None)


def expected_bumped_at(world, thread):
    """Thread.bumped_at: when the thread last moved for its whole audience, the time of its
    newest bumping reply, or else its start. It serves the lists of every viewer no block
    separates from that reply's author (see activity_at)."""
    reply = newest_bumping_reply(world, thread)
    return world.threads[thread].created_at if reply is None else world.posts[reply].created_at


def expected_bumped_by(world, thread):
    """Thread.bumped_by: the author of the newest bumping reply; None while only its start
    counts."""
    reply = newest_bumping_reply(world, thread)
    return None if reply is None else world.posts[reply].author


def expected_votes(world, post):
    """Post.votes: the members' votes on the post, one each."""
    return sum(1 for _, voted in world.votes if voted == post)


def expected_score(world, thread):
    """Thread.score: the votes on its opening post."""
    openings = [p for p, facts in world.posts.items() if facts.thread == thread and facts.opening]
    return sum(expected_votes(world, post) for post in openings)


def expected_thread_anonymous(world, thread):
    """Thread.is_anonymous: whether its opening post was posted anonymously."""
    return thread_anonymous(world, thread)


def expected_public_thread_count(world, community):
    """Community.public_thread_count: the community's threads for everyone who may read it,
    those whose audience takes in visitors too (public, shown, approved) and not deleted.
    The home page's count for a viewer starts from it (see thread_count)."""
    return sum(
        1
        for facts in world.threads.values()
        if facts.community == community and audience(world, facts).visitors and not facts.deleted
    )


STORED_SHORTCUTS = (
    StoredShortcut("forums.Thread", "bumped_at", expected_bumped_at),
    StoredShortcut("forums.Thread", "bumped_by", expected_bumped_by),
    StoredShortcut("forums.Thread", "score", expected_score),
    StoredShortcut("forums.Thread", "is_anonymous", expected_thread_anonymous),
    StoredShortcut("forums.Post", "votes", expected_votes),
    StoredShortcut("forums.Community", "public_thread_count", expected_public_thread_count),
)
