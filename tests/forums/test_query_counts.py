"""Every page reads in a fixed number of queries, whatever the number of threads, posts,
tags, votes, notifications or circle members on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import CircleMembership, Member
from forums.models import Community, Membership, Notification, Post, PostVote
from forums.services import post_vote
from tests.factories import join, make_community, make_reply, make_thread


@pytest.fixture
def community(db):
    return make_community("Runners", read_access="open")


@pytest.fixture
def viewer(member_factory, community):
    viewer = member_factory("Viewer")
    join(viewer, community)
    return viewer


def grow(community, viewer, authors, count):
    """Adds `count` threads, each with replies of every audience, tags, votes and mentions,
    and as many private communities listed to the viewer (who reads none of them), each with
    a thread, and the viewer's request to join every other one."""
    for number in range(count):
        listed = make_community(
            f"Listed {Community.objects.count()}",
            read_access="private",
            join_policy="request",
            listed=True,
        )
        make_thread(authors[number % len(authors)], listed, title=f"Listed thread {number}")
        if number % 2:
            Membership.objects.create(community=listed, member=viewer, state="requested")
        author = authors[number % len(authors)]
        thread = make_thread(
            author,
            community,
            title=f"Thread {number}",
            tags=[f"tag{number % 3}", "common"],
            kind=["question", "discussion", "idea"][number % 3],
            body=f"@Viewer look {number}",
        )
        for visibility in ["public", "circle", "private"]:
            make_reply(authors[(number + 1) % len(authors)], thread, visibility=visibility)
        post_vote(post=thread.posts.first(), member=viewer)
    return thread


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = {
    "home": (lambda t, v: "/", 12),
    "community": (lambda t, v: f"/c/{t.community.slug}/", 12),
    "category latest": (lambda t, v: f"/c/{t.community.slug}/general/?sort=latest", 12),
    "category top": (lambda t, v: f"/c/{t.community.slug}/general/?sort=top", 12),
    "category unanswered": (lambda t, v: f"/c/{t.community.slug}/general/?sort=unanswered", 12),
    "category tag": (lambda t, v: f"/c/{t.community.slug}/general/?tag=common", 13),
    "thread": (lambda t, v: t.get_absolute_url(), 14),
    "post history": (lambda t, v: f"/p/{t.posts.first().pk}/history/", 7),
    # Its snippets are cut from the text of the page's posts in one more query (forums.search).
    "search": (lambda t, v: "/search/?q=look", 8),
    "tag": (lambda t, v: "/tags/common/", 9),
    "profile": (lambda t, v: t.author.get_absolute_url(), 9),
    "notifications": (lambda t, v: "/notifications/", 6),
    "new thread": (lambda t, v: f"/c/{t.community.slug}/new/", 8),
    "feed": (lambda t, v: f"/c/{t.community.slug}/feed/", 5),
    "circle settings": (lambda t, v: "/settings/circle/", 6),
}


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_page_query_count_does_not_grow(
    client, community, viewer, member_factory, page, django_assert_max_num_queries
):
    url_for, budget = PAGES[page]
    authors = [member_factory(f"Author {n}") for n in range(3)]
    for author in authors:
        CircleMembership.objects.create(owner=author, member=viewer)
    client.force_login(viewer)

    thread = grow(community, viewer, authors, 2)
    small = count_queries(client, url_for(thread, viewer))
    thread = grow(community, viewer, authors, 6)
    large = count_queries(client, url_for(thread, viewer))

    assert large == small, f"{page}: {small} queries with little data, {large} with more"
    with django_assert_max_num_queries(budget):
        client.get(url_for(thread, viewer))
    assert Notification.objects.filter(recipient=viewer).exists()
    assert PostVote.objects.exists()


def test_thread_and_category_pages_with_circles_of_hundreds(
    client, community, viewer, member_factory, django_assert_max_num_queries
):
    """A viewer in hundreds of circles, an author with hundreds in theirs."""
    author = member_factory("Popular")
    join(author, community)
    crowd = Member.objects.bulk_create(
        Member(
            email=f"crowd{n}@example.org",
            display_name=f"Crowd {n}",
            display_name_key=f"crowd{n}",
            handle=f"crowd-{n}",
        )
        for n in range(300)
    )
    CircleMembership.objects.bulk_create(
        [CircleMembership(owner=person, member=viewer) for person in crowd]
        + [CircleMembership(owner=author, member=person) for person in crowd]
        + [CircleMembership(owner=author, member=viewer)]
    )
    thread = make_thread(author, community, visibility="circle")
    for _ in range(40):
        make_reply(author, thread, visibility="circle")
    client.force_login(viewer)
    with django_assert_max_num_queries(PAGES["thread"][1]):
        response = client.get(thread.get_absolute_url())
    assert len(response.context["posts"]) == 30
    with django_assert_max_num_queries(PAGES["category latest"][1]):
        response = client.get(f"/c/{community.slug}/general/")
    assert [t.reply_count for t in response.context["threads"]] == [40]
    assert Post.objects.visible_to(viewer).count() == 41


PREVIEWS = {
    "new thread": (lambda t: f"/c/{t.community.slug}/new/", 10),
    # The thread page as the member sees it: the accepted answer, their votes, following.
    "reply": (lambda t: f"/t/{t.pk}/reply/", 14),
    "edit": (lambda t: f"/p/{t.posts.first().pk}/edit/", 7),
}


@pytest.mark.parametrize("form", PREVIEWS, ids=list(PREVIEWS))
def test_a_preview_reads_in_fixed_queries(
    client, community, viewer, member_factory, form, django_assert_max_num_queries
):
    """The Preview button's page, mentions linked, in as many queries however much there is."""
    authors = [member_factory(f"Author {n}") for n in range(3)]
    for author in authors:
        CircleMembership.objects.create(owner=author, member=viewer)
    url_for, budget = PREVIEWS[form]
    data = {
        "category": community.categories.first().pk,
        "kind": "discussion",
        "title": "A title",
        "body": "**Hello** @Author 1 and @Author 2",
        "visibility": "public",
        "client_token": "4f0c8a52-8a0e-4a8e-9d43-3f1b8a1c2d3e",
        "preview": "1",
    }

    def count(thread):
        client.force_login(thread.author)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url_for(thread), data)
        assert response.status_code == 200
        assert "<strong>Hello</strong>" in response.content.decode()
        return len(captured)

    small = count(make_thread(viewer, community, body="Opening"))
    grow(community, viewer, authors, 6)
    thread = make_thread(viewer, community, body="Opening")
    for author in authors:
        make_reply(author, thread, body="@Viewer hello")
    large = count(thread)
    assert large == small, f"{form}: {small} queries with little data, {large} with more"
    with django_assert_max_num_queries(budget):
        client.post(url_for(thread), data)
    assert not Notification.objects.filter(post__body__startswith="**Hello**").exists()
