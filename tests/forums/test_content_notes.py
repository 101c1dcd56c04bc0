"""Content notes (issue #13, part C): an author's few words ("self-harm") that fold the post's
body behind them on every page that shows it, without JavaScript (`<details>`); a member may
choose to have such posts shown open, the note still above them. E-mails carry neither the
body nor the note."""

import html
import re
import uuid

import pytest

from forums.models import Post, PostRevision, Thread
from forums.services import post_create, post_edit, thread_accept_answer
from tests.factories import join, make_community, make_reply, make_thread

NOTE = "pregnancy loss"
BODY_WORD = "Quillfeather"  # in the noted post's body alone


@pytest.fixture
def community(db):
    return make_community("Gentle Steps", read_access="open")


@pytest.fixture
def author(member_factory, community):
    author = member_factory("Lantern Moth")
    join(author, community)
    return author


@pytest.fixture
def reader(member_factory, community):
    reader = member_factory("Quiet Reader")
    join(reader, community)
    return reader


def noted_reply(author, thread, body=f"What happened to us. {BODY_WORD}.", note=NOTE):
    join(author, thread.community)
    return post_create(
        author=author, thread=thread, body=body, visibility="public", content_note=note
    )


def folds(page, note=NOTE, word=BODY_WORD, what="post"):
    """The <details> folding `word` behind `note`, and whether it starts open; fails when
    `word` shows anywhere outside a fold."""
    text = page if isinstance(page, str) else page.content.decode()
    pattern = re.compile(
        r'<details class="content-note"(?P<open> open)?>\s*<summary>'
        r'<span class="content-note__label">Content note:</span> (?P<note>[^<]*)'
        r'<span class="content-note__show"> — show (?P<what>[^<]*)</span>'
        r'<span class="content-note__fold"> — fold [^<]*</span>\s*</summary>'
        r"(?P<inside>.*?)</details>",
        re.DOTALL,
    )
    found = [m for m in pattern.finditer(text) if word in m["inside"]]
    assert found, f"no fold around {word!r}"
    outside = pattern.sub("", text)
    assert word not in outside, f"{word!r} shows outside its fold"
    match = found[0]
    assert html.unescape(match["note"]) == note
    assert match["what"] == what
    return bool(match["open"])


# ------------------------------------------------------------------------ the write door


def test_a_reply_and_a_thread_keep_their_note_tidied_to_one_line(author, community):
    thread = make_thread(author, community)
    reply = noted_reply(author, thread, note="  self-harm \n  and  recovery ")
    assert reply.content_note == "self-harm and recovery"
    from forums.services import thread_create

    started = thread_create(
        author=author,
        category=community.categories.first(),
        kind="discussion",
        title="Our story",
        body="The words.",
        visibility="public",
        content_note=NOTE,
    )
    assert started.posts.get().content_note == NOTE
    assert make_reply(author, thread).content_note == "", "a note is optional"


def test_editing_the_note_alone_keeps_the_earlier_one_in_the_history(author, community):
    post = make_thread(author, community, body="Words.").posts.get()
    post_edit(post=post, by=author, body="Words.", content_note=NOTE)
    post.refresh_from_db()
    assert post.content_note == NOTE
    assert post.edited_at is not None
    [before] = PostRevision.objects.filter(post=post)
    assert (before.body, before.content_note) == ("Words.", "")

    post_edit(post=post, by=author, body="Other words.", content_note="")
    post.refresh_from_db()
    assert (post.body, post.content_note) == ("Other words.", "")
    latest = PostRevision.objects.filter(post=post).order_by("-pk").first()
    assert (latest.body, latest.content_note) == ("Words.", NOTE)


def test_an_edit_that_names_no_note_leaves_it_as_it_is(author, community):
    post = noted_reply(author, make_thread(author, community))
    post_edit(post=post, by=author, body="New words.")
    post.refresh_from_db()
    assert post.content_note == NOTE


def test_a_note_changed_in_another_tab_makes_an_edit_stale(author, community):
    from forums.services import StaleEdit

    post = make_thread(author, community, body="Words.").posts.get()
    started_from = post.version
    post_edit(post=post, by=author, body="Words.", content_note=NOTE)
    with pytest.raises(StaleEdit):
        post_edit(post=post, by=author, body="Words.", content_note="", based_on=started_from)


