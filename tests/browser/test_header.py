"""The header on a phone: one "Menu" button (a <details>) holds the navigation, the search box
and the account links, with JavaScript and without. On a wide screen they sit in the bar."""

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_posting import sign_in
from tests.factories import join, make_community, make_member

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("scripts", [False, True], ids=["no-javascript", "javascript"])
def test_a_member_on_a_phone_opens_the_menu_and_reaches_settings(browser, live_server, scripts):
    join(make_member("Lantern Moth", email="moth@example.org"), make_community("Runners"))
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=scripts
    )
    page = context.new_page()
    sign_in(page, "moth@example.org")
    menu = page.get_by_role("group").filter(has=page.locator("summary"))
    settings = page.get_by_role("link", name="Settings")
    assert not settings.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80, "the closed header is one row"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_text("Menu", exact=True).click()
    assert settings.is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("search", name="Site").is_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"header-phone-menu-open-{scripts and 'js' or 'nojs'}.png")
    if scripts:
        page.keyboard.press("Escape")
        assert not settings.is_visible()
        assert menu.locator("summary").evaluate("el => el === document.activeElement")
        page.get_by_text("Menu", exact=True).click()

    settings.click()
    page.get_by_role("heading", name="Your profile").wait_for()
    context.close()


def test_on_a_wide_screen_the_menu_is_the_bar(browser, live_server):
    join(make_member("Lantern Moth", email="moth@example.org"), make_community("Runners"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, "moth@example.org")

    assert not page.get_by_text("Menu", exact=True).is_visible()
    for name in ("Communities", "Settings", "Lantern Moth"):
        assert page.get_by_role("link", name=name).is_visible()
    assert page.get_by_role("search", name="Site").is_visible()
    context.close()
