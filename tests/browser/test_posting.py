from accounts.models import CircleMembership
from forums.models import Post
from tests.factories import PASSWORD, join, make_community, make_member


def sign_in(page, email):
    """Through the site's sign-in form; done when the header shows the member's
    notifications, which it does at every width (the account links fold into a phone's
    menu)."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".notifications-link").wait_for()


def test_a_member_asks_and_a_circle_friend_replies_for_their_circle(page, screenshot):
    community = make_community("Runners")
    asker = make_member("Asker", email="asker@example.org")
    friend = make_member("Friend", email="friend@example.org")
    outsider = make_member("Outsider", email="outsider@example.org")
    for member in (asker, friend, outsider):
        join(member, community)
    CircleMembership.objects.create(owner=friend, member=asker)

    sign_in(page, "asker@example.org")
    page.goto("/c/runners/")
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Question").check()
    page.get_by_label("Title").fill("Knee pain after long runs?")
    page.get_by_label("Your post").fill("It starts around **15 km**. Ideas?")
    page.get_by_label("Tags").fill("knees, injury")
    screenshot("post-01-new-thread")
    page.get_by_role("button", name="Post").click()
    page.get_by_role("heading", name="Knee pain after long runs?").wait_for()
    assert page.locator(".post__body strong").inner_text() == "15 km"

    page.context.clear_cookies()
    sign_in(page, "friend@example.org")
    page.goto("/c/runners/")
    page.get_by_role("link", name="Knee pain after long runs?").click()
    page.get_by_label("Your reply").fill("Mine went away with new shoes — just between us.")
    page.get_by_label("My circle").check()
    page.get_by_role("button", name="Post reply").dblclick()  # a double click posts once
    page.get_by_text("Mine went away with new shoes").wait_for()
    screenshot("post-02-circle-reply")
    assert Post.objects.filter(body__startswith="Mine went away").count() == 1
    assert page.locator(".post").last.get_by_text("My circle").is_visible()

    # The asker is in the friend's circle and sees the reply; the outsider does not.
    page.context.clear_cookies()
    sign_in(page, "asker@example.org")
    page.goto("/notifications/")
    page.get_by_role("link", name="Friend replied in “Knee pain after long runs?”.").click()
    page.get_by_text("Mine went away with new shoes").wait_for()

    page.context.clear_cookies()
    sign_in(page, "outsider@example.org")
    page.goto("/c/runners/")
    page.get_by_role("link", name="Knee pain after long runs?").click()
    page.get_by_role("heading", name="Knee pain after long runs?").wait_for()
    assert "new shoes" not in page.content()
    screenshot("post-03-outsider-view")
