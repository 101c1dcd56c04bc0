import uuid

import pytest

from forums.models import Notification
from forums.services import post_change_visibility
from tests.factories import join, make_community, make_reply, make_thread


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def people(member_factory, community):
    people = {name: member_factory(name) for name in ["Asker", "Helper", "Watcher"]}
    for person in people.values():
        join(person, community)
    return people


def test_the_header_counts_up_to_99_unread_it_may_show(client, people, community):
    thread = make_thread(people["Asker"], community)
    shown = make_reply(people["Helper"], thread)
    journal = make_reply(people["Helper"], thread, visibility="private")
    asker = people["Asker"]
    Notification.objects.all().delete()
    # Moderators' messages, since a member hears of a reply once.
    Notification.objects.bulk_create(
        [Notification(recipient=asker, kind="moderation", post=journal, thread=thread)] * 120
        + [Notification(recipient=asker, kind="moderation", post=shown, thread=thread)] * 99
    )
    client.force_login(asker)
    assert client.get("/").context["unread_notifications"] == 99, "what it may not see is uncounted"
    Notification.objects.create(recipient=asker, kind="moderation", post=shown, thread=thread)
    assert client.get("/").context["unread_notifications"] == "99+"
    assert (
        '<span class="count">99+<span class="visually-hidden"> unread'
        in client.get("/").content.decode()
    )


def test_followers_hear_of_replies_and_email_carries_no_text(
    client, people, community, mailoutbox, django_capture_on_commit_callbacks
):
    thread = make_thread(people["Asker"], community, title="Secret title words")
    with django_capture_on_commit_callbacks(execute=True):
        reply = make_reply(people["Helper"], thread, body="Confidential reply text")
    notification = Notification.objects.get(recipient=people["Asker"])
    assert notification.kind == "reply"
    message = mailoutbox[-1]
    assert message.to == [people["Asker"].email]
    assert "Helper replied in a thread you follow." in message.subject
    assert f"/p/{reply.pk}/" in message.body
    assert "Confidential reply text" not in message.body + message.subject
    assert "Secret title words" not in message.body + message.subject
    assert people["Helper"].email not in message.body


def test_the_header_counts_unread_and_opening_marks_read(client, people, community):
    thread = make_thread(people["Asker"], community)
    reply = make_reply(people["Helper"], thread)
    client.force_login(people["Asker"])
    assert client.get("/").context["unread_notifications"] == 1
    notification = Notification.objects.get()
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == f"/p/{reply.pk}/"
    assert client.get("/").context["unread_notifications"] == 0


def test_mark_all_read(client, people, community):
    thread = make_thread(people["Asker"], community)
    make_reply(people["Helper"], thread)
    make_reply(people["Watcher"], thread)
    client.force_login(people["Asker"])
    client.post("/notifications/")
    assert not Notification.objects.filter(recipient=people["Asker"], read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=people["Helper"], read_at__isnull=True).exists()


def test_category_followers_hear_of_new_threads(client, people, community):
    client.force_login(people["Watcher"])
    client.post(f"/c/{community.slug}/general/follow/", {"follow": "1"})
    make_thread(people["Asker"], community)
    assert Notification.objects.get(recipient=people["Watcher"]).kind == "new_thread"


def test_no_notification_for_what_the_recipient_cannot_see(people, community):
    thread = make_thread(people["Asker"], community)
    make_reply(people["Helper"], thread, body="Just for me @Asker", visibility="private")
    assert not Notification.objects.filter(recipient=people["Asker"]).exists()


def test_notifications_are_checked_again_when_shown(client, people, community):
    thread = make_thread(people["Asker"], community)
    reply = make_reply(people["Helper"], thread)
    client.force_login(people["Asker"])
    assert len(client.get("/notifications/").context["notifications"]) == 1
    post_change_visibility(post=reply, by=people["Helper"], visibility="private")
    assert len(client.get("/notifications/").context["notifications"]) == 0
    assert client.get("/").context["unread_notifications"] == 0
    notification = Notification.objects.get()
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404


def test_email_choices_per_kind(
    client, people, community, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(people["Asker"])
    response = client.post("/settings/notifications/", {"email": ["mention"]})
    assert response.status_code == 302
    thread = make_thread(people["Asker"], community)
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(people["Helper"], thread)
    assert mailoutbox == []  # replies: on the site only
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(people["Helper"], thread, body="What do you think, @Asker?")
    assert len(mailoutbox) == 1
    assert "Helper mentioned you." in mailoutbox[0].subject


def test_replying_through_the_form_follows_the_thread(client, people, community):
    thread = make_thread(people["Asker"], community)
    client.force_login(people["Watcher"])
    client.post(
        f"/t/{thread.pk}/reply/",
        {"body": "Count me in", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    make_reply(people["Helper"], thread)
    assert Notification.objects.filter(recipient=people["Watcher"], kind="reply").exists()