def test_search_finds_a_post_by_its_note(client, author, reader, community):
    noted_reply(author, make_thread(author, community), note="miscarriage")
    client.force_login(reader)
    response = client.get("/search/", {"q": "miscarriage"})
    assert response.context["results"].paginator.count == 1


def test_erasing_a_post_erases_its_note(author, community):
    from forums.services import posts_erase

    post = noted_reply(author, make_thread(author, community))
    posts_erase([post.pk])
    post.refresh_from_db()
    assert post.content_note == ""


# -------------------------------------------------------------------------------- the forms


def reply_data(**overrides):
    return {
        "body": f"Our story. {BODY_WORD}.",
        "visibility": "public",
        "client_token": str(uuid.uuid4()),
        "content_note": NOTE,
        **overrides,
    }


def test_a_reply_with_a_note_through_the_form(client, author, community):
    thread = make_thread(author, community)
    client.force_login(author)
    response = client.post(f"/t/{thread.pk}/reply/", reply_data())
    assert response.status_code == 302
    assert Post.objects.get(body__contains=BODY_WORD).content_note == NOTE


def test_the_forms_offer_the_note_with_its_help(client, author, community):
    thread = make_thread(author, community)
    client.force_login(author)
    for url in [
        f"/c/{community.slug}/new/",
        thread.get_absolute_url(),
        f"/p/{thread.posts.get().pk}/edit/",
    ]:
        page = client.get(url).content.decode()
        assert (
            '<label for="id_content_note">Content note <span class="optional">(optional)</span>'
            in page
        ), url
        assert "folded behind them on every page" in page, url
        assert 'maxlength="60"' in re.search(r'<input[^>]*name="content_note"[^>]*>', page)[0]


def test_too_long_a_note_is_answered_at_the_field_with_everything_kept(client, author, community):
    thread = make_thread(author, community)
    client.force_login(author)
    long_note = "a note that goes on and on, far longer than a few words could ever need"
    response = client.post(f"/t/{thread.pk}/reply/", reply_data(content_note=long_note))
    assert response.status_code == 400
    assert not Post.objects.filter(body__contains=BODY_WORD).exists()
    page = response.content.decode()
    field = page.split('<input type="text" name="content_note"')[1]
    assert f'value="{long_note}"' in field.split(">")[0]
    errors = response.context["form"].errors["content_note"]
    assert errors == [
        f"Keep the content note to 60 characters (it has {len(long_note)}): a few words are enough."
    ]
    assert f"Our story. {BODY_WORD}." in page  # the body kept in its box


