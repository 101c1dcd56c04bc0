from accounts.models import Member


def test_profile_shows_name_bio_and_month_of_joining(member_client, member_factory):
    other = member_factory("Noor H.", bio="I garden and I listen.")
    page = member_client.get(f"/members/{other.handle}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Noor H. · Hearth</title>" in html
    assert "I garden and I listen." in html
    assert f"Member since {other.date_joined:%B %Y}" in html


def test_bio_is_escaped(member_client, member_factory):
    other = member_factory("Noor H.", bio="<script>alert('hi')</script>")
    html = member_client.get(other.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_unknown_and_deactivated_members_are_not_found(member_client, member_factory):
    gone = member_factory("Gone", is_active=False)
    assert member_client.get("/members/nobody-here/").status_code == 404
    assert member_client.get(gone.get_absolute_url()).status_code == 404


def test_another_members_pages_never_show_the_first_members_private_details(client, member_factory):
    """Pseudonymity: e-mail, login, id and exact sign-up time stay between a member and us."""
    first = member_factory("Quiet Sam", email="sam.realname@example.org", bio="Hello.")
    second = member_factory("Noor H.")
    client.force_login(second)
    secrets = [
        "sam.realname",
        "example.org",
        f"/{first.pk}/",
        f"={first.pk}",
        first.date_joined.isoformat(),
        f"{first.date_joined:%H:%M}",
    ]
    for path in [
        "/",
        first.get_absolute_url(),
        second.get_absolute_url(),
        "/settings/profile/",
        "/members/nobody/",
    ]:
        html = client.get(path).content.decode()
        for secret in secrets:
            assert secret not in html, f"{secret!r} leaked on {path}"


def test_member_edits_their_profile(member_client, member):
    response = member_client.post(
        "/settings/profile/",
        {"display_name": "River Stone", "bio": "  Walking helps.  ", "open_to_mentoring": "on"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "River Stone"
    assert member.bio == "Walking helps."
    assert member.open_to_mentoring
    assert response["Location"] == f"/members/{member.handle}/"
    assert "Open to mentoring" in member_client.get(response["Location"]).content.decode()


def test_renaming_gives_a_new_profile_address_and_retires_the_old_one(member_client, member):
    old_url = member.get_absolute_url()
    member_client.post("/settings/profile/", {"display_name": "Willow", "bio": ""})
    member.refresh_from_db()
    assert member.handle == "willow"
    assert member_client.get(old_url).status_code == 404
    assert member_client.get("/members/willow/").status_code == 200


def test_changing_only_the_case_keeps_the_address(member_client, member):
    old_handle = member.handle
    member_client.post("/settings/profile/", {"display_name": "RIVER", "bio": ""})
    member.refresh_from_db()
    assert member.display_name == "RIVER"
    assert member.handle == old_handle


def test_a_handle_clash_gets_a_random_suffix_not_a_counter(member_factory):
    first = member_factory("Zoë")
    second = member_factory("Zoe")
    assert first.handle == "zoe"
    assert second.handle.startswith("zoe-") and len(second.handle) == len("zoe-") + 4


def test_bad_profile_input_is_refused_with_the_input_kept(member_client, member, member_factory):
    member_factory("Noor H.")
    response = member_client.post(
        "/settings/profile/", {"display_name": "noor h", "bio": "My words stay put."}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“noor h” looks the same as “Noor H.”" in html
    assert "My words stay put." in html
    assert 'value="noor h"' in html
    assert Member.objects.get(pk=member.pk).display_name == "River"


def test_a_look_alike_of_another_members_name_is_refused(member_client, member, member_factory):
    member_factory("Noor")
    look_alike = "\u039d\u03bf\u03bfr"  # Greek capital nu and small omicrons
    response = member_client.post("/settings/profile/", {"display_name": look_alike, "bio": ""})
    assert response.status_code == 200
    assert (
        f"“{look_alike}” looks the same as “Noor”, a name another member already uses."
        in response.content.decode()
    )
    assert Member.objects.get(pk=member.pk).display_name == "River"


def test_settings_need_a_signed_in_member(client, db, settings):
    settings.HEARTH_MEMBERS_ONLY = False
    response = client.get("/settings/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_profile_form_loads_in_a_fixed_number_of_queries(
    member_client, django_assert_num_queries
):
    # session, member, what the member may read (forums.querysets.Reader), unread notifications
    with django_assert_num_queries(4):
        assert member_client.get("/settings/profile/").status_code == 200
