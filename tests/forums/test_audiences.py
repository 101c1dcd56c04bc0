"""Reply audiences told truthfully: what the reply form offers in each kind of thread, what
it starts with, what each badge says, and the write door refusing an audience not offered."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from accounts.models import CircleMembership
from forums import audiences, services
from forums.models import Post
from tests.factories import join, make_community, make_reply, make_thread


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def lantern(member_factory, community):
    """A thread author, whose circle holds Friend."""
    lantern = member_factory("Lantern Moth")
    join(lantern, community)
    return lantern


@pytest.fixture
def friend(member_factory, community, lantern):
    friend = member_factory("Friend")
    join(friend, community)
    CircleMembership.objects.create(owner=lantern, member=friend)
    return friend


@pytest.fixture
def circle_thread(lantern, friend, community):
    return make_thread(lantern, community, title="Between us", visibility="circle")


def radios(response):
    """The reply form's audience choices as the page offers them: (value, label) pairs,
    and the value checked."""
    field = response.context["reply_form"]["visibility"]
    return [(choice.data["value"], choice.choice_label) for choice in field], field.value()


def test_a_reply_in_a_circle_thread_starts_with_the_threads_audience_and_says_so(
    client, friend, circle_thread
):
    client.force_login(friend)
    response = client.get(circle_thread.get_absolute_url())
    choices, checked = radios(response)
    assert choices == [
        (
            "public",
            "Lantern Moth’s circle — Whoever can see this thread, now Lantern Moth and the "
            "members of their circle",
        ),
        ("circle", "My circle — You and the members of your circle who can see this thread"),
        ("private", "Only me — You alone, like a journal"),
    ]
    assert checked == "public"
    html = response.content.decode()
    assert "Community — Everyone who can read this community" not in html


def test_the_thread_author_is_offered_their_circle_once_and_only_me(client, lantern, circle_thread):
    client.force_login(lantern)
    choices, checked = radios(client.get(circle_thread.get_absolute_url()))
    # Stored as the circle it is: widening the thread later leaves these replies as they were.
    assert choices == [
        ("circle", "My circle — You and the members of your circle"),
        ("private", "Only me — You alone, like a journal"),
    ]
    assert checked == "circle"


def test_in_an_only_me_thread_the_one_choice_is_its_author_alone(client, lantern, community):
    journal = make_thread(lantern, community, title="Journal", visibility="private")
    client.force_login(lantern)
    choices, checked = radios(client.get(journal.get_absolute_url()))
    assert choices == [("private", "Only me — You alone, like a journal")]
    assert checked == "private"


def test_a_community_thread_offers_the_three_audiences(client, friend, lantern, community):
    thread = make_thread(lantern, community, title="Open")
    client.force_login(friend)
    choices, _ = radios(client.get(thread.get_absolute_url()))
    assert choices == [
        ("public", "Community — Everyone who can read this community"),
        ("circle", "My circle — You and the members of your circle"),
        ("private", "Only me — You alone, like a journal"),
    ]


def test_a_members_narrower_default_is_kept_never_widened(client, friend, circle_thread):
    friend.default_visibility = "private"
    friend.save(update_fields=["default_visibility"])
    client.force_login(friend)
    _, checked = radios(client.get(circle_thread.get_absolute_url()))
    assert checked == "private"


def test_a_reply_is_badged_with_who_really_sees_it(client, lantern, friend, circle_thread):
    make_reply(friend, circle_thread, body="For the thread", visibility="public")
    make_reply(friend, circle_thread, body="For my circle", visibility="circle")
    client.force_login(friend)
    html = client.get(circle_thread.get_absolute_url()).content.decode()
    assert (
        '<span class="audience audience--circle" title="Whoever can see this thread, now '
        'Lantern Moth and the members of their circle">Lantern Moth’s circle</span>' in html
    )
    assert (
        '<span class="audience audience--circle" title="You and the members of your circle '
        'who can see this thread">My circle</span>' in html
    )
    assert ">Community</span>" not in html
    client.force_login(lantern)
    html = client.get(circle_thread.get_absolute_url()).content.decode()
    assert (
        'title="Whoever can see this thread, now you and the members of your circle">'
        "My circle</span>" in html
    )


@pytest.mark.parametrize(
    ("replier", "visibility"),
    [("lantern", "public"), ("friend", "nobody")],
)
def test_the_write_door_refuses_an_audience_not_offered(
    request, circle_thread, replier, visibility
):
    with pytest.raises(ValidationError) as refused:
        services.post_create(
            author=request.getfixturevalue(replier),
            thread=circle_thread,
            body="Hello",
            visibility=visibility,
        )
    assert "visibility" in refused.value.error_dict
    assert not Post.objects.filter(body="Hello").exists()


def test_only_the_author_can_reply_in_an_only_me_thread(lantern, friend, community):
    journal = make_thread(lantern, community, visibility="private")
    with pytest.raises(ValidationError, match="Only its author can reply"):
        services.post_create(author=friend, thread=journal, body="Hi", visibility="public")


def test_a_refused_audience_is_answered_next_to_the_field_with_the_words_kept(
    client, lantern, circle_thread
):
    client.force_login(lantern)
    response = client.post(
        f"/t/{circle_thread.pk}/reply/",
        {"body": "Kept words", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    field = response.context["reply_form"]["visibility"]
    assert field.errors == [
        "In this thread a reply can be for “My circle” or “Only me”: choose one of those."
    ]
    assert "Kept words" in response.content.decode()
    assert not Post.objects.filter(body="Kept words").exists()


def test_the_audience_form_of_a_reply_offers_the_threads_choices(client, friend, circle_thread):
    reply = make_reply(friend, circle_thread, visibility="circle")
    client.force_login(friend)
    response = client.get(f"/p/{reply.pk}/edit/")
    field = response.context["visibility_form"]["visibility"]
    assert [choice.data["value"] for choice in field] == ["public", "circle", "private"]
    assert field.value() == "circle"
    assert "Lantern Moth’s circle — Whoever can see this thread" in response.content.decode()


def test_changing_a_replys_audience_to_one_not_offered_is_refused_on_the_field(
    client, lantern, circle_thread
):
    reply = make_reply(lantern, circle_thread, body="Mine", visibility="circle")
    client.force_login(lantern)
    response = client.post(f"/p/{reply.pk}/audience/", {"visibility": "public"})
    assert response.status_code == 400
    assert response.context["visibility_form"]["visibility"].errors
    reply.refresh_from_db()
    assert reply.visibility == "circle"
    assert client.post(f"/p/{reply.pk}/audience/", {"visibility": "private"}).status_code == 302
    reply.refresh_from_db()
    assert reply.visibility == "private"


def test_a_reply_stored_for_the_same_people_shows_as_its_choice(lantern, circle_thread):
    """A "Community" reply in its author's own circle thread (stored before these choices)
    reaches that circle: the audience form shows "My circle" as its choice."""
    reply = Post.objects.create(
        thread=circle_thread,
        author=lantern,
        body="Old",
        body_html="<p>Old</p>",
        visibility="public",
    )
    offered = audiences.post_audiences(reply, thread=circle_thread)
    current = audiences.audience_of(reply, thread=circle_thread, viewer=lantern)
    assert audiences.matching_choice(offered, current) == "circle"


def test_widening_a_thread_leaves_its_authors_narrow_replies_narrow(
    lantern, friend, circle_thread, member_factory, community
):
    outsider = member_factory("Outsider")
    join(outsider, community)
    reply = make_reply(lantern, circle_thread, body="Just for my circle.", visibility="circle")
    opening = circle_thread.posts.get(is_opening=True)

    services.post_change_visibility(post=opening, by=lantern, visibility="public")

    assert Post.objects.visible_to(outsider).filter(pk=opening.pk).exists()
    assert not Post.objects.visible_to(outsider).filter(pk=reply.pk).exists()
    assert Post.objects.visible_to(friend).filter(pk=reply.pk).exists()


def test_changing_a_threads_audience_says_which_replies_follow_it(client, lantern, circle_thread):
    client.force_login(lantern)
    opening = circle_thread.posts.get(is_opening=True)
    html = client.get(f"/p/{opening.pk}/edit/").content.decode()
    assert "Replies written for whoever can see this thread go with it" in html
    choices = client.get(f"/p/{opening.pk}/edit/").context["visibility_form"]["visibility"]
    assert [choice.data["value"] for choice in choices] == ["public", "circle", "private"]
