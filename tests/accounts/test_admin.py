import pytest

from accounts.models import Member
from tests.factories import enrol_totp, make_member

LOOK_ALIKE = "Riv\u0435r"  # Cyrillic small ie
REFUSAL = "“Riv\u0435r” looks the same as “River”, a name another member already uses."


@pytest.fixture
def manager_client(client, member):
    manager = make_member("Site Manager", is_staff=True, is_superuser=True)
    enrol_totp(manager)
    client.force_login(manager)
    return client


def test_the_admin_refuses_to_create_a_member_with_a_look_alike_name(manager_client):
    response = manager_client.post(
        "/admin/accounts/member/add/",
        {"email": "new@example.org", "display_name": LOOK_ALIKE, "usable_password": "false"},
    )
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert not Member.objects.filter(email="new@example.org").exists()


def test_the_admin_refuses_to_rename_a_member_to_a_look_alike_name(manager_client):
    other = make_member("Willow", email="willow@example.org")
    response = manager_client.post(
        f"/admin/accounts/member/{other.pk}/change/",
        {"email": other.email, "display_name": LOOK_ALIKE, "bio": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    other.refresh_from_db()
    assert other.display_name == "Willow"


def test_the_admin_renames_a_member_to_a_different_name(manager_client):
    other = make_member("Willow", email="willow@example.org")
    response = manager_client.post(
        f"/admin/accounts/member/{other.pk}/change/",
        {"email": other.email, "display_name": "Rowan", "bio": "", "is_active": "on"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.display_name == "Rowan"
