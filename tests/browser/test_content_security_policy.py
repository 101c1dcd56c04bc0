"""The Content-Security-Policy allows nothing inline, so every page the site and the admin
render must work without it: Chromium reports each refusal on the console ("Refused to ...")
and as a `securitypolicyviolation` event. A staff member walks the site's main pages, sets up
two-factor authentication (the QR code is a data: image) and opens the admin; no page may
report a violation, nor an error in the Permissions-Policy header."""

from tests.factories import PASSWORD, make_community, make_member, make_thread, totp_code

# Runs before any page script (Playwright's init scripts are not subject to the page's CSP).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
POLICY_MESSAGES = ("Content Security Policy", "Refused to", "Permissions-Policy")


class PolicyWatch:
    """What the browser refused on each page: console messages and violation events."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        if any(marker in message.text for marker in POLICY_MESSAGES):
            self.console.append(f"{self.page.url}: {message.text}")

    def refusals(self):
        self.page.wait_for_load_state("load")
        events = self.page.evaluate("window.__violations || []")
        return self.console + [f"{self.page.url}: {event}" for event in events]

    def visit(self, path):
        self.page.goto(path)
        assert self.refusals() == [], path


def confirm_password_if_asked(page):
    """allauth asks for the password again before account changes when the sign-in is not
    recent (REAUTHENTICATION_TIMEOUT)."""
    page.wait_for_load_state("load")
    if page.get_by_role("heading", name="Confirm it is you").count():
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def test_no_page_breaks_the_content_security_policy(page, moderation_groups, screenshot):
    community = make_community("Lantern Walkers", read_access="open")
    author = make_member("Lantern Moth")
    thread = make_thread(author, community, title="Lantern routes", tags=["lanterns"])
    make_member("Site Owner", email="owner@example.org", is_staff=True, is_superuser=True)
    watch = PolicyWatch(page)

    watch.visit("/accounts/login/")
    page.get_by_label("E-mail address").fill("owner@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Settings").wait_for()
    assert watch.refusals() == []

    for path in [
        "/",
        f"/c/{community.slug}/",
        f"/c/{community.slug}/general/",
        thread.get_absolute_url(),
        f"/c/{community.slug}/new/",
        "/search/?q=lantern",
        "/tags/lanterns/",
        author.get_absolute_url(),
        "/settings/profile/",
        "/settings/circle/",
        "/settings/notifications/",
        "/notifications/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ]:
        watch.visit(path)

    # A change of address waits for confirmation: allauth's page then holds a hidden form.
    # (Before two-factor set-up: allauth refuses a new address after it.)
    watch.visit("/accounts/email/")
    page.get_by_label("New e-mail address").fill("owner@example.net")
    page.get_by_role("button", name="Change e-mail address").click()
    confirm_password_if_asked(page)
    page.get_by_role("button", name="Send the link again").wait_for()
    assert page.locator("#pending-email").is_hidden()
    # Its buttons still submit it (two-factor set-up wants no address pending).
    page.get_by_role("button", name="Cancel the change").click()
    page.get_by_role("button", name="Send the link again").wait_for(state="detached")
    assert watch.refusals() == []

    # The admin first asks staff to set up an authenticator app: its QR code is a data: image.
    watch.visit("/admin/")
    confirm_password_if_asked(page)
    qr_code = page.locator("img[src^='data:image/svg+xml']")
    qr_code.wait_for()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    screenshot("csp-01-totp-setup")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text("Recovery Codes").first.wait_for()
    assert watch.refusals() == []

    for path in [
        "/admin/",
        "/admin/forums/thread/",
        f"/admin/forums/thread/{thread.pk}/change/",
        "/admin/accounts/member/",
        f"/admin/forums/community/{community.pk}/change/",
        "/admin/forums/moderationqueueitem/",
        "/admin/forums/community/add/",
    ]:
        watch.visit(path)
    page.locator("#id_name").press_sequentially("Night Owls")  # the admin script makes the slug
    assert page.locator("#id_slug").input_value() == "night-owls"
    screenshot("csp-02-admin-add-community")
    assert watch.refusals() == []

    # The watch does see a refusal: an inline style, added the way an injection would be.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color: red\">x</b>')")
    page.wait_for_timeout(200)
    assert any("style-src" in refusal for refusal in watch.refusals())
