"""`malformed_date`: a date that cannot be right. A digit typed in a month's name ("0ctober",
"Ju1y", "ش1باط"); a day the month does not have (31 April, 29 February 2023, 2024-02-30);
a weekday that contradicts the date ("Monday 3 March 2025" was a Monday: fine; "Friday" is
not). Month and day names come from the Unicode CLDR through Babel: English, French, Spanish,
and both Arabic month systems (يناير and كانون الثاني)."""

from __future__ import annotations

import calendar
import datetime
import itertools
import re
from functools import cache

from babel.dates import get_day_names, get_month_names
from django.utils.translation import gettext_lazy as _

from undersigned.textchecks.document import Document
from undersigned.textchecks.figures import fold, latin_digits
from undersigned.textchecks.findings import Finding, excerpt

# The locales whose names are read: Arabic twice, for the Egyptian/Gulf (يناير) and the
# Levantine/Iraqi (كانون الثاني) month names.
LOCALES = ("en", "fr", "es", "ar", "ar_SY")
# Digits people type for letters that look alike.
LOOKALIKES = {
    "0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "6": "gb", "7": "t", "8": "b", "9": "g",
    "٠": "o", "١": "ا", "٥": "ه", "٧": "v", "٨": "a",
}  # fmt: skip
ARABIC_LOOKALIKES = {"1": "ا", "١": "ا", "5": "ه", "٥": "ه", "0": "ه", "٠": "ه"}


@cache
def months() -> dict[str, int]:
    """Folded month name (wide, and abbreviated of three letters or more) -> month number."""
    names: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                key = fold(name.rstrip("."))
                if len(key.replace(" ", "")) >= 3:
                    names.setdefault(key, number)
    names.setdefault("sept", 9)
    return names


@cache
def weekdays() -> dict[str, int]:
    """Folded weekday name -> Python weekday (Monday 0)."""
    names: dict[str, int] = {}
    for locale in LOCALES:
        for number, name in get_day_names("wide", locale=locale).items():
            names.setdefault(fold(name), number)
            if locale.startswith("ar") and fold(name).startswith("ال"):
                names.setdefault(fold(name)[2:], number)
    return names


# A day and the word after it ("3 March", "3 de marzo", "1er mars", "٣ آذار"), and a word and
# the day after it ("March 3"): the word is then looked up among month names, so these stay
# cheap on long texts (no alternation of every month name in every language).
DAY_FIRST = re.compile(
    r"(?<![\w.,/-])(?P<day>\d{1,2})(?:st|nd|rd|th|er|re|º|°)?\s+(?:(?:de|of)\s+)?(?P<word>[^\W\d_]+)"
)
MONTH_FIRST = re.compile(
    r"(?<![\w])(?P<word>[^\W\d_]{3,})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?![\w.,/-])"
)
# What may follow the month: a second name ("آذار/مارس"), then a year.
AFTER_MONTH = re.compile(
    r"(?:\s*/\s*[^\W\d_]+(?:\s+[^\W\d_]+)?)?\.?(?:,?\s+(?:de\s+|del\s+)?(?P<year>\d{4})(?![\d]))?"
)
# The weekday, if any, right before the date ("Monday, 3 March", "el lunes 3",
# "يوم الاثنين الموافق ٣").
BEFORE = re.compile(r"(?P<weekday>[^\W\d_]+)[\s,]+(?:(?:the|le|el|الموافق)\s+)?$")


def _month_at(folded: str, start: int) -> tuple[int, int] | None:
    """The month whose name starts at `start` (two words first: "كانون الثاني"), with where its
    name ends; None when the word there is no month."""
    two = re.match(r"[^\W\d_]+\s+[^\W\d_]+", folded[start:])
    if two and " ".join(two.group().split()) in months():
        return months()[" ".join(two.group().split())], start + two.end()
    one = re.match(r"[^\W\d_]+", folded[start:])
    if one and one.group() in months():
        return months()[one.group()], start + one.end()
    return None


