"""Preview on the new-thread, reply and edit forms: the post as posting would render it, with
everything typed kept, nothing written, nobody told and the one-time token still unused."""

import html
import re
import uuid

import pytest
from django.apps import apps

from forums.markdown import render_markdown
from forums.models import Notification, Post, PostRevision, Thread
from tests.factories import join, make_community, make_reply, make_thread

# Raw HTML, a javascript: link, Markdown and a mention, all in one body.
RISKY_BODY = (
    "Try **intervals** <script>alert('x')</script>\n\n"
    "[click me](javascript:alert(1)) and [the plan](https://example.org/plan)\n\n"
    "Ask @Quiet Sam, please."
)
PREVIEW = re.compile(
    r'<section class="preview" id="body-preview" aria-labelledby="body-preview-heading">\s*'
    r'<h(?P<level>\d) id="body-preview-heading" class="preview__heading">Preview</h\d>\s*'
    r'<p class="preview__note">Not posted yet — this is how your post will look.</p>\s*'
    r'<div class="post__body">(?P<html>.*?)</div>\s*</section>',
    re.DOTALL,
)


@pytest.fixture
def community(db):
    return make_community("Runners")


@pytest.fixture
def author(member_factory, community):
    author = member_factory("Author")
    join(author, community)
    return author


@pytest.fixture
def sam(member_factory, community):
    """A member the risky body mentions: a post would tell them, a preview must not."""
    sam = member_factory("Quiet Sam")
    join(sam, community)
    return sam


def every_row_count():
    """How many rows each table holds, Procrastinate's jobs included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def preview_of(response):
    """The preview region's level and rendered HTML, or None when the page shows none."""
    match = PREVIEW.search(response.content.decode())
    return match and (int(match["level"]), match["html"])


def textarea_text(response, name="body"):
    match = re.search(
        rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', response.content.decode(), re.DOTALL
    )
    return html.unescape(match[1])


def checked(response, name):
    """The value of the checked radio button called `name`."""
    for tag in re.findall(r"<input [^>]*>", response.content.decode()):
        if f'name="{name}"' in tag and " checked" in tag:
            return re.search(r'value="([^"]*)"', tag)[1]
    return None


def input_value(response, name):
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', response.content.decode())[0]
    return html.unescape(re.search(r'value="([^"]*)"', tag)[1])


def assert_neutralised(rendered):
    """Raw HTML is shown as text and the javascript: link is no link, as on posting."""
    assert "<script" not in rendered
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in rendered
    assert "<p>[click me](javascript:alert(1)) and " in rendered
    assert 'href="javascript' not in rendered
    assert '<a href="https://example.org/plan" rel="nofollow ugc noopener">the plan</a>' in rendered
    assert "<strong>intervals</strong>" in rendered


# ------------------------------------------------------------------------------- new thread


def new_thread_data(community, **overrides):
    return {
        "category": community.categories.first().pk,
        "kind": "question",
        "title": "Intervals or tempo runs?",
        "body": RISKY_BODY,
        "visibility": "private",
        "tags": "speed, Training Plans",
        "client_token": str(uuid.uuid4()),
        **overrides,
    }


def test_a_new_thread_preview_renders_as_posting_and_keeps_every_value(
    client, author, sam, community, settings
):
    settings.HEARTH_TASKS_EAGER = False  # a notification would wait as a job row
    community.categories.create(name="Races", slug="races", position=1)
    races = community.categories.get(slug="races")
    client.force_login(author)
    data = new_thread_data(community, category=races.pk, preview="1")
    before = every_row_count()

    response = client.post(f"/c/{community.slug}/new/", data)

    assert response.status_code == 200
    assert every_row_count() == before
    level, rendered = preview_of(response)
    assert level == 2  # under the page's h1
    assert_neutralised(rendered)
    assert (
        f'<a href="/members/{sam.handle}/" rel="nofollow ugc noopener">@Quiet Sam</a>' in rendered
    )
    assert textarea_text(response) == RISKY_BODY
    assert input_value(response, "title") == "Intervals or tempo runs?"
    assert input_value(response, "tags") == "speed, Training Plans"
    assert input_value(response, "client_token") == data["client_token"]
    assert checked(response, "kind") == "question"
    assert checked(response, "visibility") == "private"
    assert re.search(
        rf'<option value="{races.pk}" selected>Races</option>', response.content.decode()
    )

    # The real submit, with the same token, posts once and shows what the preview showed.
    del data["preview"]
    first = client.post(f"/c/{community.slug}/new/", data)
    second = client.post(f"/c/{community.slug}/new/", data)
    thread = Thread.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == thread.get_absolute_url()
    assert thread.posts.get().body_html == rendered
    assert (thread.category, thread.kind, thread.visibility) == (races, "question", "private")
    assert sorted(thread.tags.names()) == ["speed", "training-plans"]


