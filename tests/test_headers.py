"""Every response Django makes carries the Content-Security-Policy, the Permissions-Policy and
`Cache-Control: private, no-store`, whoever asks: a member, a visitor, staff in the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forums.digest import unsubscribe_token
from tests.accounts.test_avatars import jpeg_with_gps
from tests.factories import enrol_totp, join, make_community, make_reply, make_thread

CONTENT_SECURITY_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]

PAGES = {
    "home": lambda w: "/",
    "community": lambda w: f"/c/{w.community.slug}/",
    "category": lambda w: f"/c/{w.community.slug}/general/",
    "thread": lambda w: w.thread.get_absolute_url(),
    "post permalink": lambda w: f"/p/{w.reply.pk}/",
    "post history": lambda w: f"/p/{w.reply.pk}/history/",
    "new thread": lambda w: f"/c/{w.community.slug}/new/",
    "search": lambda w: "/search/?q=lantern",
    "tag": lambda w: "/tags/lanterns/",
    "profile": lambda w: w.thread.author.get_absolute_url(),
    "profile settings": lambda w: "/settings/profile/",
    "circle settings": lambda w: "/settings/circle/",
    "notification settings": lambda w: "/settings/notifications/",
    "your data": lambda w: "/settings/data/",
    "data download": lambda w: "/settings/data/download/",
    "notifications": lambda w: "/notifications/",
    "digest unsubscribe": lambda w: f"/digest/unsubscribe/{unsubscribe_token(w.member)}/",
    "feed": lambda w: f"/c/{w.community.slug}/feed/",
    "sign-in": lambda w: "/accounts/login/",
    "e-mail settings": lambda w: "/accounts/email/",
    "two-factor settings": lambda w: "/accounts/2fa/",
    "admin": lambda w: "/admin/",
    "not found": lambda w: "/c/no-such-community/",
}


class World:
    def __init__(self, member_factory):
        self.community = make_community("Lantern Walkers", read_access="open")
        self.author = member_factory("Lantern Moth")
        self.thread = make_thread(
            self.author, self.community, title="Lantern routes", tags=["lanterns"]
        )
        self.reply = make_reply(self.author, self.thread, body="The lantern path is lit.")
        self.member = member_factory("Reader")
        join(self.member, self.community)


@pytest.fixture
def world(member_factory, settings):
    # Visitors may read what is public, so that their pages are pages, not sign-in redirects.
    settings.HEARTH_MEMBERS_ONLY = False
    return World(member_factory)


def content_security_policy(response):
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = set(sources)
    return directives


def assert_private_and_locked_down(response):
    assert content_security_policy(response) == CONTENT_SECURITY_POLICY
    permissions = response["Permissions-Policy"].split(", ")
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in permissions
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


@pytest.mark.parametrize("viewer", ["member", "visitor"])
@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_every_page_carries_the_security_and_no_store_headers(client, world, viewer, page):
    if viewer == "member":
        client.force_login(world.member)
    response = client.get(PAGES[page](world))
    assert response.status_code in {200, 302, 404}, response.status_code
    assert_private_and_locked_down(response)


@pytest.mark.parametrize("page", ["index", "change list", "change form"])
def test_the_admin_carries_the_headers_for_staff(client, world, site_manager, page):
    enrol_totp(site_manager)
    client.force_login(site_manager)
    url = {
        "index": "/admin/",
        "change list": "/admin/forums/thread/",
        "change form": f"/admin/forums/thread/{world.thread.pk}/change/",
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    assert_private_and_locked_down(response)


def test_a_refused_upload_carries_the_headers(client, world, settings):
    client.force_login(world.member)
    settings.HEARTH_MAX_REQUEST_BYTES = 1000
    response = client.post("/settings/profile/", {"bio": "x" * 2000})
    assert response.status_code == 413
    assert_private_and_locked_down(response)


def test_a_sign_in_post_carries_the_headers(client, world):
    response = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "x"})
    assert_private_and_locked_down(response)


def test_a_one_click_unsubscribe_carries_the_headers(client, world):
    response = client.post(
        f"/digest/unsubscribe/{unsubscribe_token(world.member)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert_private_and_locked_down(response)


def test_an_avatar_keeps_the_cache_control_its_view_chose(client, world):
    client.force_login(world.member)
    picture = SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    client.post("/settings/profile/", {"display_name": "Reader", "bio": "", "avatar": picture})
    world.member.refresh_from_db()
    response = client.get(world.member.avatar.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Content-Security-Policy" in response
