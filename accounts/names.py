"""Display names: how they are cleaned, compared and refused.

Two names are the same name when they read the same to a person: case, Unicode compatibility
forms (NFKC: full-width letters, ligatures, superscripts), look-alike letters from other
scripts (Unicode's confusables, TR39), invisible characters and the separators between words
do not make a name different.
"""

import functools
import re
import unicodedata

from confusable_homoglyphs.confusables import confusables_data
from django.core.exceptions import ValidationError
from unidecode import unidecode

MIN_LENGTH = 2
MAX_LENGTH = 40

# Names that would let a member pass for the site or its staff, or that read as no one.
RESERVED_NAMES = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "anonymous",
        "community",
        "deleted",
        "deletedmember",
        "everyone",
        "former member",
        "formermember",
        "guest",
        "hearth",
        "help",
        "here",
        "mod",
        "moderator",
        "moderators",
        "noreply",
        "null",
        "official",
        "owner",
        "postmaster",
        "root",
        "security",
        "staff",
        "support",
        "system",
        "team",
        "undefined",
        "unknown",
        "webmaster",
    }
)
# Words that claim authority wherever they stand in a name ("Jane the Moderator").
RESERVED_WORDS = frozenset(
    {"admin", "administrator", "moderator", "moderators", "staff", "official", "hearth"}
)

_ALLOWED_PUNCTUATION = set(" .-_'")
_WHITESPACE = re.compile(r"\s+")


def clean_display_name(raw):
    """The name as it will be shown: NFC, whitespace collapsed, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", raw or "")).strip()


# The longest key one character of a name can give is 15 characters (U+FDFA, an Arabic
# ligature); a Hangul syllable gives 6.
KEY_MAX_LENGTH = MAX_LENGTH * 16
# Marks the key of a member whose name clashed with an older member's when the key rules
# changed (accounts/migrations/0003); no name's key contains it.
CLASH_SUFFIX_SEPARATOR = "#"


@functools.cache
def _prototypes():
    """Unicode's confusables table (TR39) as {character: prototype}: "а" (Cyrillic) → "a",
    "0" → "O", "m" → "rn".

    confusable-homoglyphs ships the table as pairs without their direction. Every look-alike
    class in it is a star around its prototype: the member paired with all the others, or
    the one sequence of several characters. A class of two single characters does not say
    which is the prototype; either serves, as a key only needs the class, so the lower code
    point is taken."""
    pairs = {}
    for character, homoglyphs in confusables_data.items():
        # The table wraps right-to-left characters in left-to-right marks for display.
        character = _without_direction_marks(character)
        for homoglyph in homoglyphs:
            other = _without_direction_marks(homoglyph["c"])
            pairs.setdefault(character, set()).add(other)
            pairs.setdefault(other, set()).add(character)
    prototypes = {}
    seen = set()
    for start in pairs:
        if start in seen:
            continue
        members, todo = set(), [start]
        while todo:
            member = todo.pop()
            if member not in members:
                members.add(member)
                todo.extend(pairs[member])
        seen |= members
        sequences = [member for member in members if len(member) > 1]
        if sequences:
            prototype = sequences[0]
        elif len(members) > 2:
            prototype = next(m for m in members if pairs[m] == members - {m})
        else:
            prototype = min(members)
        prototypes.update((member, prototype) for member in members if len(member) == 1)
    return prototypes


def _without_direction_marks(text):
    return text.replace("\u200e", "").replace("\u200f", "")


def _skeleton(text):
    """TR39's skeleton: NFD, each character replaced by its prototype, NFD again."""
    prototypes = _prototypes()
    mapped = "".join(prototypes.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def display_name_key(name):
    """The comparison key: two names with the same key read the same.

    NFKC first (full-width and other compatibility forms), then capitals, and only letters,
    digits and combining marks are kept: case, spaces, punctuation and invisible characters
    do not make a name different. Then the TR39 skeleton, case-folded, until nothing changes.

    Why capitals first: Cyrillic "Т" and Greek "Τ" look like Latin "T" while their small
    forms do not look like "t"; starting from capitals catches them and keeps "Том" and
    "ТОМ" one name. Case and look-alikes together make some letters one: TR39 reads "I",
    "l" and "1" alike, so "i" joins them ("Kai" and "Kal" clash), and "0" reads as "O", so
    as "o" too. The price of a key that ignores case is small letters that look Latin only
    in small print (Greek "ν" beside "v"): their capitals do not, so they are not caught.

    Accents stay: "René" and "Rene" are two names, as in TR39, since an accent is seen (a
    transliteration such as unidecode would fold them, and Cyrillic "Вова" into Latin
    "Vova", which does not look alike at all)."""
    text = unicodedata.normalize("NFKC", name).upper()
    text = "".join(c for c in text if unicodedata.category(c)[0] in "LNM")
    for _ in range(5):
        folded = _skeleton(unicodedata.normalize("NFKC", _skeleton(text)).casefold())
        if folded == text:
            break
        text = folded
    return unicodedata.normalize("NFC", text)


def _transliteration(text):
    """Letters reduced to ASCII, so Cyrillic 'а' reads as 'a' and 'ä' as 'a' as well."""
    return "".join(character for character in unidecode(text).lower() if character.isalnum())


_RESERVED_KEYS = frozenset(display_name_key(reserved) for reserved in RESERVED_NAMES)
_RESERVED_WORD_KEYS = frozenset(display_name_key(reserved) for reserved in RESERVED_WORDS)


def is_reserved(name):
    if _transliteration(name) in RESERVED_NAMES or display_name_key(name) in _RESERVED_KEYS:
        return True
    words = [word for word in re.split(r"[\s.\-_']+", name) if word]
    return any(
        _transliteration(word) in RESERVED_WORDS or display_name_key(word) in _RESERVED_WORD_KEYS
        for word in words
    )


def validate_display_name(name):
    """Refuses a cleaned name that is too short, too long, made of the wrong characters or
    reserved. Uniqueness is checked by the caller, which knows whose name it is."""
    if len(name) < MIN_LENGTH:
        raise ValidationError(
            "Choose a display name of at least %(min)d characters.",
            code="too_short",
            params={"min": MIN_LENGTH},
        )
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            "Choose a display name of at most %(max)d characters.",
            code="too_long",
            params={"max": MAX_LENGTH},
        )
    for character in name:
        category = unicodedata.category(character)
        if category[0] not in "LNM" and character not in _ALLOWED_PUNCTUATION:
            raise ValidationError(
                "A display name may use letters, numbers, spaces and . - _ ' only.",
                code="invalid_character",
            )
    if not any(character.isalnum() for character in name):
        raise ValidationError("A display name needs at least one letter or number.", code="empty")
    if is_reserved(name):
        raise ValidationError(
            "That name is reserved for the site and its staff. Please choose another.",
            code="reserved",
        )
