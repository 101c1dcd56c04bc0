"""The benchmark generator stores what the write door would: the same HTML, search vectors and
derived columns, every kind of community and post, and the same rows for the same seed."""

import io
import random

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Q

from accounts.models import Block, Member
from forums import permissions
from forums.markdown import render_markdown
from forums.models import Community, Membership, Post, PostVote, Thread
from forums.search import search_posts
from forums.services import _index, community_recount
from tests.factories import make_member

TINY = ["--members", "60", "--threads", "150", "--communities", "6", "--replies", "6"]


def generate(*options):
    out = io.StringIO()
    call_command("generate_data", *TINY, *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def content_hash():
    """One md5 over the rows that matter, in id order."""
    queries = {
        "posts": """SELECT md5(string_agg(concat_ws('|', id, thread_id, author_id, is_opening,
                        visibility, votes, created_at, deleted_at, hidden_at, hidden_reason,
                        is_pending, body, body_html, search_vector::text), E'\\n' ORDER BY id))
                    FROM forums_post""",
        "threads": """SELECT md5(string_agg(concat_ws('|', id, community_id, category_id,
                        author_id, kind, title, slug, visibility, is_pinned, is_locked,
                        idea_status, accepted_answer_id, score, created_at, bumped_at,
                        deleted_at, hidden_at, is_pending), E'\\n' ORDER BY id))
                      FROM forums_thread""",
        "members": """SELECT md5(string_agg(concat_ws('|', id, email, display_name,
                        display_name_key, handle, password, avatar_seed, date_joined),
                        E'\\n' ORDER BY id)) FROM accounts_member""",
        "votes": "SELECT md5(string_agg(concat_ws('|', id, post_id, member_id, created_at), "
        "',' ORDER BY id)) FROM forums_postvote",
        "circles": "SELECT md5(string_agg(concat_ws('|', id, owner_id, member_id), ',' "
        "ORDER BY id)) FROM accounts_circlemembership",
    }
    with connection.cursor() as cursor:
        hashes = {}
        for name, query in queries.items():
            cursor.execute(query)
            hashes[name] = cursor.fetchone()[0]
    return hashes


def schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "ORDER BY indexname"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace ORDER BY conname"
        )
        return indexes, cursor.fetchall()


@pytest.fixture
def generated(db):
    generate()


@pytest.mark.django_db
def test_indexes_and_constraints_come_back_as_the_migrations_made_them():
    before = schema()
    generate()
    assert schema() == before


def test_bodies_are_their_markdown_rendered(generated):
    posts = list(Post.objects.order_by("pk"))
    sample = random.Random(1).sample(posts, 150)
    # The joins between pre-rendered paragraphs are part of the sample.
    assert sum("\n\n" in post.body for post in sample) > 30
    assert Post.objects.filter(body__contains="\n\n- ").exists()
    for post in sample:
        assert post.body_html == render_markdown(post.body).html, post.pk


def test_search_vectors_are_what_the_services_store(generated):
    posts = list(Post.objects.select_related("thread").order_by("pk"))
    sample = random.Random(2).sample(posts, 40) + [post for post in posts if post.is_opening][:10]
    for post in sample:
        stored = str(post.search_vector)
        _index(post, title=post.thread.title if post.is_opening else "")
        post.refresh_from_db(fields=["search_vector"])
        assert str(post.search_vector) == stored, post.pk
    viewer = Member.objects.get(email="viewer@bench.example")
    assert search_posts(viewer, q="handover routine")[0]


