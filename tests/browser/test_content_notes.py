"""A member replies with a content note; another sees the reply folded behind it and opens
it, all with scripts off (the path the page is built for)."""

import pytest

from forums.models import Post
from tests.browser.accessibility import assert_accessible
from tests.browser.test_posting import sign_in
from tests.factories import join, make_community, make_member, make_thread


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        java_script_enabled=False,
        base_url=live_server.url,
        viewport={"width": 1100, "height": 800},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible_as_served(page):
    """axe runs inside the page, which a page with scripts off cannot do: the page is checked
    as a copy, its HTML (the fold as it stands) served at its own address to a page whose own
    scripts are blocked."""
    served, address = page.content(), page.url
    context = page.context.browser.new_context(viewport=page.viewport_size)
    copy = context.new_page()
    copy.route("**/*.js", lambda route: route.abort())
    copy.route(
        address.split("#")[0],
        lambda route: route.fulfill(body=served, content_type="text/html; charset=utf-8"),
    )
    copy.goto(address)
    try:
        assert_accessible(copy)
    finally:
        context.close()


def test_a_reply_with_a_content_note_is_folded_for_others_until_they_open_it(
    page, browser, live_server, screenshot
):
    community = make_community("Gentle Steps")
    asker = make_member("Asker", email="asker@example.org")
    replier = make_member("Replier", email="replier@example.org")
    join(replier, community)
    thread = make_thread(asker, community, title="How did you cope?")

    sign_in(page, "replier@example.org")
    page.goto(thread.get_absolute_url())
    page.get_by_label("Your reply").fill("We lost our first at twelve weeks. Talking helped.")
    page.get_by_label("Content note").fill("pregnancy loss")
    screenshot("content-note-01-reply-form")
    page.get_by_role("button", name="Post reply").click()
    page.get_by_text("Posted.").wait_for()
    assert Post.objects.get(thread=thread, is_opening=False).content_note == "pregnancy loss"

    context = browser.new_context(
        java_script_enabled=False,
        base_url=live_server.url,
        viewport={"width": 1100, "height": 800},
    )
    reader = context.new_page()
    reader.set_default_timeout(10_000)
    try:
        sign_in(reader, "asker@example.org")
        reader.goto(thread.get_absolute_url())
        fold = reader.locator("details.content-note")
        summary = fold.locator("summary")
        assert summary.inner_text().strip() == "Content note: pregnancy loss — show post"
        body = reader.get_by_text("We lost our first at twelve weeks.")
        assert not body.is_visible(), "folded until the reader opens it"
        assert_accessible_as_served(reader)
        screenshot("content-note-02-folded", of=reader)

        summary.click()
        body.wait_for(state="visible")
        assert summary.inner_text().strip() == "Content note: pregnancy loss — fold post"
        assert_accessible_as_served(reader)
        screenshot("content-note-03-opened", of=reader)
    finally:
        context.close()
