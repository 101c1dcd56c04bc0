"""Nothing is lost: an author's deletion never takes others' words with it, two tabs never
overwrite each other, and a write that fails half-way leaves nothing behind."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from forums import services
from forums.models import Post, PostRevision, Report, Thread
from forums.moderation.services import report_create
from tests.factories import make_community, make_member, make_reply, make_thread
from tests.faults import fail_on, table_rows


@pytest.fixture
def community(db):
    return make_community("Long Covid")


def test_deleting_an_opening_post_that_others_replied_to_keeps_the_thread(client, community):
    author, replier = make_member("Opener"), make_member("Replier")
    thread = make_thread(author, community, title="Brain fog", body="My first words")
    reply = make_reply(replier, thread, body="Their own reply")
    opening = thread.posts.get(is_opening=True)
    client.force_login(author)

    confirm = client.get(f"/p/{opening.pk}/delete/").content.decode()
    assert "If others have, it stays for their" in confirm
    response = client.post(f"/p/{opening.pk}/delete/")

    assert response["Location"] == thread.get_absolute_url()
    thread.refresh_from_db()
    assert thread.deleted_at is None
    client.force_login(replier)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Their own reply" in page
    assert "This post was deleted by its author." in page
    assert "My first words" not in page
    assert Post.objects.filter(pk=reply.pk, deleted_at__isnull=True).exists()


def test_deleting_an_opening_post_nobody_answered_deletes_the_thread(client, community):
    author = make_member("Opener")
    thread = make_thread(author, community, title="Alone")
    make_reply(author, thread, body="My own follow-up")
    opening = thread.posts.get(is_opening=True)
    client.force_login(author)
    response = client.post(f"/p/{opening.pk}/delete/")
    assert response["Location"] == thread.category.get_absolute_url()
    thread.refresh_from_db()
    assert thread.deleted_at is not None
    assert client.get(f"/t/{thread.pk}/").status_code == 404


def test_the_retention_job_keeps_the_placeholder_of_a_thread_others_replied_to(community):
    author, replier = make_member("Opener"), make_member("Replier")
    thread = make_thread(author, community, body="Words to take back")
    opening = thread.posts.get(is_opening=True)
    services.post_edit(post=opening, by=author, body="Edited words to take back")
    reply = make_reply(replier, thread, body="Still here after a month")
    services.post_delete(post=opening, by=author)
    Post.objects.filter(pk=opening.pk).update(deleted_at=timezone.now() - timedelta(days=40))

    services.purge_deleted(older_than=timedelta(days=30))

    opening.refresh_from_db()
    assert (opening.body, opening.body_html, opening.search_vector) == ("", "", None)
    assert not PostRevision.objects.filter(post=opening).exists()
    assert Thread.objects.filter(pk=thread.pk, deleted_at__isnull=True).exists()
    assert Post.objects.filter(pk=reply.pk).exists()


def test_an_edit_based_on_an_older_version_is_refused_with_both_texts(client, community):
    author = make_member("Two Tabs")
    thread = make_thread(author, community, title="Tabs", body="The first text")
    opening = thread.posts.get()
    client.force_login(author)
    first_tab = opening.version
    second_tab = opening.version
    saved = client.post(
        f"/p/{opening.pk}/edit/",
        {"title": "Tabs", "body": "Saved from the first tab", "version": first_tab},
    )
    assert saved.status_code == 302

    response = client.post(
        f"/p/{opening.pk}/edit/",
        {"title": "Tabs", "body": "Typed in the second tab", "version": second_tab},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This post was changed since you began editing" in page
    assert "Saved from the first tab" in page  # the saved text, shown
    assert "Typed in the second tab</textarea>" in page  # what they typed, kept
    opening.refresh_from_db()
    assert opening.body == "Saved from the first tab"
    assert PostRevision.objects.filter(post=opening).count() == 1
    # The form now starts from the saved text: a second save replaces it knowingly.
    again = client.post(
        f"/p/{opening.pk}/edit/",
        {"title": "Tabs", "body": "Typed in the second tab", "version": opening.version},
    )
    assert again.status_code == 302
    opening.refresh_from_db()
    assert opening.body == "Typed in the second tab"


def test_the_write_door_refuses_a_stale_edit_whatever_calls_it(community):
    author = make_member("Script")
    opening = make_thread(author, community).posts.get()
    stale = opening.version
    services.post_edit(post=opening, by=author, body="Newer", based_on=stale)
    with pytest.raises(services.StaleEdit):
        services.post_edit(post=opening, by=author, body="Older", based_on=stale)
    opening.refresh_from_db()
    assert opening.body == "Newer"


# ------------------------------------------------------------- faults half-way through a write


def test_a_fault_after_a_new_threads_first_write_leaves_no_half_thread(community):
    author = make_member("Interrupted")
    make_thread(author, community, title="Joined already")  # memberships made beforehand
    before = table_rows()
    fail_on("forums_post")  # after the thread's row is written
    with pytest.raises(Exception, match="injected fault"):
        services.thread_create(
            author=author,
            category=community.categories.first(),
            kind="discussion",
            title="Never half there",
            body="Words",
            visibility="public",
            tags=["fog"],
        )
    assert table_rows() == before


def test_a_fault_after_a_replys_first_write_leaves_no_half_reply(community):
    author, replier = make_member("Opener"), make_member("Interrupted")
    thread = make_thread(author, community)
    make_reply(replier, thread, body="Joined and following")
    services.thread_follow(thread=thread, member=replier, follow=False)
    before = table_rows()
    fail_on("forums_threadfollow")  # after the reply's row is written
    with pytest.raises(Exception, match="injected fault"):
        services.post_create(
            author=replier, thread=thread, body="Never half there", visibility="public"
        )
    assert table_rows() == before


def test_a_reply_to_a_thread_deleted_meanwhile_is_refused(community):
    author, replier = make_member("Opener"), make_member("Late Replier")
    thread = make_thread(author, community)
    make_reply(author, thread, body="Talking to myself")
    services.post_delete(post=thread.posts.get(is_opening=True), by=author)
    with pytest.raises(ValidationError, match="This thread was deleted"):
        make_reply(replier, thread, body="On its way")
    assert not Post.objects.filter(body="On its way").exists()


def test_the_retention_job_never_purges_others_replies_or_reported_posts(community):
    author, replier, reporter = (
        make_member("Opener"),
        make_member("Replier"),
        make_member("Reporter"),
    )
    old = timezone.now() - timedelta(days=40)
    # A thread deleted, with others' replies, under the old rule (or any other road).
    thread = make_thread(author, community, body="Old rule")
    reply = make_reply(replier, thread, body="Kept through the purge")
    Thread.objects.filter(pk=thread.pk).update(deleted_at=old)
    Post.objects.filter(thread=thread, is_opening=True).update(deleted_at=old)
    # A reply reported, then deleted by its author.
    other = make_thread(reporter, community, body="Another")
    reported = make_reply(author, other, body="Reported words")
    report = report_create(post=reported, reporter=reporter, reason="harassment")
    services.post_delete(post=reported, by=author)
    Post.objects.filter(pk=reported.pk).update(deleted_at=old)

    services.purge_deleted(older_than=timedelta(days=30))

    assert Post.objects.filter(pk=reply.pk, body="Kept through the purge").exists()
    assert Post.objects.filter(thread=thread, is_opening=True).exists()
    reported.refresh_from_db()
    assert reported.body == ""  # the text goes for good; the row stays for the report
    assert Report.objects.filter(pk=report.pk).exists()


def test_an_edit_of_the_title_alone_is_refused_when_stale_too(client, community):
    author = make_member("Two Tabs")
    opening = make_thread(author, community, title="First title", body="Same").posts.get()
    client.force_login(author)
    stale = opening.version
    form = {"body": "Same", "version": stale}
    assert client.post(f"/p/{opening.pk}/edit/", {**form, "title": "Tab one"}).status_code == 302
    response = client.post(f"/p/{opening.pk}/edit/", {**form, "title": "Tab two"})
    assert "This post was changed since you began editing" in response.content.decode()
    opening.thread.refresh_from_db()
    assert opening.thread.title == "Tab one"
