import io
import re

from PIL import Image

from accounts.models import Member


def test_a_visitor_joins_confirms_and_edits_their_profile(page, mailoutbox, screenshot, tmp_path):
    # A members-only site sends a visitor to sign in; from there they join.
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_role("link", name="Join").click()

    page.get_by_label("E-mail address").fill("wren@example.org")
    page.get_by_label("Display name").fill("Wren")
    page.get_by_label("Password", exact=True).fill("a quiet evening walk")
    page.get_by_label("Password (again)").fill("a quiet evening walk")
    screenshot("join-01-signup")
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    confirm_url = re.search(r"https?://\S+", mailoutbox[-1].body).group(0)
    page.goto(confirm_url)
    page.get_by_role("button", name="Confirm").click()

    # Confirming signs them in; the header greets them by their display name.
    account_nav = page.get_by_role("navigation", name="Your account")
    account_nav.get_by_text("Wren").wait_for()
    assert "wren@example.org" not in account_nav.inner_text()

    account_nav.get_by_role("link", name="Settings").click()
    page.get_by_label("About you").fill("New here. I like long walks and short threads.")
    picture = tmp_path / "me.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (60, 120, 180)).save(buffer, "JPEG")
    picture.write_bytes(buffer.getvalue())
    page.get_by_label("New picture").set_input_files(str(picture))
    screenshot("join-02-profile-form")
    page.get_by_role("button", name="Save profile").click()

    page.get_by_role("heading", name="Wren", level=1).wait_for()
    assert page.get_by_text("Your profile is saved.").is_visible()
    assert page.get_by_text("New here. I like long walks and short threads.").is_visible()
    assert page.locator("article img.avatar").count() == 1
    screenshot("join-03-profile")

    member = Member.objects.get(email="wren@example.org")
    assert member.bio.startswith("New here.")
    assert member.avatar.name.endswith(".webp")
