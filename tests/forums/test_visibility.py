import uuid

import pytest

from accounts.models import CircleMembership
from forums.models import Community, Post
from tests.factories import enrol_totp, join, make_community, make_reply, make_thread


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def author(member_factory, community):
    author = member_factory("Author")
    join(author, community)
    return author


@pytest.fixture
def reader(member_factory, community):
    reader = member_factory("Reader")
    join(reader, community)
    return reader


def test_each_post_shows_its_audience_in_plain_words(client, author, reader, community):
    CircleMembership.objects.create(owner=author, member=reader)
    thread = make_thread(author, community)
    make_reply(author, thread, visibility="circle")
    client.force_login(reader)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert 'class="audience audience--public"' in html and ">Community</span>" in html
    # The circle is the author's: its members read whose it is, the author reads "My circle".
    assert 'class="audience audience--circle"' in html and ">Author’s circle</span>" in html
    client.force_login(author)
    assert ">My circle</span>" in client.get(thread.get_absolute_url()).content.decode()


def test_narrowing_a_post_takes_effect_at_once(client, author, reader, community):
    thread = make_thread(author, community)
    reply = make_reply(author, thread, body="Second thoughts")
    client.force_login(reader)
    assert "Second thoughts" in client.get(thread.get_absolute_url()).content.decode()
    client.force_login(author)
    response = client.post(f"/p/{reply.pk}/audience/", {"visibility": "private"})
    assert response.status_code == 302
    client.force_login(reader)
    assert "Second thoughts" not in client.get(thread.get_absolute_url()).content.decode()
    assert client.get(f"/p/{reply.pk}/").status_code == 404


def test_narrowing_the_opening_post_narrows_the_thread(client, author, reader, community):
    thread = make_thread(author, community, title="Was public")
    client.force_login(author)
    client.post(f"/p/{thread.posts.get().pk}/audience/", {"visibility": "circle"})
    client.force_login(reader)
    assert client.get(thread.get_absolute_url()).status_code == 404
    CircleMembership.objects.create(owner=author, member=reader)  # counts from the next load
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_only_the_author_changes_the_audience(client, author, reader, community):
    thread = make_thread(author, community)
    client.force_login(reader)
    response = client.post(f"/p/{thread.posts.get().pk}/audience/", {"visibility": "private"})
    assert response.status_code == 403
    assert Post.objects.get(pk=thread.posts.get().pk).visibility == "public"


def test_a_private_thread_is_a_journal(client, author, reader, community):
    journal = make_thread(author, community, title="Dear diary", visibility="private")
    client.force_login(reader)
    assert client.get(journal.get_absolute_url()).status_code == 404
    response = client.post(
        f"/t/{journal.pk}/reply/",
        {"body": "Let me in", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    client.force_login(author)
    page = client.get(journal.get_absolute_url()).content.decode()
    assert "Dear diary" in page and "Post reply" in page


def test_a_circle_reply_in_a_community_thread(client, author, reader, member_factory, community):
    """Seen by the replier's circle members who can read the thread, and no one else."""
    outsider = member_factory("Outsider")
    join(outsider, community)
    replier = member_factory("Replier")
    CircleMembership.objects.create(owner=replier, member=reader)
    thread = make_thread(author, community)
    make_reply(replier, thread, body="For my people", visibility="circle")
    for viewer, sees in [(reader, True), (outsider, False), (author, False), (replier, True)]:
        client.force_login(viewer)
        assert ("For my people" in client.get(thread.get_absolute_url()).content.decode()) is sees


def test_managers_create_communities_with_categories_in_the_admin(client, member_factory):
    manager = member_factory("Manager", is_staff=True, is_superuser=True)
    enrol_totp(manager)
    client.force_login(manager)
    response = client.post(
        "/admin/forums/community/add/",
        {
            "name": "Night Shift",
            "slug": "night-shift",
            "description": "Nurses on nights",
            "kind": "practice",
            "read_access": "members",
            "join_policy": "request",
            "email_domains": "",
            "premoderate_first_posts": "0",
            "categories-TOTAL_FORMS": "1",
            "categories-INITIAL_FORMS": "0",
            "categories-MIN_NUM_FORMS": "0",
            "categories-MAX_NUM_FORMS": "1000",
            "categories-0-name": "Lessons",
            "categories-0-slug": "lessons",
            "categories-0-description": "",
            "categories-0-position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    community = Community.objects.get(slug="night-shift")
    assert list(community.categories.values_list("slug", flat=True)) == ["lessons"]
