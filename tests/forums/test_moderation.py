import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forums.models import Membership, ModerationAction, Notification, Post, Report, Thread
from forums.moderation import services as moderation
from tests.factories import (
    enrol_totp,
    join,
    make_community,
    make_reply,
    make_thread,
    make_volunteer,
)

QUEUE = "/admin/forums/moderationqueueitem/"


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def other_community(db):
    return make_community("Cooks")


@pytest.fixture
def people(member_factory, community):
    people = {name: member_factory(name) for name in ["Author", "Reporter", "Bystander"]}
    for person in people.values():
        join(person, community)
    return people


@pytest.fixture
def moderator(community):
    """A volunteer: staff, in the Moderator group, moderating Runners only."""
    return make_volunteer(community)


@pytest.fixture
def reported(people, community):
    thread = make_thread(people["Author"], community, title="Trainers")
    post = make_reply(people["Author"], thread, body="Buy cheap pills at spam.example")
    return post


def report(client, member, post, reason="spam", details=""):
    client.force_login(member)
    return client.post(f"/p/{post.pk}/report/", {"reason": reason, "details": details})


def test_report_lifecycle_end_to_end(client, people, moderator, reported):
    # A member reports ...
    response = report(client, people["Reporter"], reported)
    assert response.status_code == 302
    assert Report.objects.get().status == "open"
    # ... only once while it is open.
    again = report(client, people["Reporter"], reported)
    assert "already reported" in again.content.decode()
    assert Report.objects.count() == 1

    # The moderator finds it in the queue and hides it with a reason.
    client.force_login(moderator)
    queue = client.get(QUEUE).content.decode()
    assert "Buy cheap pills" in queue and "Spam or advertising" in queue
    response = client.post(f"{QUEUE}moderate/hide/?ids={reported.pk}", {"reason": "Spam."})
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.hidden_at and reported.hidden_reason == "Spam."
    assert "Buy cheap pills" not in client.get(QUEUE).content.decode()

    # The author sees it hidden, with the reason; others see nothing.
    client.force_login(people["Author"])
    page = client.get(reported.thread.get_absolute_url()).content.decode()
    assert "Hidden by moderators" in page and "Spam." in page
    client.force_login(people["Bystander"])
    page = client.get(reported.thread.get_absolute_url()).content.decode()
    assert "Buy cheap pills" not in page
    assert client.get(f"/p/{reported.pk}/").status_code == 404

    # The reporter is told, and the audit log has it.
    report_ = Report.objects.get()
    assert report_.status == "actioned" and report_.resolved_by == moderator
    told = Notification.objects.get(recipient=people["Reporter"])
    assert "hid a post you reported" in told.message
    entry = ModerationAction.objects.get(kind="hide")
    assert (entry.moderator, entry.member, entry.post) == (moderator, people["Author"], reported)
    assert entry.reason == "Spam." and entry.before == {"hidden": False}
    assert entry.after == {"hidden": True}


def test_reporting_a_post_you_cannot_see_is_a_404(client, people, community):
    thread = make_thread(people["Author"], community)
    secret = make_reply(people["Author"], thread, visibility="private")
    response = report(client, people["Reporter"], secret)
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_other_needs_details(client, people, reported):
    response = report(client, people["Reporter"], reported, reason="other")
    assert "Tell the moderators what is wrong." in response.content.decode()


def test_dismissing_tells_the_reporter_and_keeps_the_post(client, people, moderator, reported):
    report(client, people["Reporter"], reported)
    client.force_login(moderator)
    client.post(f"{QUEUE}moderate/dismiss/?ids={reported.pk}", {"reason": ""})
    reported.refresh_from_db()
    assert reported.hidden_at is None
    assert Report.objects.get().status == "dismissed"
    assert "left it up" in Notification.objects.get(recipient=people["Reporter"]).message


def test_restore(client, people, moderator, reported):
    moderation.post_hide(post=reported, by=moderator, reason="Oops")
    moderation.post_restore(post=reported, by=moderator, reason="Mistake")
    client.force_login(people["Bystander"])
    assert client.get(f"/p/{reported.pk}/").status_code == 302
    assert [a.kind for a in ModerationAction.objects.order_by("pk")] == ["hide", "restore"]


