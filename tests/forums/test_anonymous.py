"""Anonymous posts: shown as "Anonymous member" to everyone but their author, on every page,
list, count, search result, tag page, notification, e-mail, feed and profile, and in the
admin to moderators, who act on the post without learning who wrote it.

The author here has a display name found nowhere else ("Quillon Vesper"), and posts only
anonymously: any page but their own that carries the name (or their handle) leaks it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.services import circle_add
from forums import services
from forums.models import (
    ModerationAction,
    ModerationQueueItem,
    Notification,
    PendingPost,
    Post,
    Report,
    Thread,
)
from forums.moderation import services as moderation
from tests.factories import (
    join,
    make_community,
    make_community_manager,
    make_member,
    make_reply,
    make_thread,
    make_volunteer,
)

SECRET_NAME = "Quillon Vesper"
SECRETS = ["quillon", "vesper"]
SORTS = ["latest", "newest", "top", "unanswered"]


def _secrets_in(text):
    lowered = text.lower()
    return [secret for secret in SECRETS if secret in lowered]


@pytest.fixture
def harbour(db):
    return make_community(
        "Harbour", kind="peer_support", read_access="members", allows_anonymous=True
    )


@pytest.fixture
def people(harbour):
    author = make_member(SECRET_NAME)
    reader = make_member("Reader One")
    friend = make_member("Circle Friend")
    for member in (author, reader, friend):
        join(member, harbour)
    circle_add(owner=author, member=friend)
    return author, reader, friend


def _start(author, community, **fields):
    join(author, community)
    fields.setdefault("kind", "discussion")
    fields.setdefault("visibility", "public")
    return services.thread_create(
        author=author, category=community.categories.first(), anonymous=True, **fields
    )


@pytest.fixture
def world(harbour, people, django_capture_on_commit_callbacks):
    """An anonymous question (tagged, mentioning Reader One), its author's reply there and
    accepted answer; an anonymous circle thread; an anonymous reply in Reader One's thread,
    which is the last post there; and a report of it."""
    author, reader, friend = people
    with django_capture_on_commit_callbacks(execute=True):
        services.category_follow(category=harbour.categories.first(), member=reader)
        question = _start(
            author,
            harbour,
            kind="question",
            title="Nights are the hardest",
            body="@Reader One how do you cope?",
            tags=["sleepless"],
        )
        answer = make_reply(reader, question, body="Routine helps, and a walk.")
        services.post_create(author=author, thread=question, body="Thank you.", visibility="public")
        services.thread_accept_answer(thread=question, post=answer, by=author)
        circle = _start(
            author, harbour, title="Only for friends", body="Between us.", visibility="circle"
        )
        readers_thread = make_thread(reader, harbour, title="Tea and talk", body="Anyone?")
        reply = services.post_create(
            author=author,
            thread=readers_thread,
            body="Me, with sleepless nights.",
            visibility="public",
            anonymous=True,
        )
    Report.objects.create(post=reply, reporter=reader, reason="other", details="Check on them")
    return {
        "question": question,
        "circle": circle,
        "readers_thread": readers_thread,
        "reply": reply,
        "answer": answer,
    }


def member_pages(world, harbour):
    yield "/"
    yield f"/c/{harbour.slug}/"
    yield f"/c/{harbour.slug}/feed/"
    for sort in SORTS:
        yield f"/c/{harbour.slug}/general/?sort={sort}"
    for thread in Thread.objects.all():
        yield thread.get_absolute_url()
    yield "/tags/sleepless/"
    for q in ["sleepless", "nights", "friends", "thank"]:
        yield f"/search/?q={q}"
    yield "/notifications/"
    yield "/members/reader-one/"
    yield "/members/circle-friend/"
    for post in Post.objects.all():
        yield f"/p/{post.pk}/report/"
        yield f"/p/{post.pk}/history/"


def test_no_member_page_names_an_anonymous_author(client, world, harbour, people):
    """For the circle friend (who sees the circle thread too) and Reader One, every page
    they reach shows "Anonymous member" where the author would be, and never their name."""
    author, reader, friend = people
    for viewer in (reader, friend):
        client.force_login(viewer)
        shown = ""
        for url in member_pages(world, harbour):
            response = client.get(url, follow=True)
            page = response.content.decode()
            assert not _secrets_in(page), f"{url} names the author to {viewer}"
            shown += page
        assert "Anonymous member" in shown
        assert "Nights are the hardest" in shown
    assert "Only for friends" in shown  # the circle thread reached the author's circle


def test_an_anonymous_circle_post_is_worded_for_its_circle_without_a_name(client, world, people):
    author, reader, friend = people
    client.force_login(friend)
    page = client.get(world["circle"].get_absolute_url()).content.decode()
    assert "Anonymous member’s circle" in page
    client.force_login(reader)
    assert client.get(world["circle"].get_absolute_url()).status_code == 404


def test_the_author_sees_their_own_anonymous_posts_marked_and_may_edit_them(client, world, people):
    author, reader, friend = people
    client.force_login(author)
    page = client.get(world["question"].get_absolute_url()).content.decode()
    assert "you, anonymously" in page
    assert f"/p/{world['question'].posts.get(is_opening=True).pk}/edit/" in page
    profile = client.get(author.get_absolute_url()).content.decode()
    assert "Nights are the hardest" in profile and "you, anonymously" in profile
    client.force_login(reader)
    assert (
        "you, anonymously" not in client.get(world["question"].get_absolute_url()).content.decode()
    )


def test_the_profile_never_lists_anonymous_posts_to_others(client, world, people):
    author, reader, friend = people
    for viewer in (reader, friend):
        client.force_login(viewer)
        profile = client.get(author.get_absolute_url()).content.decode()
        for title in ("Nights are the hardest", "Only for friends", "Tea and talk"):
            assert title not in profile


def test_notifications_and_e_mails_say_anonymous_member(world, people):
    """The mention, the reply and the accepted answer reach Reader One from
    "Anonymous member"; no row records who."""
    author, reader, friend = people
    heard = Notification.objects.filter(recipient=reader)
    kinds = set(heard.values_list("kind", flat=True))
    assert {"mention", "accepted", "reply"} <= kinds
    assert not Notification.objects.filter(actor=author).exists()
    sentences = [services.notification_sentence(notification) for notification in heard]
    assert "Anonymous member mentioned you in “Nights are the hardest”." in sentences
    assert "Anonymous member accepted your answer in “Nights are the hardest”." in sentences
    for message in mail.outbox:
        assert not _secrets_in(message.subject + message.body)


def test_the_thread_author_replies_anonymously_in_their_anonymous_thread(world):
    question = world["question"]
    assert set(
        question.posts.filter(author=question.author).values_list("is_anonymous", flat=True)
    ) == {True}
    assert question.is_anonymous


def test_a_community_that_does_not_allow_it_takes_no_anonymous_posts(db, client, people):
    author, reader, friend = people
    closed = make_community("Closed")
    join(author, closed)
    with pytest.raises(ValidationError):
        services.thread_create(
            author=author,
            category=closed.categories.first(),
            kind="discussion",
            title="Hello",
            body="Hi.",
            visibility="public",
            anonymous=True,
        )
    client.force_login(author)
    assert "Post anonymously" not in client.get(f"/c/{closed.slug}/new/").content.decode()


def test_posting_anonymously_through_the_form(client, harbour, people):
    author, reader, friend = people
    client.force_login(author)
    form = client.get(f"/c/{harbour.slug}/new/")
    assert "Post anonymously" in form.content.decode()
    response = client.post(
        f"/c/{harbour.slug}/new/",
        {
            "category": harbour.categories.first().pk,
            "kind": "question",
            "title": "A worry",
            "body": "Words I tell no one.",
            "visibility": "public",
            "tags": "",
            "anonymous": "on",
            "client_token": form.context["form"]["client_token"].value(),
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get(title="A worry")
    assert thread.is_anonymous and thread.posts.get().is_anonymous
    client.force_login(reader)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Anonymous member" in page and SECRET_NAME not in page


# ----------------------------------------------------------------------------- moderation

ADMIN_MODELS = [Thread, Post, ModerationQueueItem, PendingPost, Report, ModerationAction]


def _admin_pages(client):
    for model in ADMIN_MODELS:
        info = model._meta.app_label, model._meta.model_name
        url = reverse("admin:{}_{}_changelist".format(*info))
        yield url
        changelist = client.get(url).context["cl"]
        for spec in changelist.filter_specs:
            for choice in spec.choices(changelist):
                yield url + choice["query_string"]
        yield url + "?q=quillon"
        for pk in model._meta.concrete_model._default_manager.values_list("pk", flat=True):
            yield reverse("admin:{}_{}_change".format(*info), args=[pk])
            yield reverse("admin:{}_{}_history".format(*info), args=[pk])


@pytest.fixture
def volunteer(harbour):
    return make_volunteer(harbour)


def test_moderators_act_on_an_anonymous_post_and_reach_its_author_unnamed(
    client, world, people, volunteer
):
    """Hide, warn, suspend and ban from the moderation queue reach the author; no admin
    page of the volunteer's names them, searches for the name find nothing, and no list
    filter offers it."""
    author, reader, friend = people
    reply = world["reply"]
    client.force_login(volunteer)
    queue = client.get("/admin/forums/moderationqueueitem/").content.decode()
    assert "Me, with sleepless nights." in queue and "Anonymous member" in queue
    confirm = client.get(f"/admin/forums/moderationqueueitem/moderate/warn/?ids={reply.pk}")
    assert not _secrets_in(confirm.content.decode())
    for action, data in [
        ("warn", {"reason": "Please take care of yourself here."}),
        ("suspend", {"reason": "A pause.", "days": 1}),
        ("hide", {"reason": "Too much detail."}),
    ]:
        response = client.post(
            f"/admin/forums/moderationqueueitem/moderate/{action}/?ids={reply.pk}", data
        )
        assert response.status_code == 302, action
    told = [n.message for n in Notification.objects.filter(recipient=author, kind="moderation")]
    assert any("Please take care of yourself" in message for message in told)
    assert any("suspended you" in message for message in told)
    assert author.memberships.get().suspended_until is not None
    moderation.member_ban(
        member=author, community=reply.thread.community, by=volunteer, reason="x", post=reply
    )

    for url in _admin_pages(client):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        if "?q=quillon" in url:  # the page repeats what was typed: it must find nothing
            assert response.context["cl"].result_count == 0, url
            continue
        assert not _secrets_in(response.content.decode()), f"{url} names the author"
    history = client.get(f"/admin/forums/moderationaction/?member__id__exact={author.pk}")
    assert history.context["cl"].result_count == 0


# --------------------------------------------------------------------------------- reveal


@pytest.fixture
def manager(db):
    return make_community_manager()


def test_volunteer_moderators_cannot_reveal_an_author(client, world, volunteer):
    reply = world["reply"]
    client.force_login(volunteer)
    url = reverse("admin:forums_post_reveal", args=[reply.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Curious."}).status_code == 403
    change = client.get(reverse("admin:forums_post_change", args=[reply.pk])).content.decode()
    assert "Reveal who wrote it" not in change
    with pytest.raises(PermissionDenied):
        moderation.post_reveal_author(post=reply, by=volunteer, reason="Curious.")
    assert not ModerationAction.objects.filter(kind="reveal").exists()


def test_a_manager_reveals_with_a_reason_audited_and_the_author_told(
    client, world, people, manager, volunteer
):
    author, reader, friend = people
    reply = world["reply"]
    client.force_login(manager)
    change = client.get(reverse("admin:forums_post_change", args=[reply.pk])).content.decode()
    assert "Reveal who wrote it" in change and not _secrets_in(change)
    url = reverse("admin:forums_post_reveal", args=[reply.pk])
    asked = client.get(url).content.decode()
    assert not _secrets_in(asked)
    refused = client.post(url, {"reason": ""})
    assert not _secrets_in(refused.content.decode())
    assert not ModerationAction.objects.filter(kind="reveal").exists()

    revealed = client.post(url, {"reason": "A safeguarding concern."}).content.decode()
    assert SECRET_NAME in revealed
    logged = ModerationAction.objects.get(kind="reveal")
    assert (logged.moderator, logged.member, logged.post) == (manager, author, reply)
    assert logged.reason == "A safeguarding concern."
    told = Notification.objects.get(recipient=author, kind="moderation")
    assert "found out that you wrote" in told.message
    assert "A safeguarding concern." in told.message
    # The audit log names the author to community managers, and to them alone.
    assert SECRET_NAME in client.get("/admin/forums/moderationaction/").content.decode()
    client.force_login(volunteer)
    log = client.get("/admin/forums/moderationaction/").content.decode()
    assert "Revealed an anonymous author" in log and not _secrets_in(log)
    # And the post stays anonymous everywhere else.
    client.force_login(reader)
    page = client.get(world["readers_thread"].get_absolute_url()).content.decode()
    assert not _secrets_in(page)


def test_a_post_not_posted_anonymously_has_nothing_to_reveal(client, world, manager):
    client.force_login(manager)
    named = world["answer"]
    assert client.get(reverse("admin:forums_post_reveal", args=[named.pk])).status_code == 404


def test_the_author_s_own_archive_keeps_their_anonymous_posts_marked(world, people):
    """The data export is its member's alone: the author's holds their anonymous posts,
    marked as such; another member's holds none of them."""
    import json

    from accounts.export import archive_chunks

    author, reader, friend = people
    archive = json.loads("".join(archive_chunks(author)))
    posts = {post["body"]: post["posted_anonymously"] for post in archive["posts"]}
    assert posts["Me, with sleepless nights."] is True
    assert all(thread["posted_anonymously"] for thread in archive["threads"])
    others = "".join(archive_chunks(reader))
    assert "Me, with sleepless nights." not in others and not _secrets_in(others)


