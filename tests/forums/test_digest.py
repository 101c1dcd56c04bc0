from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone

from accounts.models import Member
from accounts.services import circle_add, member_block
from forums import digest
from forums.digest import digest_send, unsubscribe_token
from forums.models import Thread
from forums.moderation.services import post_hide
from forums.services import post_delete
from forums.tasks import weekly_digest
from tests.factories import join, make_community, make_thread

SECRET_WORD = "Marrowglint"


@pytest.fixture
def world(member_factory, site_manager, mailoutbox):
    """A reader who asked for the digest, in one community with threads of every kind."""
    walkers = make_community("Night Walkers")
    reader = member_factory("Reader", weekly_digest=True)
    join(reader, walkers)
    author = member_factory("Lantern Moth")
    friend = member_factory("Friend Ash")
    circle_add(owner=friend, member=reader)
    shunned = member_factory("Blocked Cedar")
    member_block(blocker=reader, blocked=shunned)

    def thread(title, by=author, community=walkers, **fields):
        return make_thread(by, community, title=title, body=f"{SECRET_WORD} {title}", **fields)

    shown = [
        thread("Lantern routes"),
        thread("Friends only walk", by=friend, visibility="circle"),
    ]
    thread("Circle of Lantern Moth", visibility="circle")  # the reader is not in it
    thread("Lantern Moth's journal", visibility="private")
    thread("Cedar's walk", by=shunned)
    thread("The reader's own walk", by=reader)
    hidden = thread("Hidden walk")
    post_hide(post=hidden.posts.get(), by=site_manager, reason="Off topic.")
    deleted = thread("Deleted walk")
    post_delete(post=deleted.posts.get(), by=author)
    old = thread("Last month's walk")
    Thread.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    strict = make_community("Strict Walkers", premoderate_first_posts=1)
    join(reader, strict)
    thread("Waiting for approval", by=member_factory("Newcomer"), community=strict)
    # A community the reader may read but did not join.
    thread("Elsewhere walk", community=make_community("Elsewhere", read_access="open"))
    mailoutbox.clear()  # the notifications of the set-up
    return {"reader": reader, "author": author, "shown": shown, "community": walkers}


def send(member, until=None):
    return digest_send(member_id=member.pk, until=until or timezone.now())


def test_the_digest_lists_only_new_threads_the_reader_may_read_and_no_text(world, mailoutbox):
    assert send(world["reader"]) is True
    [message] = mailoutbox
    assert message.to == [world["reader"].email]
    assert message.subject == "[Hearth] 2 new threads in your communities this week"
    body = message.body
    titles = [line.split(" (")[0] for line in body.splitlines() if line.endswith(")")]
    assert titles == ["Friends only walk", "Lantern routes"], "newest first"
    assert "Lantern routes (Night Walkers)" in body
    for thread in world["shown"]:
        assert f"http://127.0.0.1:8000{thread.get_absolute_url()}" in body
    for absent in [
        "Circle of",
        "journal",
        "Cedar",
        "own walk",
        "Hidden",
        "Deleted",
        "Last month",
        "Waiting",
        "Elsewhere",
    ]:
        assert absent not in body, absent
    assert SECRET_WORD not in body + message.subject
    assert "Lantern Moth" not in body, "no author is named"
    assert world["author"].email not in body


def test_nothing_new_sends_no_email(member_factory, mailoutbox):
    reader = member_factory("Reader", weekly_digest=True)
    join(reader, make_community("Quiet Walkers"))
    assert send(reader) is False
    assert mailoutbox == []


def test_a_member_who_turned_it_off_or_was_deactivated_gets_nothing(world, mailoutbox):
    reader = world["reader"]
    digest.digest_unsubscribe(member=reader)
    assert send(reader) is False
    Member.objects.filter(pk=reader.pk).update(weekly_digest=True, is_active=False)
    assert send(reader) is False
    assert mailoutbox == []


def test_the_digest_is_off_by_default(member):
    assert member.weekly_digest is False