def test_a_preview_of_an_empty_body_asks_for_words_and_keeps_the_rest(client, author, community):
    client.force_login(author)
    before = every_row_count()
    response = client.post(
        f"/c/{community.slug}/new/", new_thread_data(community, body="  ", preview="1")
    )
    assert response.status_code == 200
    assert "Write something to preview." in response.content.decode()
    assert "Write something before posting." not in response.content.decode()
    assert preview_of(response) is None
    assert input_value(response, "title") == "Intervals or tempo runs?"
    assert every_row_count() == before


def test_a_preview_also_shows_what_posting_would_refuse(client, author, community):
    """The body is previewed, and the title that is missing is asked for now, not later."""
    client.force_login(author)
    response = client.post(
        f"/c/{community.slug}/new/", new_thread_data(community, title="", preview="1")
    )
    assert "Give your thread a title." in response.content.decode()
    assert not Thread.objects.exists()


def test_posting_without_preview_shows_no_preview(client, author, community):
    client.force_login(author)
    response = client.post(f"/c/{community.slug}/new/", new_thread_data(community, title=""))
    assert preview_of(response) is None
    assert "Give your thread a title." in response.content.decode()


# ------------------------------------------------------------------------------------ reply


def reply_data(**overrides):
    return {
        "body": RISKY_BODY,
        "visibility": "circle",
        "client_token": str(uuid.uuid4()),
        **overrides,
    }


def test_a_reply_preview_shows_on_the_thread_page_and_posts_once_after(
    client, author, sam, member_factory, community
):
    """Tasks run eagerly here, as in the rest of the suite: a mention would notify at once."""
    thread = make_thread(author, community, title="Speed work")
    replier = member_factory("Replier")
    join(replier, community)
    client.force_login(replier)
    data = reply_data(preview="1")
    before = every_row_count()

    response = client.post(f"/t/{thread.pk}/reply/", data)

    assert response.status_code == 200
    assert every_row_count() == before
    assert not Notification.objects.filter(recipient=sam).exists()
    page = response.content.decode()
    assert "<h1>Speed work</h1>" in page
    level, rendered = preview_of(response)
    assert level == 3  # under the thread page's "Reply"
    assert_neutralised(rendered)
    assert textarea_text(response) == RISKY_BODY
    assert checked(response, "visibility") == "circle"
    assert input_value(response, "client_token") == data["client_token"]

    del data["preview"]
    first = client.post(f"/t/{thread.pk}/reply/", data)
    second = client.post(f"/t/{thread.pk}/reply/", data)
    reply = Post.objects.get(thread=thread, is_opening=False)
    assert first["Location"] == second["Location"] == f"/p/{reply.pk}/"
    assert reply.body_html == rendered
    assert reply.visibility == "circle"


def test_an_empty_reply_preview_asks_for_words(client, author, community):
    thread = make_thread(author, community)
    client.force_login(author)
    before = every_row_count()
    response = client.post(f"/t/{thread.pk}/reply/", reply_data(body="", preview="1"))
    assert response.status_code == 400
    assert "Write something to preview." in response.content.decode()
    assert preview_of(response) is None
    assert every_row_count() == before


