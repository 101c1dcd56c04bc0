import re

from accounts.models import Block, CircleMembership
from tests.factories import join, make_community, make_thread


def test_member_adds_and_removes_by_display_name(member_client, member, member_factory):
    friend = member_factory("Noor H.")
    response = member_client.post(
        "/settings/circle/", {"action": "add", "add-name": "noor h."}, follow=True
    )
    assert "Noor H. is in your circle now." in response.content.decode()
    assert CircleMembership.objects.filter(owner=member, member=friend).exists()
    member_client.post("/settings/circle/", {"action": "remove", "handle": friend.handle})
    assert not CircleMembership.objects.exists()


def test_unknown_names_are_answered_next_to_the_field(member_client):
    response = member_client.post("/settings/circle/", {"action": "add", "add-name": "Nobody"})
    html = response.content.decode()
    assert "No member goes by that name" in html
    assert 'value="Nobody"' in html


def test_blocking_removes_from_both_circles_and_hides_posts(
    client, member, member_factory, settings
):
    other = member_factory("Noor H.")
    CircleMembership.objects.create(owner=member, member=other)
    CircleMembership.objects.create(owner=other, member=member)
    community = make_community()
    join(member, community)
    thread = make_thread(other, community, title="Noor's thread")
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 200

    client.post("/settings/circle/", {"action": "block", "block-name": "Noor H."})
    assert Block.objects.filter(blocker=member, blocked=other).exists()
    assert not CircleMembership.objects.exists()
    assert client.get(thread.get_absolute_url()).status_code == 404
    # ... both ways.
    client.force_login(other)
    mine = make_thread(member, community, title="Member's thread")
    assert client.get(mine.get_absolute_url()).status_code == 404


def test_a_member_you_blocked_cannot_be_added(member_client, member, member_factory):
    other = member_factory("Noor H.")
    Block.objects.create(blocker=member, blocked=other)
    response = member_client.post(
        "/settings/circle/", {"action": "add", "handle": other.handle}, follow=True
    )
    assert "You blocked this member" in response.content.decode()
    assert not CircleMembership.objects.exists()


def test_adding_someone_who_blocked_you_does_not_tell_of_the_block(
    member_client, member, member_factory
):
    other = member_factory("Noor H.")
    Block.objects.create(blocker=other, blocked=member)
    response = member_client.post(
        "/settings/circle/", {"action": "add", "handle": other.handle}, follow=True
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Noor H. is in your circle now."]


def test_profile_buttons_add_to_circle_and_come_back(member_client, member, member_factory):
    other = member_factory("Noor H.")
    response = member_client.post(
        "/settings/circle/",
        {"action": "add", "handle": other.handle, "next": other.get_absolute_url()},
    )
    assert response["Location"] == other.get_absolute_url()
    assert "Remove from my circle" in member_client.get(other.get_absolute_url()).content.decode()


def test_next_never_leaves_the_site(member_client, member_factory):
    other = member_factory("Noor H.")
    response = member_client.post(
        "/settings/circle/",
        {"action": "add", "handle": other.handle, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/settings/circle/"


def test_nobody_learns_who_is_in_whose_circle(client, member, member_factory):
    other = member_factory("Noor H.")
    CircleMembership.objects.create(owner=member, member=other)
    client.force_login(other)
    for path in ["/", "/settings/circle/", "/notifications/"]:
        assert "River" not in client.get(path).content.decode()
    profile = client.get(member.get_absolute_url()).content.decode()
    assert "your circle" not in profile.lower().replace("add to my circle", "")


def test_default_visibility_is_a_profile_setting(member_client, member):
    member_client.post(
        "/settings/profile/",
        {"display_name": "River", "bio": "", "default_visibility": "circle"},
    )
    member.refresh_from_db()
    assert member.default_visibility == "circle"
    community = make_community()
    join(member, community)
    form_html = member_client.get(f"/c/{community.slug}/new/").content.decode()
    assert re.search(r'<input type="radio" name="visibility" value="circle"[^>]*checked', form_html)
