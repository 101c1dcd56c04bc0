import re

from django.contrib.auth.models import Group

from forums.models import Membership
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    PASSWORD,
    enrol_totp,
    make_community,
    make_member,
    make_thread,
    totp_code,
)

SIGN_IN = re.compile(r"^sign in$", re.IGNORECASE)


def sign_in(page, email, start="/accounts/login/"):
    """Through the site's sign-in, which `start` (a page that needs it) leads to."""
    page.goto(start)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    # The next page has loaded before anything else is asked of this one.
    with page.expect_navigation():
        page.get_by_role("button", name=SIGN_IN).click()


def on_a_phone(page, screenshot, name):
    """The same page at a phone's width: still accessible, and photographed."""
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    screenshot(name)
    page.set_viewport_size(desktop)


def test_a_member_asks_to_join_a_listed_community_and_a_manager_lets_them_in(
    moderation_groups, browser, live_server, page, screenshot
):
    community = make_community(
        "Living with Long Covid",
        kind="peer_support",
        read_access="private",
        join_policy="request",
        listed=True,
        description="A members-only peer-support space. Share as much or as little as you like.",
    )
    make_thread(make_member("Kestrel"), community, title="Pacing through a relapse")
    make_member("Wren", email="wren@example.org")
    manager = make_member("Manager Kim", email="kim@example.org", is_staff=True)
    manager.groups.add(Group.objects.get(name="Community manager"))
    secret = enrol_totp(manager)

    # The community manager signs in to the admin, where the listing is chosen: unlisted,
    # a community nobody sees could take no requests, and the form says so by the field.
    admin = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 800})
    manager_page = admin.new_page()
    manager_page.set_default_timeout(10_000)
    sign_in(
        manager_page, "kim@example.org", start=f"/admin/forums/community/{community.pk}/change/"
    )
    manager_page.locator("#id_code").fill(totp_code(secret))
    manager_page.get_by_role("button", name=SIGN_IN).click()
    manager_page.get_by_label(re.compile("Unlisted: ")).check()
    manager_page.get_by_role("button", name="Save", exact=True).click()
    manager_page.get_by_text("Nobody can ask to join a community they never see.").wait_for()
    screenshot("listed-00-admin-refuses-unlisted-by-request", of=manager_page)
    community.refresh_from_db()
    assert community.listed

    # A member who belongs to nothing finds the community on home, and nothing inside it.
    sign_in(page, "wren@example.org")
    page.reload()  # past the "signed in" message: axe is for the page itself
    page.get_by_role("heading", name="Start here").wait_for()
    card = page.locator(".community-card").filter(has_text="Living with Long Covid")
    card.get_by_text("Share as much or as little as you like.").wait_for()
    assert "Pacing through a relapse" not in page.content()
    assert_accessible(page)
    screenshot("listed-01-home")
    on_a_phone(page, screenshot, "listed-01-home-phone")

    card.get_by_role("link", name="Living with Long Covid").click()
    page.get_by_role("heading", name="How to join").wait_for()
    assert "Pacing through a relapse" not in page.content()
    assert_accessible(page)
    screenshot("listed-02-about")
    on_a_phone(page, screenshot, "listed-02-about-phone")

    page.get_by_role("button", name="Ask to join").click()
    page.get_by_text("You asked to join — a moderator will answer.").wait_for()
    assert page.get_by_role("button", name="Ask to join").count() == 0
    screenshot("listed-03-asked")
    assert Membership.objects.get(community=community, state="requested").member.display_name == (
        "Wren"
    )

    # The community manager approves the request in the admin.
    manager_page.goto("/admin/")
    manager_page.get_by_role("link", name="1 request to join").click()
    row = manager_page.locator("#result_list tbody tr").filter(has_text="Wren")
    row.locator("input.action-select").check()
    manager_page.locator("select[name=action]").select_option("approve_requests")
    screenshot("listed-04-admin-requests", of=manager_page)
    manager_page.get_by_role("button", name="Go").click()
    manager_page.get_by_text("Approved 1 request(s).").wait_for()
    admin.close()

    # Now a member, they read the community and its thread.
    page.goto("/c/living-with-long-covid/")
    page.get_by_role("heading", name="Latest threads").wait_for()
    page.get_by_role("link", name="Pacing through a relapse").click()
    page.get_by_role("heading", name="Pacing through a relapse", level=1).wait_for()
    screenshot("listed-05-reading")
