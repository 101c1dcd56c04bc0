import pytest
from django.core.exceptions import ValidationError

from accounts import names
from accounts.services import validate_new_display_name


@pytest.mark.parametrize(
    "look_alike",
    [
        "river",
        "RIVER",
        "Ｒｉｖｅｒ",  # full-width
        "R i v e r",
        "Ri_ver",
        "Riv\u00ader",  # soft hyphen
        "ℛiver",  # script capital R, NFKC → R
    ],
)
def test_names_that_read_alike_share_a_key(look_alike):
    assert names.display_name_key(look_alike) == names.display_name_key("River")


def test_different_names_have_different_keys():
    assert names.display_name_key("River") != names.display_name_key("Rivers")
    assert names.display_name_key("李小龙") != names.display_name_key("李小虎")


@pytest.mark.parametrize(
    "reserved",
    [
        "admin",
        "Admin",
        "ADMIN",
        "аdmin",
        "Moderator",
        "s.t.a.f.f",
        "Jane the Moderator",
        "Official Help",
        "Anonymous",
        "system",
        "Support",
        "HEARTH team",
    ],
)
def test_reserved_names_are_refused(reserved):
    with pytest.raises(ValidationError) as caught:
        names.validate_display_name(names.clean_display_name(reserved))
    assert caught.value.code == "reserved"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("R", "too_short"),
        ("x" * 41, "too_long"),
        ("Riv\u200ber", "invalid_character"),  # zero-width space
        ("River\u202e", "invalid_character"),  # right-to-left override
        ("<script>", "invalid_character"),
        ("river@example.org", "invalid_character"),
        ("...", "empty"),
    ],
)
def test_malformed_names_are_refused(raw, code):
    with pytest.raises(ValidationError) as caught:
        names.validate_display_name(names.clean_display_name(raw))
    assert caught.value.code == code


@pytest.mark.parametrize("fine", ["José", "李小龙", "Mary-Jane O'Neil", "Noor H.", "quiet_sam"])
def test_ordinary_names_in_any_script_are_welcome(fine):
    names.validate_display_name(names.clean_display_name(fine))


def test_whitespace_is_collapsed():
    assert names.clean_display_name("  Quiet \t  Sam ") == "Quiet Sam"


def test_a_taken_name_is_refused_in_any_case_or_width(member_factory):
    member_factory("River")
    for attempt in ["river", "Ｒｉｖｅｒ", "R-i-v-e-r"]:
        with pytest.raises(ValidationError) as caught:
            validate_new_display_name(attempt)
        assert caught.value.code == "taken"


def test_a_member_may_keep_their_own_name(member_factory):
    river = member_factory("River")
    assert validate_new_display_name("river", member=river) == "river"
