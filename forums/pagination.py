"""Keyset pagination: "Newer" and "Older" pages that start from the last row shown, so a list
costs the same on its first page and its fiftieth, and nothing ever counts every row."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _encode(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        delta = value - _EPOCH
        return str((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)
    return str(int(value))


def _decode(text, kind):
    if kind is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    number = int(text)
    if kind is datetime:
        return datetime.fromtimestamp(number // 1_000_000, UTC).replace(
            microsecond=number % 1_000_000
        )
    return number


@dataclass
class KeysetPage:
    """One page of rows with the cursors that lead to its neighbours (None at either end)."""

    items: list
    newer: str | None = None
    older: str | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    def __getitem__(self, index):
        return self.items[index]


def cursor_values(cursor, keys):
    """The key values a cursor holds, or None for a cursor that is not one of ours."""
    if not cursor:
        return None
    parts = cursor.split(".")
    if len(parts) != len(keys):
        return None
    try:
        return tuple(_decode(part, kind) for part, (_, kind) in zip(parts, keys, strict=True))
    except (ValueError, OverflowError):
        return None


def keyset_page(parts, keys, *, per_page, older=None, newer=None):
    """A page of rows in descending order of `keys` (pairs of an annotation or field name
    and its type: bool, datetime or int; the last must be unique, such as "pk"), drawn from
    `parts`: a list of querysets that hold disjoint rows (often just one), each asked for its
    own first rows in that order and merged here. With `older`, the rows after that cursor;
    with `newer`, those before it; else the first page."""
    names = [name for name, _ in keys]
    row = Tuple(*(F(name) for name in names))

    def key(item):
        return tuple(getattr(item, name) for name in names)

    def first_rows(lookup, direction, values):
        rows = []
        for part in parts:
            if values is not None:
                part = part.filter(lookup(row, values))
            rows += part.order_by(*(getattr(F(name), direction)() for name in names))[
                : per_page + 1
            ]
        return sorted(rows, key=key, reverse=direction == "desc")[: per_page + 1]

    if (values := cursor_values(newer, keys)) is not None:
        rows = first_rows(TupleGreaterThan, "asc", values)
        more = len(rows) > per_page
        return _page(rows[:per_page][::-1], names, newer=more, older=True)
    values = cursor_values(older, keys)
    rows = first_rows(TupleLessThan, "desc", values)
    return _page(rows[:per_page], names, newer=values is not None, older=len(rows) > per_page)


def _page(rows, names, *, newer, older):
    def cursor(row):
        return ".".join(_encode(getattr(row, name)) for name in names)

    return KeysetPage(
        items=rows,
        newer=cursor(rows[0]) if rows and newer else None,
        older=cursor(rows[-1]) if rows and older else None,
    )
