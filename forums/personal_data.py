"""What looks like personal information in a post: the write door asks the author once before
such words reach everyone who can see the post (forums.services).

The patterns lean towards asking: a false alarm costs one click, a missed phone number may
cost a member their anonymity. They still leave alone the numbers ordinary posts are full of
(distances, doses, years, prices, scores, times)."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare, salted_hmac

from forums.choices import Visibility

EMAIL = "an e-mail address"
PHONE = "a phone number"
ADDRESS = "a street address"
POSTCODE = "a postcode"
BIRTH_DATE = "a date of birth"
NATIONAL_ID = "a national identity number"
CARD = "a payment card number"

_AT = r"(?:@|\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+)"
# Spelt-out addresses must end in a real-looking top-level domain, or "meet at home dot" would
# count; written with "@" any domain does.
_TLDS = (
    r"(?:com|org|net|edu|gov|info|io|me|co|uk|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|ca|au|"
    r"nz|in|jp|us)"
)
# A local part starts only where none could have started a character earlier, and every part
# is bounded as in real addresses: without both, a long run of letters is tried from each of
# its characters, and a 20,000-character post takes seconds to check.
_LOCAL = r"(?<![\w.+-])[\w.+-]{1,64}"
_LABEL = r"[\w-]{1,63}"
_EMAIL_PLAIN = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL}){{1,8}}", re.IGNORECASE)
# "name @ example . org": spaces are allowed around "@" itself, never around a bare "at", or
# "at home. It was" would count ("it" being a domain).
_EMAIL_SPACED = re.compile(
    rf"{_LOCAL}\s*@\s*{_LABEL}(?:\s*\.\s*{_LABEL}){{0,8}}?\s*\.\s*{_TLDS}\b", re.IGNORECASE
)
_EMAIL_SPELT = re.compile(
    rf"{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,8}}?{_DOT}{_TLDS}\b", re.IGNORECASE
)

_SEPARATOR = r"[\s.\-]?"
_PHONE_CANDIDATES = (
    # International: +44 7700 900123, +1 (415) 555-0132, +33 6 12 34 56 78, 0044 20 7946 0958.
    re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}(?:[\s.\-]?\(?\d{1,5}\)?){2,6}(?!\w)"),
    # National numbers start with a trunk 0: 07700 900123, (020) 7946 0958, 06 12 34 56 78.
    re.compile(r"(?<![\w.,])\(?0\d{1,4}\)?(?:[\s.\-/]?\d{2,5}){2,5}(?!\w|[.,]\d)"),
    # North American: (415) 555-0132, 415-555-0132, 415.555.0132.
    re.compile(r"(?<![\w.,])\(?[2-9]\d{2}\)?[\s.\-][2-9]\d{2}[\s.\-]\d{4}(?!\w|[.,]\d)"),
)

_STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|"
    r"terrace|boulevard|blvd|gardens|grove|square|sq|row|mews|walk|parade|highway|hwy"
)
_ADDRESSES = (
    # 221B Baker Street, 10 Downing St, 1600 Pennsylvania Avenue NW
    re.compile(
        rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{_STREET_TYPES})\b\.?",
        re.UNICODE,
    ),
    # Hauptstraße 5, Musterstr. 12, Kerkweg 3
    re.compile(
        r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|laan|straat)\s+\d{1,4}[a-z]?\b"
    ),
    # 12 rue de la Paix, 3 bis avenue Foch, 8 calle Mayor
    re.compile(
        r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|place|chemin|allée|"
        r"impasse|quai|calle|via|viale|piazza)\s+\w+",
        re.IGNORECASE,
    ),
)

_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_POSTCODES = (
    # United Kingdom: SW1A 1AA, M1 1AE, EH8 9YL (not "3rd" or "2nd" after a grid reference).
    re.compile(
        r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d(?!st\b|nd\b|rd\b|th\b)[ABD-HJLNP-UW-Z]{2}\b",
        re.IGNORECASE,
    ),
    # Canada: K1A 0B1.
    re.compile(r"\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"),
    # United States, with its state: IL 62704, NY 10001-1234.
    re.compile(rf"\b(?:{_US_STATES}),?\s+\d{{5}}(?:-\d{{4}})?\b"),
    # Australia, with its state: NSW 2000.
    re.compile(r"\b(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s+\d{4}\b"),
    # The Netherlands: 1012 AB (not "1066 AD" or "7 PM").
    re.compile(r"\b[1-9]\d{3}\s?(?!AD\b|BC\b|AM\b|PM\b|CE\b)[A-Z]{2}\b"),
    # Five digits before a town: 75001 Paris, 10115 Berlin, 28013 Madrid.
    re.compile(r"\b\d{5}\s+[A-ZÄÖÜÉ][a-zäöüßéèà]+\b"),
)

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}|"
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_BIRTH_DATE = re.compile(
    rf"\b(?:born(?:\s+on)?|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday(?:\s+is)?)"
    rf"\s*(?:is|was|:|-)?\s*{_DATE}",
    re.IGNORECASE,
)

_NHS_NUMBER = re.compile(r"(?<![\d-])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d-])")
_SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}([\s-])(?!00)\d{2}\1(?!0000)\d{4}\b")
_NATIONAL_INSURANCE = re.compile(
    r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
    re.IGNORECASE,
)
_SOCIAL_INSURANCE = re.compile(r"\b\d{3}[\s-]\d{3}[\s-]\d{3}\b")
_CARD = re.compile(r"(?<![\d-])(?:\d[\s-]?){12,18}\d(?![\d-])")


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str


def _digits(text):
    return re.sub(r"\D", "", text)


def _nhs_checksum_ok(digits):
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], weights, strict=True))
    check = 11 - total % 11
    return check != 10 and (check % 11) == int(digits[9])


def _luhn_ok(digits):
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _phones(text):
    for pattern in _PHONE_CANDIDATES:
        for match in pattern.finditer(text):
            if 9 <= len(_digits(match.group())) <= 15:
                yield match.group()


def _national_ids(text):
    for match in _NHS_NUMBER.finditer(text):
        if _nhs_checksum_ok(_digits(match.group())):
            yield match.group()
    for pattern in (_SSN, _NATIONAL_INSURANCE):
        yield from (match.group() for match in pattern.finditer(text))
    for match in _SOCIAL_INSURANCE.finditer(text):
        if _luhn_ok(_digits(match.group())):
            yield match.group()


def _cards(text):
    for match in _CARD.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            yield match.group()


def _every_finding(text):
    """Every match in `text`, kind by kind in the order a reader would worry about them. A
    number read as an identity or card number is not also a phone number."""
    found = []
    for pattern in (_EMAIL_PLAIN, _EMAIL_SPACED, _EMAIL_SPELT):
        found += [Finding(EMAIL, match.group().strip()) for match in pattern.finditer(text)]
    identities = [Finding(NATIONAL_ID, match.strip()) for match in _national_ids(text)]
    identities += [Finding(CARD, match.strip()) for match in _cards(text)]
    found += identities
    found += [Finding(BIRTH_DATE, m.group().strip()) for m in _BIRTH_DATE.finditer(text)]
    taken = {_digits(finding.text) for finding in identities}
    found += [Finding(PHONE, m.strip()) for m in _phones(text) if _digits(m) not in taken]
    for kind, patterns in ((ADDRESS, _ADDRESSES), (POSTCODE, _POSTCODES)):
        for pattern in patterns:
            found += [Finding(kind, match.group().strip()) for match in pattern.finditer(text)]
    return found


def _first_of_each_kind(findings):
    return list({finding.kind: finding for finding in reversed(findings)}.values())[::-1]


def personal_data_in(text):
    """What in `text` looks like an e-mail address, a phone number, a street address or
    postcode, a date of birth, a national identity or payment card number: one Finding per
    kind found, in the order a reader would worry about them."""
    return _first_of_each_kind(_every_finding(text))


def describe(findings):
    """'a phone number', 'a phone number and a postcode', 'an e-mail address, a phone number
    and a postcode'."""
    kinds = [finding.kind for finding in findings]
    if len(kinds) <= 1:
        return "".join(kinds)
    return f"{', '.join(kinds[:-1])} and {kinds[-1]}"