def dates(folded: str):
    """(start, end, day, month, year or None, weekday or None) of each written date."""
    seen = set()
    for match in DAY_FIRST.finditer(folded):
        found = _month_at(folded, match.start("word"))
        if found is None:
            continue
        month, end = found
        yield _complete(folded, match.start(), end, int(match.group("day")), month)
        seen.add(match.start())
    for match in MONTH_FIRST.finditer(folded):
        named = months().get(match.group("word"))
        if named is None or match.start() in seen:
            continue
        yield _complete(folded, match.start(), match.end(), int(match.group("day")), named)


def _complete(folded: str, start: int, end: int, day: int, month: int):
    after = AFTER_MONTH.match(folded, end)
    year = None
    if after is not None and after.group("year"):
        year, end = int(after.group("year")), after.end()
    before = BEFORE.search(folded[max(0, start - 40) : start])
    weekday: int | None = None
    if before is not None:
        weekday = weekdays().get(before.group("weekday"))
        if weekday is not None:
            start = start - len(folded[max(0, start - 40) : start]) + before.start()
    return start, end, day, month, year, weekday


NUMERIC = re.compile(
    r"(?<![\w/.-])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<ny>\d{4}))(?![\w/-]|\.\d)"
)


def _valid(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year or 2024, month)[1]  # no year: 29 February may be


def _folded_text(text: str) -> str:
    """The text folded for matching names, keeping every offset (one character for one)."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f[0] if len(f) == 1 else ch.lower() if len(ch.lower()) == 1 else ch)
    return "".join(out)


# A word with a digit in it (the only kind a misspelled month can be).
_TOKEN = re.compile(r"[^\W_]*\d[^\W_]*")
_DIGIT = re.compile(r"\d")


def misspelled_month(token: str) -> bool:
    """Whether a word with a digit in it is a month's name with the digit for a letter."""
    if not any(ch.isdigit() for ch in token) or sum(ch.isalpha() for ch in token) < 2:
        return False
    if token[0].isdigit() and token[1:].isalpha() and fold(token[1:]) in months():
        return False  # "3March": a day glued to a correct month name
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in token if ch.isalpha())
    table = ARABIC_LOOKALIKES if arabic else LOOKALIKES
    choices: list[list[str]] = []
    for ch in token:
        if not ch.isdigit():
            choices.append([ch])
            continue
        # Arabic: a digit typed for a letter that looks alike, or typed in addition to them.
        alternatives = [*table.get(ch, ""), *([""] if arabic else [])]
        if not alternatives:
            return False  # this digit looks like no letter
        choices.append(alternatives)
    names = set(months()) | {w for name in months() for w in name.split() if len(w) >= 4}
    for combo in itertools.islice(itertools.product(*choices), 512):
        if fold("".join(combo)) in names:
            return True
    return False


def _finding(doc: Document, line: int, written: str, message) -> Finding:
    return Finding("malformed_date", doc.language, line, excerpt(written), message)


def check(doc: Document) -> list[Finding]:
    found: list[Finding] = []
    for block in doc.blocks:
        text = latin_digits(block.text)
        if not _DIGIT.search(text):
            continue  # every finding of this kind has a digit in it

        def add(start: int, end: int, message, block=block) -> None:
            found.append(_finding(doc, block.line_at(start), block.text[start:end], message))

        for match in _TOKEN.finditer(text):
            if misspelled_month(match.group()):
                add(match.start(), match.end(), _("A digit stands in a month's name."))
        for start, end, day, month, year, weekday in dates(_folded_text(text)):
            if not _valid(year, month, day):
                add(start, end, _("This month does not have that day."))
            elif weekday is not None and year is not None:
                if datetime.date(year, month, day).weekday() != weekday:
                    add(start, end, _("The weekday does not match the date."))
        for match in NUMERIC.finditer(text):
            if match.group("iy"):
                ok = _valid(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
            else:
                a, b, y = int(match.group("a")), int(match.group("b")), int(match.group("ny"))
                ok = _valid(y, b, a) or _valid(y, a, b)  # day first or month first
            if not ok:
                add(match.start(), match.end(), _("This date does not exist."))
    return found
