"""allauth's pages and e-mails speak as Hearth does: the site's name, never the host it was
asked on; sentence case and "e-mail"; and a new member is signed in by their confirmation."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import Member
from tests.accounts.test_signup import LOGIN, SIGNUP, link_in, signup_data
from tests.factories import PASSWORD

# What allauth says out of the box, and Hearth does not.
LIBRARY_WORDING = re.compile(
    r"Sign In|Sign Up|Signup|Sign Out|Email|email|Password Reset|Change Password"
    r"|Forgot your|Remember Me|Two-Factor|Authenticator App|Recovery Codes|Confirm Access"
    r"|Ensure this value|This field is required"
)


def visible_text(response):
    """The page's title and the words of its <main>, with the tags, attribute values that
    no one reads (names, ids, CSRF tokens) and the member's own address left out."""
    page = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    readable = " ".join(re.findall(r'(?:placeholder|aria-label|alt|value)="([^"]*)"', main))
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\S+@example\.org", "ADDRESS", f"{title} {text} {readable}")


def words(response):
    return " ".join(response.content.decode().split())


def assert_no_library_wording(response):
    assert response.status_code == 200
    leaks = LIBRARY_WORDING.findall(visible_text(response))
    assert not leaks, f"{response.wsgi_request.path}: {leaks}"


@pytest.fixture
def site_name(settings):
    settings.HEARTH_SITE_NAME = "Riverside Commons"
    return settings.HEARTH_SITE_NAME


def without_links(message):
    return re.sub(r"https?://\S+", "LINK", message.body)


def assert_names_the_site(message, site_name):
    body = without_links(message)
    assert body.startswith(f"Hello from {site_name},")
    assert "testserver" not in body and "127.0.0.1" not in body
    assert "{" not in body  # no template variable left unfilled
    assert not LIBRARY_WORDING.search(message.subject)


def test_the_confirmation_e_mail_names_the_site_not_the_host(client, db, mailoutbox, site_name):
    client.post(SIGNUP, signup_data(), HTTP_HOST="127.0.0.1")
    message = mailoutbox[-1]
    assert_names_the_site(message, site_name)
    assert message.subject == "[Hearth] Confirm your e-mail address"
    assert "To confirm that this is your e-mail address, follow this link:" in message.body
    assert link_in(message).startswith("http://127.0.0.1/accounts/confirm-email/")


def test_password_reset_e_mails_name_the_site(client, member, mailoutbox, site_name):
    client.post("/accounts/password/reset/", {"email": member.email})
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    reset, unknown = mailoutbox[-2:]
    assert reset.to == [member.email]
    assert_names_the_site(reset, site_name)
    assert reset.subject == "[Hearth] Reset your password"
    assert f"reset the password of your {site_name} account" in reset.body
    assert unknown.to == ["nobody@example.org"]
    assert_names_the_site(unknown, site_name)
    assert "no account uses this e-mail address" in unknown.body


def test_joining_with_a_registered_address_e_mails_its_owner_in_the_site_name(
    client, member, mailoutbox, site_name
):
    client.post(SIGNUP, signup_data(email=member.email, display_name="Impostor"))
    (message,) = [message for message in mailoutbox if message.to == [member.email]]
    assert_names_the_site(message, site_name)
    assert f"tried to join {site_name} with this e-mail address" in message.body


def test_the_change_of_address_e_mail_names_the_site(member_client, mailoutbox, site_name):
    member_client.post("/accounts/email/", {"action_add": "", "email": "new-address@example.org"})
    assert mailoutbox[-1].to == ["new-address@example.org"]
    assert_names_the_site(mailoutbox[-1], site_name)


def confirm(client, message):
    path = link_in(message).split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    return client.post(path)


def test_following_the_confirmation_link_signs_the_member_in(client, db, mailoutbox):
    client.post(SIGNUP, signup_data())
    response = confirm(client, mailoutbox[-1])
    assert response.status_code == 302
    member = Member.objects.get(email="newcomer@example.org")
    assert EmailAddress.objects.get(user=member).verified
    assert client.get("/").context["user"] == member


def test_confirming_half_an_hour_after_joining_still_signs_the_member_in(client, db, mailoutbox):
    """E-mail can be slow, and people read it later: allauth's default gave them 15 minutes."""
    client.post(SIGNUP, signup_data())
    session = client.session
    pending = session["account_login"]
    pending["initiated_at"] -= 30 * 60
    session["account_login"] = pending
    session.save()

    confirm(client, mailoutbox[-1])
    assert client.get("/").context["user"].email == "newcomer@example.org"


def test_a_link_opened_in_another_browser_confirms_but_asks_to_sign_in(client, db, mailoutbox):
    """Only the browser that joined is signed in by the link: a link that leaked (a shared
    inbox, a log) must not open the account."""
    client.post(SIGNUP, signup_data())
    elsewhere = Client()
    response = confirm(elsewhere, mailoutbox[-1])
    assert response["Location"] == LOGIN
    page = elsewhere.get(LOGIN)
    assert not page.context["user"].is_authenticated
    assert "Thank you: newcomer@example.org is confirmed." in page.content.decode()
    assert EmailAddress.objects.get(email="newcomer@example.org").verified


def test_the_way_in_speaks_in_sentence_case(client, member, mailoutbox):
    for path in [LOGIN, SIGNUP, "/accounts/password/reset/", "/accounts/password/reset/done/"]:
        assert_no_library_wording(client.get(path))
    login = words(client.get(LOGIN))
    assert "<title> Sign in · Hearth</title>" in login
    assert "<h1> Sign in </h1>" in login
    assert "> Sign in </button>" in login
    assert "<h1> Join </h1>" in words(client.get(SIGNUP))

    # With errors too: the messages are Hearth's.
    assert_no_library_wording(client.post(LOGIN, {"login": "not an address", "password": ""}))
    with_errors = client.post(SIGNUP, signup_data(email="", display_name="x"))
    assert_no_library_wording(with_errors)
    assert "Use at least 2 characters." in with_errors.content.decode()

    client.post("/accounts/password/reset/", {"email": member.email})
    reset_path = link_in(mailoutbox[-1]).split("testserver", 1)[1]
    assert_no_library_wording(client.get(reset_path, follow=True))
    assert_no_library_wording(client.get("/accounts/password/reset/key/1-bad-key/"))
    assert_no_library_wording(client.get("/accounts/password/reset/key/done/"))


def test_the_way_in_for_a_new_member_speaks_in_sentence_case(client, db, mailoutbox):
    client.post(SIGNUP, signup_data())
    assert_no_library_wording(client.get("/accounts/confirm-email/"))
    path = link_in(mailoutbox[-1]).split("testserver", 1)[1]
    assert_no_library_wording(client.get(path))
    assert_no_library_wording(client.get("/accounts/confirm-email/not-a-key/"))


def test_account_settings_speak_in_sentence_case(client, member):
    client.post(LOGIN, {"login": member.email, "password": PASSWORD})
    for path in [
        "/accounts/logout/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
    ]:
        assert_no_library_wording(client.get(path))
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert_no_library_wording(client.get("/accounts/2fa/totp/activate/"))
    assert_no_library_wording(client.post("/accounts/2fa/totp/activate/", {"code": "1"}))
    change = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert change.status_code == 302
    pending = client.get("/accounts/email/")
    assert_no_library_wording(pending)
    assert "Change e-mail address" in pending.content.decode()