def test_the_thread_author_is_told_their_replies_there_are_anonymous(client, world, people):
    author, reader, friend = people
    client.force_login(author)
    page = client.get(world["question"].get_absolute_url()).content.decode()
    assert "your replies here are anonymous too" in page
    assert 'name="anonymous"' not in page
    client.force_login(reader)
    page = client.get(world["question"].get_absolute_url()).content.decode()
    assert "your replies here are anonymous too" not in page
    assert 'name="anonymous"' in page


def test_a_member_s_history_in_the_queue_leaves_out_what_they_got_anonymously(
    client, world, people, volunteer
):
    """A warning given through an anonymous post is not counted in the "earlier actions"
    beside the author's named posts: the count would be one higher than the list it links
    to, and tell that they posted anonymously."""
    author, reader, friend = people
    moderation.member_warn(
        member=author,
        community=world["reply"].thread.community,
        by=volunteer,
        reason="Care",
        post=world["reply"],
    )
    moderation.member_warn(
        member=author, community=world["reply"].thread.community, by=volunteer, reason="Named"
    )
    named = Post.objects.get(pk=make_reply(author, world["readers_thread"], body="Named words.").pk)
    Report.objects.create(post=named, reporter=reader, reason="other")
    client.force_login(volunteer)
    queue = client.get("/admin/forums/moderationqueueitem/")
    row = next(item for item in queue.context["cl"].result_list if item.pk == named.pk)
    assert row.history_count == 1
    listed = client.get(f"/admin/forums/moderationaction/?member__id__exact={author.pk}")
    assert listed.context["cl"].result_count == 1