def test_one_digest_a_week_however_often_the_job_runs(world, mailoutbox):
    now = timezone.now()
    assert send(world["reader"], now) is True
    assert send(world["reader"], now) is False
    assert send(world["reader"], now + timedelta(seconds=1)) is False
    assert len(mailoutbox) == 1
    assert send(world["reader"], now + timedelta(days=7)) is False, "nothing new next week"


def test_a_failed_send_records_nothing_so_the_retry_sends_it(world, mailoutbox, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        with pytest.raises(ConnectionRefusedError):
            send(world["reader"])
    world["reader"].refresh_from_db()
    assert world["reader"].digest_sent_for == ""
    assert send(world["reader"]) is True
    assert len(mailoutbox) == 1


def test_at_most_twenty_titles_then_how_many_more(member_factory, mailoutbox):
    community = make_community("Busy Walkers")
    reader = member_factory("Reader", weekly_digest=True)
    join(reader, community)
    author = member_factory("Lantern Moth")
    for number in range(23):
        make_thread(author, community, title=f"Walk number {number}")
    send(reader)
    [message] = mailoutbox
    assert message.body.count("Walk number") == 20
    assert "Walk number 22 (Busy Walkers)" in message.body, "the newest are listed"
    assert "Walk number 2 (" not in message.body
    assert "And 3 more" in message.body
    assert "23 new threads" in message.subject


def test_the_email_carries_a_one_click_unsubscribe(world, mailoutbox):
    send(world["reader"])
    [message] = mailoutbox
    link = f"http://127.0.0.1:8000/digest/unsubscribe/{unsubscribe_token(world['reader'])}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body


def test_the_token_is_signed_and_carries_neither_address_nor_plain_id(member):
    token = unsubscribe_token(member)
    assert member.email not in token
    assert member.email.split("@")[0] not in token
    assert str(member.pk) not in token.split(":")
    assert digest.member_for_unsubscribe_token(token) == member


def test_unsubscribing_works_signed_out_and_only_a_post_changes_anything(world, client, settings):
    settings.HEARTH_MEMBERS_ONLY = True
    reader = world["reader"]
    url = f"/digest/unsubscribe/{unsubscribe_token(reader)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop the weekly digest" in page.content.decode()
    reader.refresh_from_db()
    assert reader.weekly_digest is True, "a mail scanner following the link changes nothing"
    done = client.post(url)
    assert done.status_code == 200
    assert "The weekly digest is off" in done.content.decode()
    reader.refresh_from_db()
    assert reader.weekly_digest is False


def test_a_mail_clients_one_click_post_needs_no_csrf_token(world):
    reader = world["reader"]
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/digest/unsubscribe/{unsubscribe_token(reader)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.weekly_digest is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_foreign_token_is_not_found(world, client, method):
    from django.core import signing

    reader = world["reader"]
    token = unsubscribe_token(reader)
    tampered = signing.dumps(world["author"].pk, salt="another")
    for bad in [token[:-1] + ("A" if token[-1] != "A" else "B"), tampered, "nonsense"]:
        response = getattr(client, method)(f"/digest/unsubscribe/{bad}/")
        assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.weekly_digest is True


def test_the_setting_is_on_the_notification_settings_page(member_client, member):
    page = member_client.get("/settings/notifications/").content.decode()
    assert "Once a week, e-mail me the titles of new threads in my communities" in page
    member_client.post("/settings/notifications/", {"email": ["reply"], "weekly_digest": "on"})
    member.refresh_from_db()
    assert member.weekly_digest is True
    assert member.email_notifications == ["reply"]
    member_client.post("/settings/notifications/", {"email": ["reply"]})
    member.refresh_from_db()
    assert member.weekly_digest is False


def test_the_weekly_task_sends_one_digest_to_each_member_who_asked(
    world, member_factory, mailoutbox
):
    not_asked = member_factory("Not Asked")
    gone_quiet = member_factory("Gone Quiet", weekly_digest=True, is_active=False)
    for member in (not_asked, gone_quiet):
        join(member, world["community"])
    now = int(timezone.now().timestamp()) + 1  # the threads above are before it
    weekly_digest(timestamp=now)
    weekly_digest(timestamp=now + 60)  # again in the same week, as a retry would
    assert [message.to for message in mailoutbox] == [[world["reader"].email]]
