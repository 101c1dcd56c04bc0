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
    ("look_alike", "original"),
    [
        ("Riv\u0435r", "River"),  # Cyrillic small ie
        ("\u0420\u0430n", "Pan"),  # Cyrillic capital er, small a
        ("\u0422\u041e\u041c", "TOM"),  # all Cyrillic capitals
        ("\u0422\u043e\u043c", "Tom"),  # Cyrillic "Tom": capital te looks like T
        ("\u039d\u03bf\u03bfr", "Noor"),  # Greek capital nu and small omicrons
        ("\u0391l\u03b5x", "Alex"),  # Greek capital alpha, small epsilon
        ("Ｎｏｏｒ", "Noor"),  # full-width
        ("B0B", "BOB"),  # digit zero for capital O (TR39: confusable)
        ("b0b", "bob"),  # ... and so for small o, as case does not count
        ("Bi11", "Bill"),  # digit one for small l (TR39: confusable)
        ("BiII", "Bill"),  # capital I for small l, the classic
        ("Rnarie", "Marie"),  # "rn" reads as "m"
        ("𝐑𝐢𝐯𝐞𝐫", "River"),  # mathematical bold
    ],
)
def test_names_that_look_alike_share_a_key(look_alike, original):
    assert names.display_name_key(look_alike) == names.display_name_key(original)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("\u0422\u043e\u043c", "\u0422\u041e\u041c"),  # Cyrillic, small and capital
        ("\u0412\u043e\u0432\u0430", "\u0412\u041e\u0412\u0410"),
        ("Σίσυφος", "ΣΊΣΥΦΟΣ"),
        ("Iris", "IRIS"),
        ("straße", "STRASSE"),
    ],
)
def test_case_still_does_not_count_in_any_script(one, other):
    assert names.display_name_key(one) == names.display_name_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("René", "Rene"),  # accents are seen: TR39 keeps them apart
        ("Zoë", "Zoe"),
        ("Вова", "Vova"),  # a transliteration, not a look-alike
        ("李小龙", "Li Xiaolong"),
        ("Bob", "Boss"),
        ("Sam", "Sam 2"),
        ("River", "Rivers"),
        ("Noor", "Nour"),
    ],
)
def test_names_that_only_sound_or_mean_alike_stay_apart(one, other):
    assert names.display_name_key(one) != names.display_name_key(other)


def test_the_longest_names_fit_their_key():
    for longest in ["\ufdfa" * names.MAX_LENGTH, "한" * names.MAX_LENGTH, "m" * names.MAX_LENGTH]:
        assert len(names.display_name_key(longest)) <= names.KEY_MAX_LENGTH


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


def test_a_look_alike_of_a_taken_name_is_refused_naming_the_clash(member_factory):
    member_factory("River")
    with pytest.raises(ValidationError) as caught:
        validate_new_display_name("Riv\u0435r")
    assert caught.value.code == "taken"
    assert caught.value.messages == [
        "“Riv\u0435r” looks the same as “River”, a name another member already uses. "
        "Please choose another."
    ]


def test_the_same_name_is_refused_in_plain_words(member_factory):
    member_factory("River")
    with pytest.raises(ValidationError) as caught:
        validate_new_display_name("River")
    assert caught.value.messages == ["Another member already uses “River”. Please choose another."]


def test_a_long_korean_name_can_be_saved(member_factory):
    member = member_factory("한" * 40)
    assert member.display_name == "한" * 40


def test_a_member_may_keep_their_own_name(member_factory):
    river = member_factory("River")
    assert validate_new_display_name("river", member=river) == "river"