def test_the_edit_form_starts_from_the_note_and_changes_it(client, author, community):
    post = noted_reply(author, make_thread(author, community))
    client.force_login(author)
    page = client.get(f"/p/{post.pk}/edit/").content.decode()
    assert f'value="{NOTE}"' in re.search(r'<input[^>]*name="content_note"[^>]*>', page)[0]
    response = client.post(
        f"/p/{post.pk}/edit/",
        {"body": post.body, "content_note": "loss", "version": post.version},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.content_note == "loss"


def test_a_stale_edit_shows_the_saved_text_folded_behind_its_note(client, author, community):
    post = make_thread(author, community, body="Words.").posts.get()
    started_from = post.version
    post_edit(post=post, by=author, body=f"Saved {BODY_WORD}.", content_note=NOTE)
    client.force_login(author)
    response = client.post(
        f"/p/{post.pk}/edit/",
        {"title": post.thread.title, "body": "Mine.", "version": started_from},
    )
    assert "was changed since you began editing" in response.content.decode()
    assert folds(response) is False


def test_the_preview_shows_the_post_behind_its_note_open_for_its_author(client, author, community):
    thread = make_thread(author, community)
    client.force_login(author)
    response = client.post(f"/t/{thread.pk}/reply/", reply_data(preview="1"))
    assert response.status_code == 200
    page = response.content.decode()
    preview = page.split('id="body-preview"')[1]
    assert (
        "Others see it folded behind its content note, unless they chose to see such posts "
        "unfolded." in preview
    )
    assert folds(preview) is True
    assert not Post.objects.filter(body__contains=BODY_WORD).exists()


def test_a_preview_without_a_note_has_no_fold(client, author, community):
    thread = make_thread(author, community)
    client.force_login(author)
    response = client.post(f"/t/{thread.pk}/reply/", reply_data(preview="1", content_note=""))
    assert 'class="content-note"' not in response.content.decode()


# ------------------------------------------------------------------------ every page type


def test_the_thread_page_folds_a_noted_reply_for_everyone(
    client, author, reader, community, settings
):
    settings.HEARTH_MEMBERS_ONLY = False  # the signed-out read it too
    thread = make_thread(author, community)
    noted_reply(author, thread)
    make_reply(author, thread, body="An ordinary reply.")
    for viewer in [None, reader, author]:
        if viewer:
            client.force_login(viewer)
        response = client.get(thread.get_absolute_url())
        assert folds(response) is False, viewer
        assert "An ordinary reply." in response.content.decode()
        assert response.content.decode().count('class="content-note"') == 1


def test_the_opening_post_and_the_accepted_answer_fold(client, author, reader, community):
    from forums.services import thread_create

    thread = thread_create(
        author=author,
        category=community.categories.first(),
        kind="question",
        title="Where to start?",
        body="The opening words, Emberwick.",
        visibility="public",
        content_note="grief",
    )
    answer = noted_reply(reader, thread)
    thread_accept_answer(thread=thread, post=answer, by=author)
    client.force_login(reader)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert folds(page, note="grief", word="Emberwick") is False
    accepted = page.split('<section class="accepted-answer"')[1].split("</section>")[0]
    assert folds(accepted) is False
    assert page.count(f"{BODY_WORD}.") == 2, "the answer, in its block and among the replies"


def test_a_member_who_chose_it_sees_noted_posts_open_with_the_note(
    client, author, reader, community
):
    thread = make_thread(author, community)
    noted_reply(author, thread)
    client.force_login(reader)
    response = client.post("/settings/reading/", {"fold_content_notes": "False"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.fold_content_notes is False
    assert folds(client.get(thread.get_absolute_url())) is True
    client.post("/settings/reading/", {"fold_content_notes": "True"})
    assert folds(client.get(thread.get_absolute_url())) is False


def test_the_reading_settings_page(client, reader):
    client.force_login(reader)
    response = client.get("/settings/reading/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page">Reading</a>' in page
    assert "folded behind its note on every page" in page
    checked = re.search(r'<input[^>]*name="fold_content_notes"[^>]*checked[^>]*>', page)[0]
    assert 'value="True"' in checked, "folded unless the member chooses otherwise"
    assert "Always fold them behind their note" in page
    assert "Show them unfolded, with the note above the post" in page
    response = client.post("/settings/reading/", {})
    assert response.context["form"].errors["fold_content_notes"] == [
        "Choose how posts with a content note show to you."
    ]


def test_members_start_with_noted_posts_folded(member):
    assert member.fold_content_notes is True


def test_the_history_folds_every_version_with_a_note(client, author, reader, community):
    post = make_thread(author, community, body=f"First {BODY_WORD} words.").posts.get()
    post_edit(post=post, by=author, body=f"Second {BODY_WORD} words.", content_note=NOTE)
    post_edit(post=post, by=author, body="Third words.", content_note="")
    client.force_login(reader)
    page = client.get(f"/p/{post.pk}/history/").content.decode()
    assert "Third words." in page  # no note now: shown as it is
    assert "First " in page
    second = page.split("Before, from")[1]
    assert folds(second.split("</section>")[0], what="this version") is False
    first = page.split("Before, from")[2].split("</section>")[0]
    assert "content-note" not in first, "the first version had no note"


def test_search_folds_a_noted_posts_excerpt(client, author, reader, community):
    noted_reply(author, make_thread(author, community, title="Walking again"))
    make_reply(author, Thread.objects.get(), body=f"Unfolded {BODY_WORD}")
    client.force_login(reader)
    response = client.get("/search/", {"q": BODY_WORD})
    page = response.content.decode()
    assert response.context["results"].paginator.count == 2
    # The match is marked inside the fold; the other post's excerpt shows as before.
    noted = page.split('<details class="content-note"')[1].split("</details>")[0]
    assert "— show excerpt" in noted
    assert f"<mark>{BODY_WORD}</mark>" in noted
    assert f"Unfolded <mark>{BODY_WORD}</mark>" in page.replace(noted, "")


def test_the_profile_and_thread_lists_show_no_text_of_a_noted_post(
    client, author, reader, community
):
    thread = make_thread(author, community, title="Walking again", tags=["grief"])
    noted_reply(author, thread)
    client.force_login(reader)
    for url in [
        "/tags/grief/",
        author.get_absolute_url(),
        community.get_absolute_url(),
        f"/c/{community.slug}/general/",
        "/",
    ]:
        page = client.get(url).content.decode()
        assert "Walking again" in page, url
        assert BODY_WORD not in page, url


def test_the_feed_names_the_note_and_never_the_text(client, author, community):
    from forums.services import thread_create

    thread_create(
        author=author,
        category=community.categories.first(),
        kind="discussion",
        title="Our story",
        body=f"The words {BODY_WORD}.",
        visibility="public",
        content_note=NOTE,
    )
    make_thread(author, community, title="Plain", body=f"Plain {BODY_WORD}")
    client.force_login(author)
    feed = client.get(f"/c/{community.slug}/feed/").content.decode()
    assert f"Discussion by Lantern Moth. Content note: {NOTE}" in feed
    assert feed.count("Content note:") == 1
    assert BODY_WORD not in feed


def test_the_feed_forgets_the_note_of_a_deleted_opening_post(client, author, reader, community):
    from forums.services import post_delete, thread_create

    thread = thread_create(
        author=author,
        category=community.categories.first(),
        kind="discussion",
        title="Our story",
        body="Words.",
        visibility="public",
        content_note=NOTE,
    )
    make_reply(reader, thread)  # the thread stays for it
    post_delete(post=thread.posts.get(is_opening=True), by=author)
    client.force_login(reader)
    assert NOTE not in client.get(f"/c/{community.slug}/feed/").content.decode()


# ---------------------------------------------------------------------------------- e-mails


def test_emails_carry_neither_the_body_nor_the_note(
    author, reader, community, mailoutbox, django_capture_on_commit_callbacks
):
    from forums import digest
    from forums.services import thread_create

    reader.weekly_digest = True
    reader.save()
    thread = make_thread(reader, community, title="Reader's question")
    with django_capture_on_commit_callbacks(execute=True):
        noted_reply(author, thread, body=f"@Quiet Reader {BODY_WORD}")
        thread_create(
            author=author,
            category=community.categories.first(),
            kind="discussion",
            title="Our story",
            body=f"The words {BODY_WORD}.",
            visibility="public",
            content_note=NOTE,
        )
    from django.utils import timezone

    digest.digest_send(member_id=reader.pk, until=timezone.now())
    assert len(mailoutbox) >= 2, "a mention (or reply) e-mail and the digest"
    for message in mailoutbox:
        assert BODY_WORD not in message.subject + message.body
        assert NOTE not in message.subject + message.body
    assert "Our story" in mailoutbox[-1].body, "the digest names the thread's title alone"


# ---------------------------------------------------------------------------- the admin


def test_moderators_read_a_reported_posts_note_before_its_text(client, author, reader, community):
    from forums.moderation import services as moderation
    from tests.factories import make_volunteer

    post = noted_reply(author, make_thread(author, community))
    moderation.report_create(post=post, reporter=reader, reason="harmful")
    client.force_login(make_volunteer(community))
    queue = client.get("/admin/forums/moderationqueueitem/").content.decode()
    note = f"<p><strong>Content note:</strong> {NOTE}</p>"
    assert note in queue
    assert queue.index(note) < queue.index(BODY_WORD)


def test_a_new_thread_with_a_note_through_the_form_and_its_preview(client, author, community):
    client.force_login(author)
    data = {
        "category": community.categories.first().pk,
        "kind": "discussion",
        "title": "Our story",
        "body": f"The words {BODY_WORD}.",
        "visibility": "public",
        "tags": "",
        "client_token": str(uuid.uuid4()),
        "content_note": NOTE,
    }
    preview = client.post(f"/c/{community.slug}/new/", {**data, "preview": "1"})
    assert folds(preview.content.decode().split('id="body-preview"')[1]) is True
    assert not Thread.objects.exists()
    response = client.post(f"/c/{community.slug}/new/", data)
    assert response.status_code == 302
    assert Thread.objects.get().posts.get().content_note == NOTE
