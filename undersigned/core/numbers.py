"""Numbers read from what a client or a file sent."""

from __future__ import annotations


def ascii_int(raw: str, *, max_digits: int) -> int | None:
    """`raw` as a number when it is 1 to `max_digits` ASCII digits; None otherwise.

    `str.isdigit()` also accepts superscripts and other digits that `int()` refuses ("²"),
    so every number parsed from a request or a file goes through here."""
    if 0 < len(raw) <= max_digits and raw.isascii() and raw.isdigit():
        return int(raw)
    return None
