"""A form sent back with errors: the summary at its top has the focus as the page opens (no
JavaScript needed), says how many problems there are, and each link takes the member to the
field to put right. The way in and the two-factor pages pass axe as they stand."""

from tests.browser.accessibility import assert_accessible
from tests.browser.test_posting import sign_in
from tests.factories import PASSWORD, join, make_community, make_member

WIDTHS = {"wide": 1280, "phone": 390}


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return e.id || e.className || e.tagName; }"
    )


def at_each_width(page, screenshot, name):
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(f"{name}-{label}")
        assert_accessible(page)


def test_sign_up_with_errors_focuses_the_summary_and_links_to_the_fields(page, screenshot):
    page.goto("/accounts/signup/")
    assert_accessible(page)
    # Each of these passes the browser's own checks; the site refuses them.
    page.get_by_label("E-mail address").fill("wren@example")
    page.get_by_label("Display name").fill("Admin")
    page.get_by_label("Password", exact=True).fill("a quiet evening walk")
    page.get_by_label("Password (again)").fill("a quiet evening stroll")
    page.get_by_role("button", name="Join").click()

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.title().startswith("Error: ")
    assert focused(page) == "error-summary"
    assert summary.get_by_role("heading", level=2).inner_text() == "There are 3 problems"
    assert_accessible(page)
    at_each_width(page, screenshot, "errors-01-signup")

    summary.get_by_role("link", name="That name is reserved").click()
    assert focused(page) == "id_display_name"
    summary.get_by_role("link", name="The two passwords are different").click()
    assert focused(page) == "id_password2"
    # What the member typed is still there.
    assert page.get_by_label("Display name").input_value() == "Admin"


def test_a_new_thread_with_errors_focuses_the_summary(page, screenshot):
    community = make_community("Runners")
    join(make_member("Asker", email="asker@example.org"), community)
    sign_in(page, "asker@example.org")
    page.goto("/c/runners/new/")
    page.get_by_label("Your post").fill("Words I do not want to lose.")
    page.get_by_role("button", name="Post").click()

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert focused(page) == "error-summary"
    assert summary.get_by_role("heading", level=2).inner_text() == "There is a problem"
    at_each_width(page, screenshot, "errors-02-new-thread")

    summary.get_by_role("link", name="Give your thread a title.").click()
    assert focused(page) == "id_title"
    assert page.get_by_label("Your post").input_value() == "Words I do not want to lose."


def test_the_way_in_and_two_factor_pages_are_accessible(page, screenshot):
    make_member("River", email="river@example.org")
    page.goto("/accounts/login/")
    at_each_width(page, screenshot, "wording-01-sign-in")
    page.goto("/accounts/password/reset/")
    at_each_width(page, screenshot, "wording-02-password-reset")

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "river@example.org")
    page.goto("/accounts/2fa/")
    assert_accessible(page)
    page.get_by_role("link", name="Turn on").click()
    page.get_by_role("heading", name="Confirm it is you").wait_for()
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Set up an authenticator app").wait_for()
    at_each_width(page, screenshot, "wording-03-activate-totp")

    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    page.locator(".error-summary").wait_for()
    assert focused(page) == "error-summary"
    at_each_width(page, screenshot, "wording-04-activate-totp-error")
