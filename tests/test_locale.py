"""Hearth's wording for Django's and allauth's texts (locale/en_GB/LC_MESSAGES/django.po) is
what the site says: the compiled catalogue beside it is up to date, and every msgid is still
one the libraries use (an upgrade that rewords one would otherwise bring its words back)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext, ngettext

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"
LIBRARIES = [Path(__import__(name).__file__).parent for name in ("django", "allauth")]


def entries():
    """(msgid, msgid_plural or None, [msgstr...]) for each entry; every string is on one line."""
    found = []
    for block in CATALOGUE.read_text().split("\n\n"):
        fields = {}
        for key, value in re.findall(
            r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', block, re.M
        ):
            fields[key] = ast.literal_eval(value)
        if fields.get("msgid"):
            strings = [fields[key] for key in sorted(fields) if key.startswith("msgstr")]
            found.append((fields["msgid"], fields.get("msgid_plural"), strings))
    return found


ENTRIES = entries()


def test_the_catalogue_has_entries():
    assert len(ENTRIES) > 100


@pytest.mark.parametrize(("msgid", "plural", "strings"), ENTRIES, ids=[e[0][:40] for e in ENTRIES])
def test_the_compiled_catalogue_says_what_the_po_says(msgid, plural, strings):
    if plural:
        assert [ngettext(msgid, plural, 1), ngettext(msgid, plural, 2)] == strings
    else:
        assert gettext(msgid) == strings[0]


def library_catalogue_text():
    text = []
    for library in LIBRARIES:
        for po in (library / "locale" / "en").glob("**/django.po"):
            text.append(po.read_text())
        for po in (library / "conf" / "locale" / "en").glob("**/django.po"):
            text.append(po.read_text())
        for po in (library / "contrib").glob("*/locale/en/LC_MESSAGES/django.po"):
            text.append(po.read_text())
    # The libraries' own catalogues wrap long strings over several lines: join them.
    return re.sub(r'"\n"', "", "\n".join(text))


def test_every_msgid_is_still_one_the_libraries_use():
    known = library_catalogue_text()
    missing = [
        msgid
        for msgid, _, _ in ENTRIES
        if f'msgid "{msgid.replace(chr(34), chr(92) + chr(34))}"' not in known
    ]
    assert not missing
