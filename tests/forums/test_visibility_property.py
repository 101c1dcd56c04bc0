"""The read door (forums/querysets.py) against the reference model (tests/forums/reference.py)
on random worlds: for every viewer, on open and members-only sites, the communities, threads
and posts the querysets return are exactly those the reference model allows."""

from dataclasses import dataclass
from string import ascii_uppercase

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Block, CircleMembership, Member
from forums import services
from forums.models import Community, Membership, Post, Thread
from tests.factories import join, make_community
from tests.forums import reference

READ_ACCESS = ["open", "members", "private"]
STATES = ["active", "requested", "invited", "banned"]
VISIBILITIES = ["public", "circle", "private"]

# True about one time in four, shrinking to False.
sometimes = st.integers(0, 3).map(lambda n: n == 3)


@dataclass(frozen=True)
class ThreadPlan:
    community: int
    author: int
    visibility: str
    hidden: bool
    opening_hidden: bool
    pending: bool
    deleted: bool


@dataclass(frozen=True)
class ReplyPlan:
    thread: int
    author: int
    visibility: str
    hidden: bool
    pending: bool
    deleted: bool


@dataclass(frozen=True)
class WorldPlan:
    """A world as indexes into its own lists, before any row exists."""

    member_count: int
    read_access: list[str]
    memberships: dict[tuple[int, int], str]  # (member, community) -> state, after posting
    circles: set[tuple[int, int]]  # (owner, member)
    blocks: set[tuple[int, int]]  # (blocker, blocked)
    threads: list[ThreadPlan]
    replies: list[ReplyPlan]


@st.composite
def world_plans(draw):
    member_count = draw(st.integers(3, 6))
    members = st.integers(0, member_count - 1)
    pairs = st.tuples(members, members).filter(lambda pair: pair[0] != pair[1])
    read_access = draw(st.lists(st.sampled_from(READ_ACCESS), min_size=2, max_size=4))
    communities = st.integers(0, len(read_access) - 1)
    threads = draw(
        st.lists(
            st.builds(
                ThreadPlan,
                community=communities,
                author=members,
                visibility=st.sampled_from(VISIBILITIES),
                hidden=sometimes,
                opening_hidden=sometimes,
                pending=sometimes,
                deleted=sometimes,
            ),
            min_size=1,
            max_size=6,
        )
    )
    replies = draw(
        st.lists(
            st.builds(
                ReplyPlan,
                thread=st.integers(0, len(threads) - 1),
                author=members,
                visibility=st.sampled_from(VISIBILITIES),
                hidden=sometimes,
                pending=sometimes,
                deleted=sometimes,
            ),
            max_size=10,
        )
    )
    return WorldPlan(
        member_count=member_count,
        read_access=read_access,
        memberships=draw(st.dictionaries(st.tuples(members, communities), st.sampled_from(STATES))),
        circles=draw(st.sets(pairs, max_size=10)),
        blocks=draw(st.sets(pairs, max_size=4)),
        threads=threads,
        replies=replies,
    )


