import pytest

from forums.models import Notification, Post
from tests.browser.accessibility import assert_accessible
from tests.browser.test_posting import sign_in
from tests.factories import join, make_community, make_member, make_thread

REPLY = "Try **strides** after an easy run, as @Asker said.\n\n- four of them\n- walk back"


@pytest.fixture(params=[False, True], ids=["without JavaScript", "with JavaScript"])
def page(request, browser, live_server):
    """The journey is the same with scripts off (the path the page is built for) and on."""
    context = browser.new_context(
        java_script_enabled=request.param,
        base_url=live_server.url,
        viewport={"width": 1100, "height": 800},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.javascript = request.param
    yield page
    context.close()


def assert_accessible_as_served(page):
    """axe runs inside the page, which a page with scripts off cannot do: that page is checked
    as a copy, its HTML served at its own address to a page whose own scripts are blocked."""
    if page.javascript:
        assert_accessible(page)
        return
    served, address = page.content(), page.url
    context = page.context.browser.new_context(viewport=page.viewport_size)
    copy = context.new_page()
    copy.route("**/*.js", lambda route: route.abort())
    copy.route(
        address.split("#")[0],
        lambda route: route.fulfill(body=served, content_type="text/html; charset=utf-8"),
    )
    copy.goto(address)
    assert (
        copy.get_by_role("region", name="Preview").count()
        == page.get_by_role("region", name="Preview").count()
    )
    try:
        assert_accessible(copy)
    finally:
        context.close()


def test_a_member_previews_a_reply_then_posts_it_once(page, screenshot):
    community = make_community("Runners")
    asker = make_member("Asker", email="asker@example.org")
    replier = make_member("Replier", email="replier@example.org")
    join(replier, community)
    thread = make_thread(asker, community, title="Speed work for beginners?")
    mode = "js" if page.javascript else "nojs"

    sign_in(page, "replier@example.org")
    page.goto(thread.get_absolute_url())
    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_label("My circle").check()
    page.get_by_role("button", name="Preview").click()

    preview = page.get_by_role("region", name="Preview")
    preview.wait_for()
    assert page.url.endswith("#body-preview")
    assert "Not posted yet — this is how your post will look." in preview.inner_text()
    assert preview.locator("strong").inner_text() == "strides"
    assert preview.locator("li").all_inner_texts() == ["four of them", "walk back"]
    assert preview.get_by_role("link", name="@Asker").get_attribute("href") == (
        asker.get_absolute_url()
    )
    assert page.get_by_label("Your reply").input_value() == REPLY
    assert page.get_by_label("My circle").is_checked()
    assert Post.objects.filter(thread=thread).count() == 1
    assert not Notification.objects.exists()
    assert_accessible_as_served(page)
    screenshot(f"preview-01-reply-preview-{mode}")

    page.get_by_role("button", name="Post reply").click()
    page.locator(".post").nth(1).wait_for()
    reply = Post.objects.get(thread=thread, is_opening=False)
    assert reply.body.replace("\r\n", "\n") == REPLY  # a browser sends CRLF line ends
    assert reply.visibility == "circle"
    assert page.locator(".post").nth(1).locator("strong").inner_text() == "strides"
    assert page.get_by_role("region", name="Preview").count() == 0
    screenshot(f"preview-02-reply-posted-{mode}")


def test_formatting_help_opens_beside_the_box(page, screenshot):
    community = make_community("Runners")
    member = make_member("Asker", email="asker@example.org")
    join(member, community)

    sign_in(page, "asker@example.org")
    page.goto("/c/runners/new/")
    help_text = page.get_by_role("table")
    assert not help_text.is_visible()
    page.get_by_text("Formatting help").click()
    assert help_text.is_visible()
    assert help_text.get_by_role("cell", name="bold", exact=True).is_visible()
    assert_accessible_as_served(page)
    screenshot(f"preview-03-formatting-help-{'js' if page.javascript else 'nojs'}")


@pytest.mark.parametrize("page", [True], indirect=True, ids=["with JavaScript"])
def test_a_preview_is_not_the_one_submission(page):
    """submit-once.js lets one send of a form through; a preview is not that send. Here the
    preview's answer never comes (a 204 leaves the page as it was): Post still posts."""
    community = make_community("Runners")
    replier = make_member("Replier", email="replier@example.org")
    join(replier, community)
    thread = make_thread(replier, community, title="Speed work for beginners?")

    def no_answer_to_previews(route):
        if "preview=1" in (route.request.post_data or ""):
            route.fulfill(status=204)
        else:
            route.continue_()

    sign_in(page, "replier@example.org")
    page.goto(thread.get_absolute_url())
    page.route("**/reply/", no_answer_to_previews)
    page.get_by_label("Your reply").fill("Strides, then an easy mile.")
    with page.expect_response("**/reply/"):
        page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Post reply").click()
    page.locator(".post").nth(1).wait_for()
    assert Post.objects.filter(thread=thread, body="Strides, then an easy mile.").count() == 1
