"""Moderation in the admin: scoped histories, reports of deleted posts, reasons that fit, and
every change to a membership or community carried out (and logged) by the services."""

import pytest

from forums.models import Community, Membership, ModerationAction, Notification, Post, Report
from forums.moderation import services as moderation
from forums.services import post_delete
from tests.factories import (
    join,
    make_community,
    make_community_manager,
    make_reply,
    make_thread,
    make_volunteer,
)

QUEUE = "/admin/forums/moderationqueueitem/"


@pytest.fixture
def runners(db):
    return make_community("Runners")


@pytest.fixture
def cooks(db):
    return make_community("Cooks")


@pytest.fixture
def moderator(runners):
    return make_volunteer(runners)


@pytest.fixture
def manager(db):
    return make_community_manager()


@pytest.fixture
def author(member_factory, runners):
    author = member_factory("Lantern Moth")
    join(author, runners)
    return author


def _report(post, member_factory, name="Reporter"):
    reporter = member_factory(name)
    join(reporter, post.thread.community)
    return moderation.report_create(post=post, reporter=reporter, reason="spam")


def test_the_queue_counts_only_history_from_the_moderators_own_communities(
    client, member_factory, runners, cooks, moderator, author
):
    # The author was warned twice in Cooks, which this moderator does not moderate.
    join(author, cooks)
    cooks_moderator = make_volunteer(cooks, "Mod Cooks")
    for _ in range(2):
        moderation.member_warn(member=author, community=cooks, by=cooks_moderator, reason="Rude.")
    post = make_reply(author, make_thread(author, runners), body="Spam spam spam")
    _report(post, member_factory)

    client.force_login(moderator)
    queue = client.get(QUEUE).content.decode()
    assert "0 earlier action(s)" in queue

    moderation.member_warn(member=author, community=runners, by=moderator, reason="Spam.")
    assert "1 earlier action(s)" in client.get(QUEUE).content.decode()


def test_a_deleted_post_cannot_be_reported(client, member_factory, runners, author):
    post = make_reply(author, make_thread(author, runners), body="Taken back, regretted")
    post_delete(post=post, by=author)
    reporter = member_factory("Reporter")
    join(reporter, runners)
    client.force_login(reporter)
    response = client.post(f"/p/{post.pk}/report/", {"reason": "spam", "details": ""})
    assert "there is nothing left to report" in response.content.decode()
    assert not Report.objects.exists()


def test_text_deleted_after_a_report_is_not_shown_in_the_queue(
    client, member_factory, runners, moderator, author
):
    post = make_reply(author, make_thread(author, runners), body="Regrettable words here")
    _report(post, member_factory)
    post_delete(post=post, by=author)
    client.force_login(moderator)
    queue = client.get(QUEUE).content.decode()
    assert "Deleted by its author." in queue
    assert "Regrettable words" not in queue


def test_a_long_reason_is_a_form_error_that_keeps_the_text(
    client, member_factory, runners, moderator, author
):
    post = make_reply(author, make_thread(author, runners), body="Spam spam spam")
    _report(post, member_factory)
    client.force_login(moderator)
    reason = "Because " + "this is a very long reason " * 30
    response = client.post(f"{QUEUE}moderate/warn/?ids={post.pk}", {"reason": reason})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Use at most 500 characters (this has 817)." in page  # stripped of its last space
    assert reason[:200] in page
    assert not ModerationAction.objects.exists()


def test_a_reason_of_the_longest_allowed_length_is_logged_and_told(
    client, member_factory, runners, moderator, author
):
    post = make_reply(author, make_thread(author, runners), body="Spam spam spam")
    _report(post, member_factory)
    client.force_login(moderator)
    reason = "x" * 500
    response = client.post(f"{QUEUE}moderate/hide/?ids={post.pk}", {"reason": reason})
    assert response.status_code == 302
    assert ModerationAction.objects.get(kind="hide").reason == reason
    assert Notification.objects.filter(recipient=author, message__contains=reason).exists()
    post.refresh_from_db()
    assert post.hidden_reason == reason