def test_hiding_the_opening_post_hides_the_thread(client, people, moderator, community):
    thread = make_thread(people["Author"], community, title="Spammy thread")
    moderation.post_hide(post=thread.posts.get(), by=moderator, reason="Spam")
    client.force_login(people["Bystander"])
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert "Spammy thread" not in client.get(f"/c/{community.slug}/").content.decode()
    client.force_login(people["Author"])
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_lock_pin_and_move(client, people, moderator, community, reported):
    from forums.models import Category

    thread = reported.thread
    moderation.thread_lock(thread=thread, by=moderator, reason="Cooling off")
    client.force_login(people["Bystander"])
    response = client.post(
        f"/t/{thread.pk}/reply/",
        {"body": "Still here", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert "locked" in response.content.decode()

    make_thread(people["Author"], community, title="Newer")
    moderation.thread_pin(thread=thread, by=moderator)
    listed = client.get(f"/c/{community.slug}/general/").context["threads"]
    assert listed[0].pk == thread.pk

    shoes = Category.objects.create(community=community, name="Shoes", slug="shoes")
    client.force_login(moderator)
    client.post(f"{QUEUE}moderate/move/?ids={reported.pk}", {"reason": "", "category": shoes.pk})
    thread.refresh_from_db()
    assert thread.category == shoes
    assert ModerationAction.objects.get(kind="move").after == {"category": "Shoes"}


def test_warn(client, people, moderator, reported):
    client.force_login(moderator)
    client.post(f"{QUEUE}moderate/warn/?ids={reported.pk}", {"reason": "Please stay on topic."})
    message = Notification.objects.get(recipient=people["Author"]).message
    assert "Please stay on topic." in message


def test_a_suspended_member_reads_but_cannot_post_and_sees_until_when(
    client, people, moderator, community, reported
):
    client.force_login(moderator)
    client.post(f"{QUEUE}moderate/suspend/?ids={reported.pk}", {"reason": "Cool off", "days": 3})
    membership = Membership.objects.get(member=people["Author"], community=community)
    assert membership.suspended_until > timezone.now() + timedelta(days=2)

    client.force_login(people["Author"])
    thread_page = client.get(reported.thread.get_absolute_url())
    assert thread_page.status_code == 200
    assert "suspended you here until" in thread_page.content.decode()
    response = client.post(
        f"/t/{reported.thread.pk}/reply/",
        {"body": "Let me in", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code in (400, 403)
    assert not Post.objects.filter(body="Let me in").exists()

    # Suspensions expire by themselves.
    Membership.objects.filter(pk=membership.pk).update(
        suspended_until=timezone.now() - timedelta(minutes=1)
    )
    client.post(
        f"/t/{reported.thread.pk}/reply/",
        {"body": "Back again", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert Post.objects.filter(body="Back again").exists()


def test_a_banned_member_cannot_post_or_rejoin(client, people, moderator, community, reported):
    moderation.member_ban(
        member=people["Author"], community=community, by=moderator, reason="Repeated spam"
    )
    client.force_login(people["Author"])
    # On a members-only site a visitor reads nothing, and a banned member reads as one.
    assert client.get(f"/c/{community.slug}/new/").status_code == 404
    assert client.post(f"/c/{community.slug}/join/").status_code == 404
    assert "banned you" in client.get("/notifications/").content.decode()
    assert Membership.objects.get(member=people["Author"], community=community).state == "banned"


def test_bulk_actions_work_on_many_reports(client, people, moderator, community, reported):
    second = make_reply(people["Bystander"], reported.thread, body="More spam")
    for post in (reported, second):
        report(client, people["Reporter"], post)
    client.force_login(moderator)
    response = client.post(
        QUEUE, {"action": "bulk_dismiss", "_selected_action": [reported.pk, second.pk]}
    )
    assert response.status_code == 302
    client.post(response["Location"], {"reason": "Not spam"})
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}


def test_pre_moderation_holds_a_new_members_first_posts(
    client, member_factory, moderator, community, django_capture_on_commit_callbacks
):
    community.premoderate_first_posts = 1
    community.save()
    newcomer = member_factory("Newcomer")
    watcher = member_factory("Watcher")
    join(watcher, community)
    client.force_login(watcher)
    client.post(f"/c/{community.slug}/general/follow/", {"follow": "1"})

    thread = make_thread(newcomer, community, title="Hello all")
    post = thread.posts.get()
    assert post.is_pending and Thread.objects.get(pk=thread.pk).is_pending
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert not Notification.objects.filter(recipient=watcher).exists()
    client.force_login(newcomer)
    assert "Waiting for a moderator" in client.get(thread.get_absolute_url()).content.decode()

    client.force_login(moderator)
    assert "Hello all" in client.get("/admin/forums/pendingpost/").content.decode()
    assert "<strong>1</strong> post awaiting approval" in client.get("/admin/").content.decode()
    client.post("/admin/forums/pendingpost/", {"action": "approve", "_selected_action": [post.pk]})
    client.force_login(watcher)
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert Notification.objects.filter(recipient=watcher, kind="new_thread").exists()
    # The next post is not held.
    assert not make_reply(newcomer, thread).is_pending


def test_a_rejected_post_stays_hidden_with_the_reason(client, member_factory, moderator, community):
    community.premoderate_first_posts = 2
    community.save()
    newcomer = member_factory("Newcomer")
    thread = make_thread(newcomer, community)
    client.force_login(moderator)
    client.post(
        "/admin/forums/pendingpost/",
        {"action": "reject", "_selected_action": [thread.posts.get().pk]},
    )
    post = thread.posts.get()
    assert post.hidden_at and not post.is_pending
    client.force_login(newcomer)
    assert "did not meet" in client.get(thread.get_absolute_url()).content.decode()


# ---------------------------------------------------------------------------- scoping


ADMIN_LISTS = [
    "/admin/forums/moderationqueueitem/",
    "/admin/forums/pendingpost/",
    "/admin/forums/report/",
    "/admin/forums/thread/",
    "/admin/forums/post/",
    "/admin/forums/membership/",
    "/admin/forums/moderationaction/",
    "/admin/accounts/member/",
]


def test_a_moderator_of_one_community_cannot_see_or_touch_another(
    client, member_factory, moderator, community, other_community
):
    cook = member_factory("Cook Person")
    theirs = make_thread(cook, other_community, title="Cooks only business")
    their_post = make_reply(cook, theirs, body="Cooks spam text")
    reporter = member_factory("Cook Reporter")
    join(reporter, other_community)
    moderation.report_create(post=their_post, reporter=reporter, reason="spam")
    manager = member_factory("Site Manager", is_superuser=True, is_staff=True)
    enrol_totp(manager)
    moderation.thread_lock(thread=theirs, by=manager)

    client.force_login(moderator)
    for url in ADMIN_LISTS:
        html = client.get(url).content.decode()
        assert "Cooks only business" not in html and "Cook Person" not in html, url
    for url in [
        f"/admin/forums/thread/{theirs.pk}/change/",
        f"/admin/forums/post/{their_post.pk}/change/",
        f"/admin/accounts/member/{cook.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url  # "doesn't exist", like a missing id
    response = client.post(f"{QUEUE}moderate/hide/?ids={their_post.pk}", {"reason": "x"})
    their_post.refresh_from_db()
    assert their_post.hidden_at is None
    response = client.post(
        "/admin/forums/thread/", {"action": "unlock", "_selected_action": [theirs.pk]}
    )
    assert Thread.objects.get(pk=theirs.pk).is_locked
    with pytest.raises(PermissionDenied):
        moderation.post_hide(post=their_post, by=moderator, reason="x")

    # The site manager sees both.
    client.force_login(manager)
    assert "Cooks spam text" in client.get(QUEUE).content.decode()


def test_volunteer_moderators_do_not_see_member_addresses(client, people, moderator):
    client.force_login(moderator)
    html = client.get("/admin/accounts/member/").content.decode()
    assert "Author" in html
    assert people["Author"].email not in html


def test_audit_log_is_read_only(client, people, moderator, reported):
    moderation.post_hide(post=reported, by=moderator, reason="Spam")
    entry = ModerationAction.objects.get()
    client.force_login(moderator)
    assert client.get("/admin/forums/moderationaction/add/").status_code == 403
    page = client.get(f"/admin/forums/moderationaction/{entry.pk}/change/").content.decode()
    assert 'name="reason"' not in page
    filtered = client.get("/admin/forums/moderationaction/", {"kind__exact": "hide"})
    assert filtered.status_code == 200 and "Spam" in filtered.content.decode()


def test_admin_shows_circle_post_text_only_when_reported(client, people, moderator, community):
    thread = make_thread(people["Author"], community)
    circle_post = make_reply(people["Author"], thread, body="Circle words", visibility="circle")
    client.force_login(moderator)
    page = client.get(f"/admin/forums/post/{circle_post.pk}/change/").content.decode()
    assert "Circle words" not in page
    Report.objects.create(post=circle_post, reporter=people["Reporter"], reason="harmful")
    page = client.get(f"/admin/forums/post/{circle_post.pk}/change/").content.decode()
    assert "Circle words" in page


# ------------------------------------------------------------------------ spam and limits


def test_posting_is_rate_limited_with_the_text_kept(client, people, community, settings):
    settings.HEARTH_RATE_LIMITS = {"post": "2/60", "report": "100/60"}
    thread = make_thread(people["Author"], community)  # 1
    client.force_login(people["Author"])
    for body in ["second", "third"]:
        response = client.post(
            f"/t/{thread.pk}/reply/",
            {"body": body, "visibility": "public", "client_token": str(uuid.uuid4())},
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert "faster than this community allows" in html and "third" in html
    assert thread.posts.count() == 2


def test_reporting_is_rate_limited(client, people, community, settings):
    settings.HEARTH_RATE_LIMITS = {"post": "100/60", "report": "1/60"}
    thread = make_thread(people["Author"], community)
    first, second = make_reply(people["Author"], thread), make_reply(people["Author"], thread)
    report(client, people["Reporter"], first)
    response = report(client, people["Reporter"], second)
    assert "many reports" in response.content.decode()
    assert Report.objects.count() == 1


def test_new_members_links_are_limited(client, member_factory, community):
    newcomer = member_factory("Newcomer")
    join(newcomer, community)
    client.force_login(newcomer)
    body = "See https://a.example https://b.example https://c.example"
    response = client.post(
        f"/c/{community.slug}/new/",
        {
            "category": community.categories.first().pk,
            "kind": "discussion",
            "title": "Links",
            "body": body,
            "visibility": "public",
            "tags": "",
            "client_token": str(uuid.uuid4()),
        },
    )
    html = response.content.decode()
    assert "New members may share up to 2 links" in html
    assert "https://c.example" in html
    assert not Thread.objects.exists()


def test_links_are_nofollow(people, community):
    thread = make_thread(people["Author"], community, body="[site](https://example.org)")
    assert 'rel="nofollow ugc noopener"' in thread.posts.get().body_html


def test_signup_honeypot(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "bot@example.org",
            "display_name": "Botty",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 200
    assert "Sign-up did not work" in response.content.decode()
    from accounts.models import Member

    assert not Member.objects.filter(email="bot@example.org").exists()


def test_queue_rows_cannot_be_edited_only_acted_on(client, people, moderator, reported):
    report(client, people["Reporter"], reported)
    client.force_login(moderator)
    page = client.get(f"{QUEUE}{reported.pk}/change/").content.decode()
    assert 'name="body_html"' not in page and 'name="thread"' not in page
    response = client.post(f"{QUEUE}{reported.pk}/change/", {"body_html": "<script>x</script>"})
    assert response.status_code == 403
    reported.refresh_from_db()
    assert "<script>" not in reported.body_html
    assert client.get(f"/admin/forums/pendingpost/{reported.pk}/change/").status_code in (302, 404)


def test_moderators_cannot_change_roles_or_members(client, people, moderator, community):
    own = Membership.objects.get(member=moderator, community=community)
    client.force_login(moderator)
    page = client.get(f"/admin/forums/membership/{own.pk}/change/").content.decode()
    assert 'name="role"' not in page and 'name="member"' not in page
    client.post(f"/admin/forums/membership/{own.pk}/change/", {"role": "owner"})
    own.refresh_from_db()
    assert own.role == "moderator"
    assert client.get("/admin/forums/membership/add/").status_code == 403


def test_suspending_never_makes_someone_a_member(member_factory, moderator, community):
    stranger = member_factory("Stranger")
    with pytest.raises(ValidationError):
        moderation.member_suspend(
            member=stranger,
            community=community,
            by=moderator,
            until=timezone.now() + timedelta(days=1),
            reason="x",
        )
    with pytest.raises(ValidationError):
        moderation.member_unsuspend(member=stranger, community=community, by=moderator)
    assert not Membership.objects.filter(member=stranger).exists()


def test_only_waiting_posts_can_be_rejected(people, moderator, reported):
    with pytest.raises(ValidationError):
        moderation.post_reject(post=reported, by=moderator, reason="x")
    reported.refresh_from_db()
    assert reported.hidden_at is None


def test_edits_meet_the_rules_posts_meet(client, member_factory, moderator, community):
    newcomer = member_factory("Newcomer")
    thread = make_thread(newcomer, community, body="Harmless")
    opening = thread.posts.get()
    client.force_login(newcomer)
    response = client.post(
        f"/p/{opening.pk}/edit/",
        {
            "title": "A thread",
            "body": "https://a.example https://b.example https://c.example",
            "version": opening.version,
        },
    )
    assert "New members may share up to 2 links" in response.content.decode()
    moderation.member_suspend(
        member=newcomer,
        community=community,
        by=moderator,
        until=timezone.now() + timedelta(days=1),
        reason="Cool off",
    )
    response = client.post(
        f"/p/{opening.pk}/edit/",
        {"title": "A thread", "body": "Changed", "version": opening.version},
    )
    assert "suspended you here" in response.content.decode()
    opening.refresh_from_db()
    assert opening.body == "Harmless"


def test_a_new_members_edit_waits_again_where_the_community_premoderates(
    member_factory, moderator, community
):
    from forums.services import post_edit

    community.premoderate_first_posts = 1
    community.save()
    newcomer = member_factory("Newcomer")
    thread = make_thread(newcomer, community)
    moderation.post_approve(post=thread.posts.get(), by=moderator)
    post_edit(post=thread.posts.get(), by=newcomer, body="Now something else")
    assert thread.posts.get().is_pending
