import pytest


@pytest.fixture
def profile_path(member_factory):
    return member_factory("Noor H.").get_absolute_url()


@pytest.mark.parametrize(
    "path", ["/", "/settings/profile/", "/members/nobody/", "/accounts/email/"]
)
def test_members_only_site_asks_visitors_to_sign_in(client, db, settings, path):
    settings.HEARTH_MEMBERS_ONLY = True
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_members_only_covers_profiles_and_avatars(client, settings, profile_path):
    settings.HEARTH_MEMBERS_ONLY = True
    for path in [profile_path, "/media/avatars/0123abcd.webp"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/confirm-email/",
        "/healthz",
    ],
)
def test_the_way_in_stays_open(client, db, settings, path):
    settings.HEARTH_MEMBERS_ONLY = True
    assert client.get(path).status_code == 200


def test_the_admin_asks_visitors_to_sign_in_like_every_page(client, db, settings):
    settings.HEARTH_MEMBERS_ONLY = True
    response = client.get("/admin/forums/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/forums/"


def test_an_open_site_shows_pages_to_visitors(client, settings, profile_path):
    settings.HEARTH_MEMBERS_ONLY = False
    assert client.get("/").status_code == 200
    assert client.get(profile_path).status_code == 200


def test_members_see_everything(member_client, settings, profile_path):
    settings.HEARTH_MEMBERS_ONLY = True
    assert member_client.get("/").status_code == 200
    assert member_client.get(profile_path).status_code == 200
