"""The write door asks once before a post shows what looks like personal information to
others: in plain words, naming who will see it; sent again, it is posted as it is."""

import html
import re
import uuid

import pytest

from accounts.models import CircleMembership
from forums import services
from forums.models import Post, PostRevision, Thread
from forums.personal_data import PersonalDataFound
from tests.factories import join, make_community, make_reply, make_thread

PHONE = "Text me on 07700 900123 if you want to talk."


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def author(member_factory, community):
    author = member_factory("Lantern Moth")
    join(author, community)
    return author


def _thread_data(community, **overrides):
    return {
        "category": community.categories.first().pk,
        "kind": "discussion",
        "title": "Struggling tonight",
        "body": PHONE,
        "visibility": "public",
        "tags": "",
        "client_token": str(uuid.uuid4()),
        **overrides,
    }


def _page(response):
    return html.unescape(response.content.decode())


def _answer(response):
    """The answer the asking form carries back: sent again, it posts."""
    return re.search(r'name="personal_data_ok" value="(\w+)"', response.content.decode())[1]


def test_a_thread_with_a_phone_number_is_asked_about_once_then_posted(client, author, community):
    client.force_login(author)
    data = _thread_data(community)

    asked = client.post(f"/c/{community.slug}/new/", data)

    assert asked.status_code == 200
    page = _page(asked)
    assert "This looks like personal information (a phone number)" in page
    assert "(Community: everyone who can read Runners)" in page  # a members' community
    assert "Post anyway, or edit?" in page
    assert "There is a problem" not in page  # a question, not an error
    assert PHONE in page and "Struggling tonight" in page  # what was typed is kept
    assert Thread.objects.count() == 0 and Post.objects.count() == 0
    answer = _answer(asked)

    confirmed = client.post(f"/c/{community.slug}/new/", {**data, "personal_data_ok": answer})
    again = client.post(f"/c/{community.slug}/new/", {**data, "personal_data_ok": answer})

    assert confirmed.status_code == 302 and again["Location"] == confirmed["Location"]
    assert Thread.objects.get().posts.get().body == PHONE


def test_the_question_names_a_circle_and_the_title_is_checked_too(client, author, community):
    client.force_login(author)

    asked = client.post(
        f"/c/{community.slug}/new/",
        _thread_data(
            community, title="Write to sam at gmail dot com", body="Please.", visibility="circle"
        ),
    )

    page = _page(asked)
    assert "(an e-mail address)" in page
    assert "(My circle: you and the members of your circle)" in page
    assert Thread.objects.count() == 0


def test_only_me_posts_are_never_asked_about(client, author, community):
    client.force_login(author)

    response = client.post(
        f"/c/{community.slug}/new/", _thread_data(community, visibility="private")
    )

    assert response.status_code == 302
    assert Thread.objects.get().visibility == "private"


def test_a_reply_is_asked_about_with_the_audience_it_really_reaches(
    client, member_factory, author, community
):
    owner = member_factory("Quiet Heron")
    join(owner, community)
    CircleMembership.objects.create(owner=owner, member=author)
    thread = make_thread(owner, community, title="Circle talk", visibility="circle")
    client.force_login(author)
    data = {
        "body": "My postcode is SW1A 1AA.",
        "visibility": "public",
        "client_token": str(uuid.uuid4()),
    }

    asked = client.post(f"/t/{thread.pk}/reply/", data)

    page = _page(asked)
    assert asked.status_code == 200
    assert "Check before posting" in page
    assert "(a postcode)" in page
    assert "Quiet Heron’s circle" in page
    assert "My postcode is SW1A 1AA." in page
    assert thread.posts.count() == 1

    posted = client.post(f"/t/{thread.pk}/reply/", {**data, "personal_data_ok": _answer(asked)})

    assert posted.status_code == 302
    assert thread.posts.count() == 2


