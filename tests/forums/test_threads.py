import html
import re
import uuid

import pytest

from forums.models import Post, PostRevision, Thread, ThreadFollow
from tests.factories import join, make_community, make_reply, make_thread


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def asker(member_factory, community):
    asker = member_factory("Asker")
    join(asker, community)
    return asker


def new_thread_data(community, **overrides):
    return {
        "category": community.categories.first().pk,
        "kind": "question",
        "title": "How do I pace a first 10k?",
        "body": "I keep starting **too fast**.",
        "visibility": "public",
        "tags": "pacing, Beginners",
        "client_token": str(uuid.uuid4()),
        **overrides,
    }


def test_member_starts_a_question_with_tags(client, asker, community):
    client.force_login(asker)
    response = client.post(f"/c/{community.slug}/new/", new_thread_data(community))
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/{thread.pk}/how-do-i-pace-a-first-10k/"
    assert thread.kind == "question"
    assert sorted(thread.tags.names()) == ["beginners", "pacing"]
    opening = thread.posts.get()
    assert opening.is_opening
    assert opening.body_html.strip() == "<p>I keep starting <strong>too fast</strong>.</p>"
    assert ThreadFollow.objects.filter(thread=thread, member=asker).exists()
    page = client.get(response["Location"]).content.decode()
    assert "How do I pace a first 10k?" in page
    assert "<strong>too fast</strong>" in page