def test_approving_a_join_request_is_logged_and_told(client, member_factory, moderator, runners):
    asker = member_factory("Asker")
    Membership.objects.create(community=runners, member=asker, state="requested")
    client.force_login(moderator)
    response = client.post(
        "/admin/forums/membership/",
        {
            "action": "approve_requests",
            "_selected_action": [Membership.objects.get(member=asker).pk],
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(member=asker).state == "active"
    logged = ModerationAction.objects.get(kind="admit")
    assert (logged.moderator, logged.member, logged.community) == (moderator, asker, runners)
    assert Notification.objects.filter(recipient=asker, message__contains="member of").exists()


def _change_membership(client, membership, **changes):
    data = {
        "community": membership.community_id,
        "member": membership.member_id,
        "role": membership.role,
        "state": membership.state,
        "reason": "",
        **changes,
    }
    return client.post(f"/admin/forums/membership/{membership.pk}/change/", data)


def test_a_role_changed_in_the_admin_goes_through_the_service(client, manager, author, runners):
    membership = Membership.objects.get(member=author, community=runners)
    client.force_login(manager)
    response = _change_membership(
        client, membership, role="moderator", reason="Trusted for a year."
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "moderator"
    logged = ModerationAction.objects.get(kind="role")
    assert logged.reason == "Trusted for a year."
    assert logged.before == {"role": "member"} and logged.after == {"role": "moderator"}
    assert Notification.objects.filter(
        recipient=author, message="You are now a moderator of Runners."
    ).exists()


def test_a_ban_set_in_the_admin_is_the_queue_s_ban(client, manager, author, runners):
    membership = Membership.objects.get(member=author, community=runners)
    client.force_login(manager)
    _change_membership(client, membership, state="banned", reason="Spam, again.")
    membership.refresh_from_db()
    assert membership.state == "banned"
    assert ModerationAction.objects.get(kind="ban").reason == "Spam, again."

    _change_membership(client, membership, state="active", reason="Second chance.")
    membership.refresh_from_db()
    assert membership.state == "active"
    assert ModerationAction.objects.get(kind="unban").reason == "Second chance."


def test_a_move_the_services_do_not_make_is_refused_with_the_reason(
    client, manager, author, runners
):
    membership = Membership.objects.get(member=author, community=runners)
    client.force_login(manager)
    response = _change_membership(client, membership, state="invited")
    membership.refresh_from_db()
    assert membership.state == "active"
    assert not ModerationAction.objects.exists()
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("does not go from" in message for message in messages)


def test_a_community_created_in_the_admin_is_owned_by_its_creator(client, manager):
    client.force_login(manager)
    response = client.post(
        "/admin/forums/community/add/",
        {
            "name": "Night Owls",
            "slug": "night-owls",
            "description": "",
            "kind": "interest",
            "read_access": "members",
            "join_policy": "open",
            "email_domains": "",
            "premoderate_first_posts": 0,
            "categories-TOTAL_FORMS": 1,
            "categories-INITIAL_FORMS": 0,
            "categories-MIN_NUM_FORMS": 0,
            "categories-MAX_NUM_FORMS": 1000,
            "categories-0-name": "General",
            "categories-0-slug": "general",
            "categories-0-description": "",
            "categories-0-position": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    community = Community.objects.get(slug="night-owls")
    owner = Membership.objects.get(community=community)
    assert (owner.member, owner.role, owner.state) == (manager, "owner", "active")
    assert community.categories.get().name == "General"


def test_an_idea_status_change_is_logged(client, moderator, author, runners):
    thread = make_thread(author, runners, kind="idea", title="Night runs")
    client.force_login(moderator)
    client.post(f"/t/{thread.pk}/status/", {"status": "planned"})
    logged = ModerationAction.objects.get(kind="idea")
    assert logged.after == {"idea_status": "planned"} and logged.thread_id == thread.pk


def test_circle_and_only_me_posts_never_wait_for_approval(member_factory):
    """Pre-moderation holds what the whole community would read; a circle or only-me post is
    for the audience its author chose, and moderators read it only if it is reported."""
    careful = make_community("Careful", premoderate_first_posts=5)
    newcomer = member_factory("Newcomer")
    public = make_thread(newcomer, careful, title="Hello")
    circle = make_thread(newcomer, careful, title="Just us", visibility="circle")
    journal = make_reply(newcomer, public, body="Note to self", visibility="private")
    assert Post.objects.get(thread=public, is_opening=True).is_pending
    assert not Post.objects.get(thread=circle, is_opening=True).is_pending
    assert not journal.is_pending


def test_widening_a_post_to_everyone_meets_pre_moderation(member_factory):
    from forums.services import post_change_visibility

    careful = make_community("Careful", premoderate_first_posts=5)
    newcomer = member_factory("Newcomer")
    circle = make_thread(newcomer, careful, title="Just us", visibility="circle")
    opening = Post.objects.get(thread=circle, is_opening=True)
    post_change_visibility(post=opening, by=newcomer, visibility="public")
    opening.refresh_from_db()
    circle.refresh_from_db()
    assert opening.is_pending and circle.is_pending