def test_an_edit_asks_only_about_what_is_new(client, author, community):
    thread = make_thread(author, community, body="Ordinary words.")
    opening = thread.posts.get()
    services.post_edit(post=opening, by=author, body=PHONE, personal_data_ok=True)
    client.force_login(author)
    opening.refresh_from_db()

    typo_fixed = client.post(
        f"/p/{opening.pk}/edit/",
        {"title": thread.title, "body": PHONE + " Any time.", "version": opening.version},
    )
    opening.refresh_from_db()
    asked = client.post(
        f"/p/{opening.pk}/edit/",
        {
            "title": thread.title,
            "body": opening.body + " Or jo@example.org",
            "version": opening.version,
        },
    )

    assert typo_fixed.status_code == 302
    assert "(an e-mail address)" in _page(asked)
    opening.refresh_from_db()
    assert "jo@example.org" not in opening.body
    assert PostRevision.objects.filter(post=opening).count() == 2


def test_every_road_meets_the_check_in_the_write_door(author, community):
    thread = make_thread(author, community)

    with pytest.raises(PersonalDataFound):
        services.thread_create(
            author=author,
            category=community.categories.first(),
            kind="discussion",
            title="Call me",
            body=PHONE,
            visibility="public",
        )
    with pytest.raises(PersonalDataFound):
        services.post_create(author=author, thread=thread, body=PHONE, visibility="public")
    with pytest.raises(PersonalDataFound):
        services.post_edit(post=thread.posts.get(), by=author, body=PHONE)

    assert Thread.objects.count() == 1 and Post.objects.count() == 1
    make_reply(author, thread, body="Nothing personal here: I ran 10 km in 55 minutes.")
    assert Post.objects.count() == 2


def test_an_answer_stands_for_what_was_asked_only(client, author, community):
    """Asked about a phone number for the circle, the answer does not cover the same words
    for the whole community, nor an address added after the question."""
    client.force_login(author)
    data = _thread_data(community, visibility="circle")
    answer = _answer(client.post(f"/c/{community.slug}/new/", data))

    wider = client.post(
        f"/c/{community.slug}/new/", {**data, "visibility": "public", "personal_data_ok": answer}
    )
    more = client.post(
        f"/c/{community.slug}/new/",
        {**data, "body": PHONE + " Or jo@example.org", "personal_data_ok": answer},
    )
    forged = client.post(f"/c/{community.slug}/new/", {**data, "personal_data_ok": "1"})

    for response in (wider, more, forged):
        assert "Check before posting" in _page(response)
    assert "(Community: everyone who can read Runners)" in _page(wider)
    assert "(an e-mail address and a phone number)" in _page(more)
    assert Thread.objects.count() == 0


def test_an_edit_asks_about_a_second_number_beside_the_first(author, community):
    thread = make_thread(author, community, body="Ordinary words.")
    opening = thread.posts.get()
    clinic = "Call the clinic on 020 7946 0958."
    services.post_edit(post=opening, by=author, body=clinic, personal_data_ok=True)

    with pytest.raises(PersonalDataFound):
        services.post_edit(post=opening, by=author, body=clinic + " My own mobile is 07700 900123.")


def test_an_open_community_is_named_for_who_it_really_reaches(client, member_factory, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    community = make_community("Open Door", read_access="open")
    author = member_factory("Lantern Moth")
    join(author, community)
    client.force_login(author)

    page = _page(client.post(f"/c/{community.slug}/new/", _thread_data(community)))

    assert "(Community: anyone on the internet, signed in or not)" in page


def test_the_title_and_body_are_read_apart(author, community):
    """ "Week 10" closing a title and "Downing Street" opening the body make no address."""
    services.thread_create(
        author=author,
        category=community.categories.first(),
        kind="discussion",
        title="Week 10",
        body="Downing Street was on the news again.",
        visibility="public",
    )
    assert Thread.objects.count() == 1


def test_widening_a_post_asks_as_posting_would(client, author, community):
    thread = make_thread(author, community, title="Notes to self", body=PHONE, visibility="private")
    opening = thread.posts.get()
    client.force_login(author)

    asked = client.post(f"/p/{opening.pk}/audience/", {"visibility": "public"})
    thread.refresh_from_db()

    assert "Check before posting" in _page(asked)
    assert "(Community: everyone who can read Runners)" in _page(asked)
    assert thread.visibility == "private"

    narrowed_first = client.post(f"/p/{opening.pk}/audience/", {"visibility": "private"})
    widened = client.post(
        f"/p/{opening.pk}/audience/", {"visibility": "public", "personal_data_ok": _answer(asked)}
    )
    thread.refresh_from_db()

    assert narrowed_first.status_code == 302
    assert widened.status_code == 302
    assert thread.visibility == "public"