def test_a_reply_preview_shows_nothing_the_replier_may_not_see(
    client, author, member_factory, community
):
    thread = make_thread(author, community, title="Speed work")
    make_reply(author, thread, body="My own journal note", visibility="private")
    journal = make_thread(author, community, title="Just for me", visibility="private")
    replier = member_factory("Replier")
    join(replier, community)
    client.force_login(replier)

    response = client.post(f"/t/{thread.pk}/reply/", reply_data(body="Mine", preview="1"))
    assert response.status_code == 200
    assert "My own journal note" not in response.content.decode()
    assert preview_of(response)[1] == "<p>Mine</p>\n"

    hidden = client.post(f"/t/{journal.pk}/reply/", reply_data(body="Mine", preview="1"))
    assert hidden.status_code == 404
    assert "Just for me" not in hidden.content.decode()
    assert "Mine" not in hidden.content.decode()


# ------------------------------------------------------------------------------------- edit


def test_an_edit_preview_renders_as_saving_and_keeps_the_text(client, author, sam, community):
    thread = make_thread(author, community, title="Speed work", body="First words")
    opening = thread.posts.get()
    client.force_login(author)
    data = {"title": "Speed work, revised", "body": RISKY_BODY, "version": opening.version}
    before = every_row_count()

    response = client.post(f"/p/{opening.pk}/edit/", {**data, "preview": "1"})

    assert response.status_code == 200
    assert every_row_count() == before
    opening.refresh_from_db()
    assert opening.body == "First words"
    assert not PostRevision.objects.exists()
    level, rendered = preview_of(response)
    assert level == 2
    assert_neutralised(rendered)
    assert textarea_text(response) == RISKY_BODY
    assert input_value(response, "title") == "Speed work, revised"
    assert input_value(response, "version") == opening.version

    saved = client.post(f"/p/{opening.pk}/edit/", data)
    assert saved.status_code == 302
    opening.refresh_from_db()
    assert opening.body_html == rendered
    assert PostRevision.objects.filter(post=opening).count() == 1


def test_only_the_author_previews_an_edit(client, author, member_factory, community):
    thread = make_thread(author, community, body="First words")
    opening = thread.posts.get()
    journal = make_thread(author, community, body="Only mine", visibility="private")
    other = member_factory("Other")
    join(other, community)
    client.force_login(other)
    data = {"title": "Taken over", "body": "New words", "preview": "1"}
    assert client.post(f"/p/{opening.pk}/edit/", data).status_code == 403
    hidden = client.post(f"/p/{journal.posts.get().pk}/edit/", data)
    assert hidden.status_code == 404
    assert "Only mine" not in hidden.content.decode()


# ------------------------------------------------------------------------- formatting help

HELP_ROW = re.compile(
    r"<tr><td>(?:<pre>)?<code>(?P<typed>.*?)</code>(?:</pre>)?</td>"
    r"<td data-renders>(?P<result>.*?)</td></tr>",
    re.DOTALL,
)


@pytest.mark.parametrize(
    "url_for",
    [
        lambda thread: f"/c/{thread.community.slug}/new/",
        lambda thread: thread.get_absolute_url(),
        lambda thread: f"/p/{thread.posts.get().pk}/edit/",
    ],
    ids=["new thread", "reply", "edit"],
)
def test_every_body_field_has_formatting_help_that_renders_as_it_says(
    client, author, community, url_for
):
    thread = make_thread(author, community)
    client.force_login(author)
    page = client.get(url_for(thread)).content.decode()
    assert "<summary>Formatting help</summary>" in page
    assert 'name="preview"' in page
    rows = HELP_ROW.findall(page)
    assert len(rows) >= 9
    for typed, result in rows:
        rendered = render_markdown(html.unescape(typed)).html
        unwrapped = re.fullmatch(r"<p>(.*)</p>\n?", rendered, re.DOTALL)
        rendered = unwrapped[1] if unwrapped else rendered
        assert between_tags(rendered) == between_tags(result), typed


def between_tags(markup):
    """Markup without the whitespace between its tags, which the page does not show."""
    return re.sub(r">\s+<", "><", markup).strip()
