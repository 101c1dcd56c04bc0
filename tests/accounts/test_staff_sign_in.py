"""Staff open the admin only through allauth's sign-in, with its rate limits, and only with an
authenticator app (TOTP) as a second factor."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from accounts.models import Member
from accounts.services import member_create
from tests.factories import PASSWORD, enrol_totp, make_community, make_member, totp_code

LOGIN = "/accounts/login/"
ENROL = "/accounts/2fa/totp/activate/"
NEEDS_TWO_FACTOR = (
    "Staff accounts need two-factor authentication. Set up an authenticator app to open the admin."
)


@pytest.fixture
def staff(db):
    return make_member("Site Manager", email="manager@example.org", is_staff=True)


def signed_in(client):
    return SESSION_KEY in client.session


def admin_sign_in_page(client, path="/admin/"):
    """Where opening the admin sends a visitor to sign in, after every redirect."""
    response = client.get(path, follow=True)
    assert response.status_code == 200
    return response.redirect_chain[-1][0]


def test_opening_the_admin_leads_to_allauths_sign_in(client, db):
    assert admin_sign_in_page(client) == f"{LOGIN}?next=/admin/"
    assert admin_sign_in_page(client, "/admin/forums/report/") == (
        f"{LOGIN}?next=/admin/forums/report/"
    )


@pytest.mark.parametrize(
    ("asked", "sent_on_to"),
    [
        ("/admin/login/", "/admin/"),
        ("/admin/login/?next=/admin/forums/thread/", "/admin/forums/thread/"),
        ("/admin/login/?next=https://elsewhere.example/admin/", "/admin/"),
        ("/admin/login/?next=//elsewhere.example/", "/admin/"),
    ],
)
def test_the_admins_own_sign_in_sends_on_to_allauth(client, db, settings, asked, sent_on_to):
    for members_only in (True, False):
        settings.HEARTH_MEMBERS_ONLY = members_only
        response = client.get(asked)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={sent_on_to}"


def test_the_admins_own_sign_in_checks_no_password(client, staff):
    enrol_totp(staff)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/"
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_staff_with_an_authenticator_need_its_code_to_open_the_admin(client, staff):
    secret = enrol_totp(staff)
    sign_in = admin_sign_in_page(client)
    assert sign_in == f"{LOGIN}?next=/admin/"

    response = client.post(sign_in, {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # The right password alone opens nothing: neither the admin nor the site.
    assert not signed_in(client)
    assert client.get("/admin/")["Location"].startswith(LOGIN)
    assert client.get("/")["Location"].startswith(LOGIN)

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Hearth community management" in page.content.decode()


def test_wrong_passwords_at_the_admins_sign_in_are_rate_limited(client, staff):
    enrol_totp(staff)
    sign_in = admin_sign_in_page(client)
    for _ in range(6):
        client.post(sign_in, {"login": staff.email, "password": "not the password"})
    response = client.post(sign_in, {"login": staff.email, "password": PASSWORD})
    assert "too many" in response.content.decode().lower()
    assert not signed_in(client)
    assert response.status_code != 302


@pytest.fixture
def admin_paths(staff):
    """One of each kind of admin page: index, app, list, form, autocomplete, view on site."""
    community = make_community("Runners")
    community_type = ContentType.objects.get_for_model(community)
    return [
        "/admin/",
        "/admin/forums/",
        "/admin/forums/community/",
        f"/admin/forums/community/{community.pk}/change/",
        "/admin/autocomplete/?app_label=forums&model_name=thread&field_name=tags&term=x",
        f"/admin/r/{community_type.pk}/{community.pk}/",
        "/admin/password_change/",
    ]


def test_staff_without_an_authenticator_are_asked_to_set_one_up(client, staff, admin_paths):
    client.force_login(staff)
    for path in admin_paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ENROL, path
    page = client.get("/admin/", follow=True)
    assert NEEDS_TWO_FACTOR in page.content.decode()


def test_staff_without_an_authenticator_can_still_sign_out_of_the_admin(client, staff):
    client.force_login(staff)
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert not signed_in(client)


def test_after_setting_up_an_authenticator_staff_open_the_admin(client, staff):
    client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    assert client.get("/admin/")["Location"] == ENROL
    # allauth asks for the password again before adding a second factor.
    assert client.get(ENROL)["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get(ENROL).status_code == 200
    code = totp_code(client.session[SECRET_SESSION_KEY])
    enrolled = client.post(ENROL, {"code": code}, follow=True)
    # The recovery codes come next; the settings lead back to the admin.
    assert enrolled.status_code == 200
    assert 'href="/admin/">Community management</a>' in enrolled.content.decode()

    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_members_who_are_not_staff_are_not_asked_to_set_up_anything(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert member_client.get(response["Location"]).status_code == 403


@pytest.fixture
def superuser_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "operator@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_DISPLAY_NAME", "Operator")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)


def test_createsuperuser_then_sign_in_and_set_up_an_authenticator(
    client, db, superuser_environment
):
    call_command("createsuperuser", interactive=False, verbosity=0)
    operator = Member.objects.get(email="operator@example.org")
    assert operator.is_superuser and operator.display_name == "Operator"
    assert operator.emailaddress_set.get().verified

    response = client.post(LOGIN, {"login": "operator@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    assert client.get("/admin/")["Location"] == ENROL


def test_createsuperuser_refuses_a_look_alike_display_name(db, superuser_environment, monkeypatch):
    make_member("Operator")
    monkeypatch.setenv("DJANGO_SUPERUSER_DISPLAY_NAME", "\u041eperator")  # Cyrillic capital O
    with pytest.raises(CommandError, match="looks the same as “Operator”"):
        call_command("createsuperuser", interactive=False, verbosity=0)
    assert not Member.objects.filter(email="operator@example.org").exists()


def test_member_create_registers_a_superusers_address_once(db):
    manager = member_create(
        email="kim@example.org",
        password=PASSWORD,
        display_name="Kim",
        email_verified=True,
        is_superuser=True,
    )
    assert [(address.email, address.verified) for address in manager.emailaddress_set.all()] == [
        ("kim@example.org", True)
    ]