def test_a_double_submit_makes_one_thread(client, asker, community):
    client.force_login(asker)
    data = new_thread_data(community)
    first = client.post(f"/c/{community.slug}/new/", data)
    second = client.post(f"/c/{community.slug}/new/", data)
    assert Thread.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"title": ""}, "Give your thread a title."),
        ({"title": "x" * 161}, "Keep the title under 160 characters"),
        ({"body": "   "}, "Write something before posting."),
        ({"tags": "a, b, c, d, e, f"}, "Use at most 5 tags"),
        ({"tags": "x" * 31}, "Keep each tag under 30 characters"),
        ({"visibility": "everyone"}, "Choose who can see this."),
    ],
)
def test_bad_thread_input_is_answered_in_the_form_and_kept(
    client, asker, community, overrides, field_message
):
    client.force_login(asker)
    data = new_thread_data(community, **{"body": "My carefully typed words", **overrides})
    response = client.post(f"/c/{community.slug}/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert field_message in html
    if "body" not in overrides:
        assert "My carefully typed words" in html
    assert not Thread.objects.exists()


def test_non_members_cannot_start_threads(client, member_factory, community):
    outsider = member_factory("Outsider")
    client.force_login(outsider)
    response = client.get(f"/c/{community.slug}/new/")
    assert response.status_code == 403
    assert "Join this community" in response.content.decode()
    client.post(f"/c/{community.slug}/new/", new_thread_data(community))
    assert not Thread.objects.exists()


def test_reply_and_double_submit(client, asker, member_factory, community):
    thread = make_thread(asker, community)
    replier = member_factory("Replier")
    join(replier, community)
    client.force_login(replier)
    data = {
        "body": "Start slower than feels right.",
        "visibility": "public",
        "client_token": str(uuid.uuid4()),
    }
    first = client.post(f"/t/{thread.pk}/reply/", data)
    second = client.post(f"/t/{thread.pk}/reply/", data)
    assert Post.objects.filter(thread=thread, is_opening=False).count() == 1
    reply = Post.objects.get(thread=thread, is_opening=False)
    assert first["Location"] == second["Location"] == f"/p/{reply.pk}/"
    permalink = client.get(first["Location"])
    assert permalink["Location"] == f"{thread.get_absolute_url()}#post-{reply.pk}"


def test_an_empty_reply_is_refused_with_the_thread_still_shown(client, asker, community):
    thread = make_thread(asker, community, title="Shoes")
    client.force_login(asker)
    response = client.post(
        f"/t/{thread.pk}/reply/",
        {"body": "", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write something before posting." in html
    assert "Shoes" in html


def test_a_locked_thread_takes_no_replies(client, asker, member_factory, community):
    thread = make_thread(asker, community)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    client.force_login(asker)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "This thread is locked" in page
    response = client.post(
        f"/t/{thread.pk}/reply/",
        {"body": "Sneaking in", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert "This thread is locked" in response.content.decode()
    assert "Sneaking in" in response.content.decode()
    assert thread.posts.count() == 1


def test_a_wrong_slug_redirects(client, asker, community):
    thread = make_thread(asker, community, title="Hill repeats")
    client.force_login(asker)
    response = client.get(f"/t/{thread.pk}/old-title/")
    assert response.status_code == 301
    assert response["Location"] == thread.get_absolute_url()
    assert client.get(f"/t/{thread.pk}/")["Location"] == thread.get_absolute_url()


def test_editing_keeps_the_earlier_version(client, asker, community):
    thread = make_thread(asker, community, body="First words")
    opening = thread.posts.get()
    client.force_login(asker)
    response = client.post(
        f"/p/{opening.pk}/edit/",
        {"title": "A better title", "body": "Second words", "version": opening.version},
    )
    assert response.status_code == 302
    opening.refresh_from_db()
    thread.refresh_from_db()
    assert opening.body == "Second words"
    assert opening.edited_at
    assert thread.title == "A better title"
    assert PostRevision.objects.get(post=opening).body == "First words"
    page = client.get(thread.get_absolute_url()).content.decode()
    assert ">edited</a>" in page
    history = client.get(f"/p/{opening.pk}/history/").content.decode()
    assert "First words" in history and "Second words" in history


def test_only_the_author_edits(client, asker, member_factory, community):
    thread = make_thread(asker, community)
    other = member_factory("Other")
    join(other, community)
    client.force_login(other)
    assert client.get(f"/p/{thread.posts.get().pk}/edit/").status_code == 403


def test_deleting_a_reply_leaves_a_placeholder(client, asker, member_factory, community):
    thread = make_thread(asker, community)
    replier = member_factory("Replier")
    reply = make_reply(replier, thread, body="Regrettable words")
    client.force_login(replier)
    assert "Delete this reply?" in client.get(f"/p/{reply.pk}/delete/").content.decode()
    client.post(f"/p/{reply.pk}/delete/")
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Regrettable words" not in page
    assert "deleted by its author" in page


def test_deleting_the_opening_post_deletes_the_thread(client, asker, community):
    thread = make_thread(asker, community)
    client.force_login(asker)
    client.post(f"/p/{thread.posts.get().pk}/delete/")
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert Thread.objects.filter(pk=thread.pk).exists()  # soft: the retention job removes it


def test_members_upvote_once(client, asker, member_factory, community):
    thread = make_thread(asker, community, kind="idea", title="Night runs")
    voter = member_factory("Voter")
    join(voter, community)
    client.force_login(voter)
    opening = thread.posts.get()
    client.post(f"/p/{opening.pk}/vote/")
    client.post(f"/p/{opening.pk}/vote/")
    opening.refresh_from_db()
    thread.refresh_from_db()
    assert opening.votes == 1
    assert thread.score == 1
    client.post(f"/p/{opening.pk}/vote/", {"up": "0"})
    opening.refresh_from_db()
    assert opening.votes == 0
    client.force_login(asker)
    client.post(f"/p/{opening.pk}/vote/")
    opening.refresh_from_db()
    assert opening.votes == 0  # not on your own post


def test_the_asker_accepts_an_answer(client, asker, member_factory, community):
    thread = make_thread(asker, community, kind="question", title="Cadence?")
    helper = member_factory("Helper")
    answer = make_reply(helper, thread, body="Around 170 steps a minute.")
    client.force_login(asker)
    client.post(f"/t/{thread.pk}/accept/{answer.pk}/")
    thread.refresh_from_db()
    assert thread.accepted_answer == answer
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Solved" in page
    assert page.index("Accepted answer") < page.index("Replies")
    client.force_login(helper)
    assert "accepted your answer" in client.get("/notifications/").content.decode()


def test_a_circle_reply_cannot_be_accepted(client, asker, member_factory, community):
    thread = make_thread(asker, community, kind="question")
    helper = member_factory("Helper")
    answer = make_reply(helper, thread, visibility="circle")
    client.force_login(helper)
    client.post(f"/t/{thread.pk}/accept/{answer.pk}/")
    thread.refresh_from_db()
    assert thread.accepted_answer is None


def test_only_moderators_set_an_idea_status(client, asker, member_factory, community):
    thread = make_thread(asker, community, kind="idea")
    assert thread.idea_status == "new"
    client.force_login(asker)
    client.post(f"/t/{thread.pk}/status/", {"status": "planned"})
    thread.refresh_from_db()
    assert thread.idea_status == "new"
    moderator = member_factory("Mod Person")
    join(moderator, community, role="moderator")
    client.force_login(moderator)
    client.post(f"/t/{thread.pk}/status/", {"status": "planned"})
    thread.refresh_from_db()
    assert thread.idea_status == "planned"


def test_category_sorts_and_pinned_first(client, asker, member_factory, community):
    old = make_thread(asker, community, title="Old question", kind="question")
    top = make_thread(asker, community, title="Popular idea", kind="idea")
    pinned = make_thread(asker, community, title="Read me first")
    Thread.objects.filter(pk=pinned.pk).update(is_pinned=True)
    Thread.objects.filter(pk=top.pk).update(score=10)
    client.force_login(asker)
    url = f"/c/{community.slug}/general/"

    def titles(sort):
        return [t.title for t in client.get(url, {"sort": sort}).context["threads"]]

    assert titles("latest")[0] == "Read me first"
    assert titles("top")[:2] == ["Read me first", "Popular idea"]
    assert titles("unanswered") == ["Old question"]
    assert titles("newest")[1:] == ["Popular idea", "Old question"]
    assert old.pk


def test_tag_filter_and_tag_page(client, asker, community):
    make_thread(asker, community, title="Tagged", tags=["hills"])
    make_thread(asker, community, title="Untagged")
    client.force_login(asker)
    listed = client.get(f"/c/{community.slug}/general/", {"tag": "hills"}).context["threads"]
    assert [t.title for t in listed] == ["Tagged"]
    page = client.get("/tags/hills/").content.decode()
    assert "Tagged" in page and "Untagged" not in page


def _link(response, rel):
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(found[1]) if found else None


def test_threads_paginate_older_and_newer(client, asker, community, settings):
    settings.HEARTH_THREADS_PER_PAGE = 2
    for number in range(5):
        make_thread(asker, community, title=f"Thread {number}")
    client.force_login(asker)
    url = f"/c/{community.slug}/general/"
    pages, response = [], client.get(url)
    while True:
        pages.append([t.title for t in response.context["threads"]])
        if not (older := _link(response, "next")):
            break
        response = client.get(url + older)
    assert pages == [["Thread 4", "Thread 3"], ["Thread 2", "Thread 1"], ["Thread 0"]]
    assert _link(response, "prev"), "the last page leads back"
    back = client.get(url + _link(response, "prev"))
    assert [t.title for t in back.context["threads"]] == ["Thread 2", "Thread 1"]
    first = client.get(url + _link(back, "prev"))
    assert [t.title for t in first.context["threads"]] == ["Thread 4", "Thread 3"]
    assert _link(first, "prev") is None, "the first page has nothing newer"


def test_a_cursor_that_is_not_ours_shows_the_first_page(client, asker, community):
    make_thread(asker, community, title="Only")
    client.force_login(asker)
    for cursor in ["x", "1.2.3.4.5", "1." + "9" * 40 + ".1", ""]:
        response = client.get(f"/c/{community.slug}/general/", {"older": cursor})
        assert response.status_code == 200
        assert [t.title for t in response.context["threads"]] == ["Only"]


def test_mentions_link_and_notify(client, asker, member_factory, community):
    sam = member_factory("Quiet Sam")
    join(sam, community)
    thread = make_thread(asker, community, body="What do you think, @Quiet Sam?")
    html = thread.posts.get().body_html
    assert f'href="/members/{sam.handle}/"' in html
    client.force_login(sam)
    assert "Asker mentioned you in “A thread”." in client.get("/notifications/").content.decode()


def test_a_reply_that_leaves_the_public_view_no_longer_moves_its_thread(
    asker, member_factory, community
):
    from forums.services import post_delete

    quiet = make_thread(asker, community, title="Quiet")
    busy = make_thread(asker, community, title="Busy")
    replier = member_factory("Replier")
    reply = make_reply(replier, quiet)
    order = list(Thread.objects.order_by("-bumped_at").values_list("title", flat=True))
    assert order == ["Quiet", "Busy"]
    post_delete(post=reply, by=replier)
    order = list(Thread.objects.order_by("-bumped_at").values_list("title", flat=True))
    assert order == ["Busy", "Quiet"]
    assert busy.pk


@pytest.mark.parametrize("title", ["Reply", "Follow", "Status", "Accept"])
def test_titles_never_collide_with_thread_actions(client, asker, community, title):
    thread = make_thread(asker, community, title=title)
    client.force_login(asker)
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert client.get(f"/p/{thread.posts.get().pk}/", follow=True).status_code == 200


def test_category_slugs_cannot_take_a_communitys_own_pages(community):
    from django.core.exceptions import ValidationError

    from forums.models import Category

    for slug in ["new", "join", "leave", "feed"]:
        with pytest.raises(ValidationError):
            Category(community=community, name=slug, slug=slug).full_clean()


def test_a_mail_server_that_is_down_loses_no_post(
    client, asker, member_factory, community, settings
):
    """Notifications and their e-mails are a worker's job, queued with the reply: the
    request neither waits for the mail server nor fails with it (tests/test_tasks.py shows
    the worker retrying)."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    settings.HEARTH_TASKS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    thread = make_thread(asker, community)
    replier = member_factory("Replier")
    join(replier, community)
    client.force_login(replier)
    response = client.post(
        f"/t/{thread.pk}/reply/",
        {"body": "Saved anyway", "visibility": "public", "client_token": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    post = Post.objects.get(body="Saved anyway")
    jobs = ProcrastinateJob.objects.filter(task_name="forums.tasks.announce_post", status="todo")
    assert {"post_id": post.pk, "mentioned_ids": []} in [job.args for job in jobs]


def test_a_reply_sent_back_shows_the_thread_as_the_member_sees_it(
    client, asker, member_factory, community
):
    """A reply refused (or previewed) comes back on the thread page as it really stands for
    the member: followed, their votes pressed, the accepted answer in its place."""
    from forums import services

    thread = make_thread(asker, community, kind="question", title="Pacing")
    helper = member_factory("Helper")
    answer = make_reply(helper, thread, body="Try intervals.")
    services.thread_accept_answer(thread=thread, post=answer, by=asker)
    services.post_vote(post=answer, member=asker)
    client.force_login(asker)

    page = client.post(
        f"/t/{thread.pk}/reply/",
        {"body": "", "visibility": "public", "client_token": str(uuid.uuid4())},
    ).content.decode()

    assert "Stop following" in page
    assert 'aria-label="Accepted answer"' in page
    assert 'aria-pressed="true"' in page