def _reaches(audience, community):
    open_to_all = community.read_access == "open" and not settings.HEARTH_MEMBERS_ONLY
    if audience.reach == Visibility.PUBLIC and open_to_all:
        return "anyone on the internet, signed in or not"
    reaches = audience.description[:1].lower() + audience.description[1:]
    return reaches.replace("this community", community.name)


class PersonalDataFound(ValidationError):
    """A post about to show what looks like personal information to others. Its author is
    asked once, in plain words naming who will see it. `answer` is what the form sends back
    to post it as it is: it stands for these findings and this audience only, so a change of
    either asks again. Nothing is written meanwhile."""

    def __init__(self, findings, *, audience, community, answer):
        super().__init__(
            f"This looks like personal information ({describe(findings)}) — everyone who can "
            f"see this post will see it ({audience.label}: {_reaches(audience, community)}). "
            "Post anyway, or edit? Pressing the same button again posts it as it is.",
            code="personal_data",
        )
        self.findings = findings
        self.answer = answer


def _answer(author, audience, findings):
    asked = sorted({(finding.kind, finding.text) for finding in findings})
    value = f"{author.pk}|{audience.reach}|{audience.owner_id}|{asked}"
    return salted_hmac("hearth.personal_data", value, algorithm="sha256").hexdigest()[:32]


def check_before_posting(parts, *, audience, author, community, confirmed, before=()):
    """Raises PersonalDataFound when the `parts` of a post (its title, its body) show what
    looks like personal information to anyone but its author. `confirmed` is True from code
    that has already asked, or the answer the author's form sent back (PersonalDataFound's
    `answer`). An edit asks only about what was not already in the parts it replaces
    (`before`), which were posted knowingly: every match counts, so a second phone number
    added beside the first is asked about."""
    if confirmed is True or (
        audience.reach == Visibility.PRIVATE and audience.owner_id == author.pk
    ):
        return
    already = {(f.kind, f.text) for part in before for f in _every_finding(part)}
    new = [f for part in parts for f in _every_finding(part) if (f.kind, f.text) not in already]
    if not new:
        return
    answer = _answer(author, audience, new)
    if confirmed and constant_time_compare(confirmed, answer):
        return
    raise PersonalDataFound(
        _first_of_each_kind(new), audience=audience, community=community, answer=answer
    )
