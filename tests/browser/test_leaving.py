import json

from accounts.models import Member
from forums.models import Post
from tests.browser.test_posting import sign_in
from tests.factories import PASSWORD, make_community, make_member, make_reply, make_thread


def test_a_member_takes_their_data_and_leaves_keeping_their_posts(page, screenshot):
    community = make_community("Runners")
    leaver = make_member("Leaving Lark", email="lark@example.org")
    other = make_member("Staying Stork", email="stork@example.org")
    thread = make_thread(leaver, community, title="Shin splints", body="Lark's question")
    make_reply(other, thread, body="Stork's answer")

    sign_in(page, "lark@example.org")
    page.goto("/settings/data/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    archive = json.loads(download.value.path().read_text())
    assert [post["body"] for post in archive["posts"]] == ["Lark's question"]
    assert archive["account"]["email"] == "lark@example.org"

    page.get_by_label("Keep my community posts").check()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    page.locator("#id_password_error").get_by_text("That is not your password.").wait_for()
    assert page.get_by_label("Keep my community posts").is_checked()  # the choice is kept
    screenshot("leaving-01-wrong-password")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your account is deleted.").wait_for()
    screenshot("leaving-02-deleted")
    assert not Member.objects.filter(email="lark@example.org").exists()

    page.context.clear_cookies()
    sign_in(page, "stork@example.org")
    page.goto(thread.get_absolute_url())
    page.get_by_text("Stork's answer").wait_for()
    opening = page.locator(".post--opening")
    assert opening.locator(".post__author").inner_text() == "Former member"
    assert "Lark's question" in opening.inner_text()
    assert Post.objects.filter(thread=thread).count() == 2
