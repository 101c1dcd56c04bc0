"""Display names: how they are cleaned, compared and refused.

Two names are the same name when they read the same to a person: case, Unicode compatibility
forms (NFKC: full-width letters, ligatures, superscripts), invisible characters and the
separators between words do not make a name different.
"""

import re
import unicodedata

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


def display_name_key(name):
    """The comparison key: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return "".join(character for character in folded if character.isalnum())


def _skeleton(text):
    """Latin look-alike letters reduced to ASCII, so Cyrillic 'а' reads as 'a'."""
    return "".join(character for character in unidecode(text).lower() if character.isalnum())


def is_reserved(name):
    if _skeleton(name) in RESERVED_NAMES or display_name_key(name) in RESERVED_NAMES:
        return True
    words = re.split(r"[\s.\-_']+", name)
    return any(_skeleton(word) in RESERVED_WORDS for word in words if word)


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
