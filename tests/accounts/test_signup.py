import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import Member
from tests.accounts.hashers import CountingHasher
from tests.factories import PASSWORD

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def signup_data(**overrides):
    return {
        "email": "newcomer@example.org",
        "display_name": "Newcomer",
        "password1": "correct horse battery staple",
        "password2": "correct horse battery staple",
        **overrides,
    }


def link_in(message):
    return re.search(r"https?://[^\s]+", message.body).group(0)


def test_sign_up_confirm_and_sign_in(client, db, mailoutbox):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    member = Member.objects.get(email="newcomer@example.org")
    assert member.display_name == "Newcomer"
    assert member.handle == "newcomer"
    assert not EmailAddress.objects.get(user=member).verified

    # Not verified yet: signing in sends them back to check their e-mail.
    client.logout()
    response = client.post(
        LOGIN, {"login": "newcomer@example.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    confirm_url = link_in(mailoutbox[-1])
    assert mailoutbox[-1].to == ["newcomer@example.org"]
    path = confirm_url.split("testserver", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert b"newcomer@example.org" in page.content  # the member's own address, to themselves
    client.post(path)
    assert EmailAddress.objects.get(user=member).verified

    client.logout()
    response = client.post(
        LOGIN, {"login": "NEWCOMER@example.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.context["user"] == member
    assert b"Newcomer" in home.content

    client.post("/accounts/logout/")
    assert not client.get("/accounts/login/").context["user"].is_authenticated


def test_signup_form_asks_for_a_display_name(client, db):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert b'name="display_name"' in response.content
    assert b"Use a pseudonym if you like" in response.content


def test_a_taken_display_name_is_refused_and_input_kept(client, member_factory):
    member_factory("River")
    response = client.post(SIGNUP, signup_data(display_name="ＲＩＶＥＲ", email="kept@example.org"))
    assert response.status_code == 200
    assert "“ＲＩＶＥＲ” looks the same as “River”" in response.content.decode()
    assert b'value="kept@example.org"' in response.content
    assert not Member.objects.filter(email="kept@example.org").exists()


def test_a_look_alike_display_name_is_refused_naming_the_clash(client, member_factory):
    member_factory("River")
    response = client.post(SIGNUP, signup_data(display_name="Riv\u0435r"))
    assert response.status_code == 200
    assert (
        "“Riv\u0435r” looks the same as “River”, a name another member already uses. "
        "Please choose another."
    ) in response.content.decode()
    assert not Member.objects.filter(email="newcomer@example.org").exists()


def test_a_reserved_display_name_is_refused(client, db):
    response = client.post(SIGNUP, signup_data(display_name="Admin"))
    assert response.status_code == 200
    assert "That name is reserved" in response.content.decode()
    assert not Member.objects.exists()


def test_signup_does_not_reveal_a_registered_email(client, member, mailoutbox):
    fresh = client.post(SIGNUP, signup_data(email="someone-new@example.org", display_name="Fresh"))
    again = client.post(SIGNUP, signup_data(email=member.email.upper(), display_name="Impostor"))
    # The same answer either way ...
    assert again.status_code == fresh.status_code == 302
    assert again["Location"] == fresh["Location"]
    assert not Member.objects.filter(display_name="Impostor").exists()
    # ... while the owner of the address learns that someone tried.
    to_owner = [message for message in mailoutbox if message.to == [member.email]]
    assert len(to_owner) == 1
    assert "already" in to_owner[0].body.lower()


@pytest.fixture
def hashed_passwords(settings):
    """How many passwords the site has hashed: it counts from here on."""
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    CountingHasher.hashed = 0
    return lambda: CountingHasher.hashed


def test_signup_takes_as_long_with_a_registered_email(client, member, hashed_passwords):
    """Hashing a password is most of a sign-up's time: a registered address that skipped it
    would be answered ten times faster, telling that the address has an account."""
    fresh = client.post(SIGNUP, signup_data(email="someone-new@example.org", display_name="Fresh"))
    hashed_for_a_new_address = hashed_passwords()
    again = client.post(SIGNUP, signup_data(email=member.email, display_name="Impostor"))
    hashed_for_a_registered_address = hashed_passwords() - hashed_for_a_new_address

    assert hashed_for_a_new_address >= 1
    assert hashed_for_a_registered_address == hashed_for_a_new_address
    assert again.status_code == fresh.status_code == 302
    assert again["Location"] == fresh["Location"]


def test_password_reset_does_not_reveal_a_registered_email(client, member, mailoutbox):
    known = client.post("/accounts/password/reset/", {"email": member.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_password_reset_sets_a_new_password(client, member, mailoutbox):
    client.post("/accounts/password/reset/", {"email": member.email})
    reset_path = link_in(mailoutbox[-1]).split("testserver", 1)[1]
    form_page = client.get(reset_path, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path
    done = client.post(
        action, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a brand new passphrase")


def test_failed_sign_ins_are_rate_limited(client, member):
    for _ in range(5):
        client.post(LOGIN, {"login": member.email, "password": "wrong"})
    response = client.post(LOGIN, {"login": member.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert not response.wsgi_request.user.is_authenticated
    assert "too many" in response.content.decode().lower()


@pytest.mark.django_db
def test_change_email_address(member_client, member, mailoutbox):
    response = member_client.post(
        "/accounts/email/", {"action_add": "", "email": "new-address@example.org"}
    )
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["new-address@example.org"]
    member.refresh_from_db()
    assert member.email != "new-address@example.org"  # not until it is confirmed
    confirm_path = link_in(mailoutbox[-1]).split("testserver", 1)[1]
    member_client.post(confirm_path)
    member.refresh_from_db()
    assert member.email == "new-address@example.org"
    assert EmailAddress.objects.filter(user=member).count() == 1