def test_the_list_indexes_serve_at_once(generated):
    """No thread row is updated between the load and the index builds: PostgreSQL would
    otherwise hold the new indexes back (indcheckxmin) while any older transaction runs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_index "
            "WHERE indcheckxmin AND indrelid = 'forums_thread'::regclass"
        )
        assert cursor.fetchone() == (0,)


def test_community_counts_are_what_the_services_keep(generated):
    generated = dict(Community.objects.values_list("pk", "public_thread_count"))
    assert sum(generated.values()) > 0
    for community in generated:
        community_recount(community)
    assert dict(Community.objects.values_list("pk", "public_thread_count")) == generated


def test_votes_score_and_activity_are_derived_from_the_posts(generated):
    counted = dict(PostVote.objects.values_list("post").annotate(Count("pk")))
    assert counted
    assert all(votes == counted.get(pk, 0) for pk, votes in Post.objects.values_list("pk", "votes"))
    for thread in Thread.objects.all():
        openings = list(thread.posts.filter(is_opening=True))
        assert len(openings) == 1
        opening = openings[0]
        assert thread.score == opening.votes
        assert thread.visibility == opening.visibility
        newest = thread.posts.bumping().order_by("-created_at", "-pk").first()
        assert thread.bumped_at == (newest.created_at if newest else thread.created_at)
        assert thread.bumped_by_id == (newest.author_id if newest else None)
        assert not thread.posts.filter(is_opening=False, created_at__lte=opening.created_at)


def test_accepted_answers_follow_the_accept_rule(generated):
    accepted = Thread.objects.filter(accepted_answer__isnull=False).select_related(
        "accepted_answer"
    )
    assert accepted.exists()
    for thread in accepted:
        membership = Membership.objects.filter(
            community=thread.community_id, member=thread.author_id
        ).first()
        permissions.check_can_accept_post(thread.author, thread, thread.accepted_answer, membership)
        assert not thread.accepted_answer.is_pending


def test_the_forum_has_every_kind_of_community_thread_and_post(generated):
    communities = Community.objects.all()
    assert set(communities.values_list("kind", flat=True)) == set(Community.Kind.values)
    assert set(communities.values_list("read_access", flat=True)) == set(
        Community.ReadAccess.values
    )
    assert communities.filter(listed=True).exists()
    for community in communities:
        community.full_clean()  # the admin's rules, listing included
        categories = list(community.categories.order_by("position"))
        assert categories[0].slug == "general"
        assert 3 <= len(categories) <= 5
    assert set(Thread.objects.values_list("kind", flat=True)) == set(Thread.Kind.values)
    assert not Thread.objects.filter(kind="idea", idea_status="").exists()
    assert set(Post.objects.values_list("visibility", flat=True)) == {"public", "circle", "private"}
    assert Post.objects.filter(hidden_at__isnull=False).exclude(hidden_reason="").exists()
    assert Post.objects.filter(deleted_at__isnull=False).exists()
    assert Post.objects.filter(is_pending=True).exists()
    assert Membership.objects.filter(state="banned").exists()
    assert Thread.objects.filter(tags__isnull=False).exists()
    # A thread page of 30 posts that everyone in the community reads, in every community.
    readable = Q(
        posts__visibility="public",
        posts__deleted_at__isnull=True,
        posts__hidden_at__isnull=True,
        posts__is_pending=False,
    )
    for community in communities:
        assert (
            Thread.objects.filter(community=community, visibility="public")
            .annotate(readable=Count("posts", filter=readable))
            .filter(readable__gte=30)
            .exists()
        )


def test_the_bench_viewers_sign_in(generated, client):
    viewer = Member.objects.get(email="viewer@bench.example")
    blocker = Member.objects.get(email="blocker@bench.example")
    for member in (viewer, blocker):
        assert EmailAddress.objects.filter(user=member, verified=True, primary=True).exists()
        assert client.login(email=member.email, password="bench-password")
        client.logout()
        for visibility in ("public", "circle", "private"):
            assert Post.objects.filter(author=member, visibility=visibility).exists()
    assert viewer.display_name == "Bench Viewer"
    assert Membership.objects.filter(member=viewer, state="active").count() == 6
    assert not Block.objects.filter(blocker=viewer).exists()
    assert not Block.objects.filter(blocked=viewer).exists()
    assert Block.objects.filter(blocker=blocker).count() == 5
    assert Block.objects.filter(blocked=blocker).count() == 2
    assert viewer.notifications.exists()
    assert not Member.objects.exclude(pk__in=[viewer.pk, blocker.pk]).filter(
        password__startswith="pbkdf2"
    )


def test_same_seed_same_rows(generated):
    first = content_hash()
    generate("--flush")
    assert content_hash() == first
    generate("--flush", "--seed", "2")
    assert content_hash()["posts"] != first["posts"]


def test_refuses_a_database_with_content_and_leaves_new_rows_their_own_ids(generated):
    with pytest.raises(CommandError, match="--flush"):
        generate()
    # The sequences start after the generated rows.
    assert (
        make_member("After the bench").pk
        > Member.objects.exclude(display_name="After the bench").aggregate(Max("pk"))["pk__max"]
    )