def build(plan):
    """Makes the planned rows through the services, as members would: authors post while
    active members, and only then do memberships take their planned (maybe lesser) state.
    Circles and blocks are stored as planned, even both between the same two members, which
    the services would not allow: the read door must not rely on that."""
    members = [
        Member.objects.create_user(
            email=f"member-{letter.lower()}@example.org", display_name=f"Member {letter}"
        )
        for letter in ascii_uppercase[: plan.member_count]
    ]
    communities = [
        make_community(f"Community {number}", read_access=access)
        for number, access in enumerate(plan.read_access)
    ]
    threads = []
    for thread_plan in plan.threads:
        author, community = members[thread_plan.author], communities[thread_plan.community]
        join(author, community)
        threads.append(
            services.thread_create(
                author=author,
                category=community.categories.get(),
                kind="discussion",
                title="A thread",
                body="Opening words.",
                visibility=thread_plan.visibility,
            )
        )
    replies = []
    for reply_plan in plan.replies:
        author, thread = members[reply_plan.author], threads[reply_plan.thread]
        join(author, thread.community)
        replies.append(
            services.post_create(
                author=author, thread=thread, body="A reply.", visibility=reply_plan.visibility
            )
        )

    now = timezone.now()
    for reply_plan, reply in zip(plan.replies, replies, strict=True):
        if reply_plan.hidden:
            Post.objects.filter(pk=reply.pk).update(hidden_at=now)
        if reply_plan.pending:
            Post.objects.filter(pk=reply.pk).update(is_pending=True)
        if reply_plan.deleted:
            services.post_delete(post=reply, by=reply.author)
    for thread_plan, thread in zip(plan.threads, threads, strict=True):
        opening = thread.posts.get(is_opening=True)
        if thread_plan.hidden:
            Thread.objects.filter(pk=thread.pk).update(hidden_at=now)
        if thread_plan.opening_hidden:
            Post.objects.filter(pk=opening.pk).update(hidden_at=now)
        if thread_plan.pending:  # as pre-moderation holds a new thread: with its opening post
            Thread.objects.filter(pk=thread.pk).update(is_pending=True)
            Post.objects.filter(pk=opening.pk).update(is_pending=True)
        if thread_plan.deleted:
            services.post_delete(post=opening, by=thread.author)

    Membership.objects.all().delete()
    for (member, community), state in plan.memberships.items():
        Membership.objects.create(
            member=members[member], community=communities[community], state=state
        )
    for owner, member in plan.circles:
        CircleMembership.objects.create(owner=members[owner], member=members[member])
    for blocker, blocked in plan.blocks:
        Block.objects.create(blocker=members[blocker], blocked=members[blocked])
    return members


def viewers(members):
    """Every member, and an anonymous visitor both as views see one and as None."""
    yield from ((member, member.pk) for member in members)
    yield AnonymousUser(), None
    yield None, None


def pks(queryset):
    return set(queryset.values_list("pk", flat=True))


def assert_door_matches_reference(world, viewer, viewer_pk):
    label = f"viewer {viewer_pk} (members-only: {world.members_only})"
    assert pks(Community.objects.readable_by(viewer)) == {
        community
        for community in world.read_access
        if reference.community_readable(world, viewer_pk, community)
    }, f"readable communities for {label}"
    visible_threads = {
        thread for thread in world.threads if reference.thread_visible(world, viewer_pk, thread)
    }
    assert pks(Thread.objects.visible_to(viewer)) == visible_threads, f"threads for {label}"
    visible_posts = {post for post in world.posts if reference.post_visible(world, viewer_pk, post)}
    assert pks(Post.objects.visible_to(viewer)) == visible_posts, f"posts for {label}"
    readable_posts = {
        post for post in world.posts if reference.post_text_visible(world, viewer_pk, post)
    }
    assert pks(Post.objects.visible_to(viewer).live()) == readable_posts, f"live posts, {label}"
    assert_counts_match_reference(world, viewer, visible_threads, readable_posts, label)


def assert_counts_match_reference(world, viewer, visible_threads, readable_posts, label):
    """Counts and "last post" previews count only what the viewer may read."""
    thread_counts = dict(
        Community.objects.readable_by(viewer)
        .with_thread_counts(viewer)
        .values_list("pk", "thread_count")
    )
    for community, count in thread_counts.items():
        expected = sum(1 for t in visible_threads if world.threads[t].community == community)
        assert count == expected, f"thread count of community {community} for {label}"
    for thread, reply_count, last_post in (
        Thread.objects.visible_to(viewer)
        .with_activity(viewer)
        .values_list("pk", "reply_count", "last_post_id")
    ):
        readable_here = {p for p in readable_posts if world.posts[p].thread == thread}
        opening = Post.objects.get(thread=thread, is_opening=True).pk
        assert reply_count == len(readable_here - {opening}), f"replies in {thread} for {label}"
        assert last_post is None or last_post in readable_here, f"last post, {thread}, {label}"


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=world_plans())
def test_the_read_door_answers_like_the_reference_model(db, plan):
    """For every viewer and both site modes, `Community.objects.readable_by`,
    `Thread.objects.visible_to`, `Post.objects.visible_to` (and `.live()`) return exactly
    what the reference model allows, and the counts built on them agree."""
    with transaction.atomic():
        members = build(plan)
        for members_only in (False, True):
            with override_settings(HEARTH_MEMBERS_ONLY=members_only):
                world = reference.World.from_database(members_only=members_only)
                for viewer, viewer_pk in viewers(members):
                    assert_door_matches_reference(world, viewer, viewer_pk)
        transaction.set_rollback(True)
