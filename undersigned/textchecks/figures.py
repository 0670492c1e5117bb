"""Figures as written in four languages: digits of any script, thousands separators and decimal
commas, and numbers spelled out in words (read back with the tables num2words writes)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from num2words import num2words

# Arabic-Indic and Persian (Extended Arabic-Indic) digits as Latin digits; the Arabic
# thousands separator and decimal mark as a comma and a point.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٬٫", "01234567890123456789,.")
# A number in digits: groups of three after a thousands separator (comma, point, space, thin or
# no-break space, apostrophe), or a decimal part after a comma or point.
NUMBER = re.compile(
    r"(?<![A-Za-z\d.,])\d{1,3}(?:(?:[,.\u00a0\u202f\u2009 ']\d{3})+)(?:[.,]\d+)?(?!\d)"
    r"|(?<![A-Za-z\d.,])\d+(?:[.,]\d+)?(?!\d)"
)


def latin_digits(text: str) -> str:
    """The text with every digit in Latin form (same length: offsets stay valid)."""
    return text.translate(_DIGITS)


def number_value(written: str) -> Decimal | None:
    """The value of a number in digits as found by NUMBER: a separator followed by exactly three
    digits groups thousands, any other marks decimals."""
    written = latin_digits(written)
    groups = re.split(r"[,.\u00a0\u202f\u2009 ']", written)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        digits = "".join(groups)
    elif len(groups) == 2:
        digits = f"{groups[0]}.{groups[1]}"
    elif len(groups) > 2 and all(len(g) == 3 for g in groups[1:-1]):
        digits = "".join(groups[:-1]) + "." + groups[-1]
    else:
        digits = "".join(groups)
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


_ALIKE = str.maketrans("أإآٱىة", "اااايه")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A word without case, accents, Arabic short vowels and tatweel, with alef forms alike."""
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(ch for ch in word if not unicodedata.combining(ch) and ch != "\u0640")
    return word.translate(_ALIKE)


# Number words that are also common words ("one of", "un", "une") are not read as figures.
_AMBIGUOUS = {1}
SPELLED_MAX = 1000


@cache
def spelled_numbers(language: str) -> dict[tuple[str, ...], int]:
    """Every number from 0 to SPELLED_MAX (and round thousands and millions) in words, as
    tuples of folded words, for one language."""
    table: dict[tuple[str, ...], int] = {}
    values = [*range(SPELLED_MAX + 1), *range(2000, 11000, 1000), 100_000, 1_000_000]
    for n in values:
        if n in _AMBIGUOUS:
            continue
        for form in _forms(num2words(n, lang=language), language):
            table.setdefault(form, n)
    return table


def _forms(words: str, language: str) -> set[tuple[str, ...]]:
    base = tuple(fold(w) for w in re.split(r"[\s,-]+", words) if w)
    forms = {base, tuple(w for w in base if w not in {"and", "و", "y", "et"})}
    if language == "ar":
        forms |= _arabic_forms(base)
        # Hundreds written مئة as often as مائة, and two hundred as a dual (مئتا، مئتين).
        forms |= {tuple(w.replace("مائ", "مئ") for w in f) for f in forms}
        if base in {("مئتان",), ("مائتان",)}:
            forms |= {(w,) for w in ("مئتا", "مائتا", "مئتين", "مائتين", "مئتي", "مائتي")}
    if language == "es":
        # Feminine forms: doscientas personas, una.
        forms |= {tuple(w.replace("ientos", "ientas") for w in f) for f in forms}
        # Apocope before a noun: veintiún, cien.
        forms |= {tuple(w[:-1] if w.endswith("uno") else w for w in f) for f in forms}
        forms |= {tuple("cien" if w == "ciento" else w for w in f) for f in forms}
    if language == "fr":
        forms |= {tuple(w.rstrip("s") if w in {"cents", "vingts"} else w for w in f) for f in forms}
    return {f for f in forms if f}


@cache
def ordinal_numbers(language: str) -> dict[tuple[str, ...], int]:
    """Ordinals from 1 to 100 in words ("eighteenth", "الثامنة عشرة"): not figures of their
    own, but what a translation may write for one."""
    table: dict[tuple[str, ...], int] = {}
    for n in range(1, 101):
        base = tuple(
            fold(w) for w in re.split(r"[\s,-]+", num2words(n, lang=language, to="ordinal")) if w
        )
        forms = {base}
        if language == "ar":
            forms.add(tuple(w + "ه" if not w.endswith("ه") else w for w in base))  # feminine
            forms.add(tuple("حاديه" if w == "احدي" else w + "ه" for w in base))
        for form in forms:
            table.setdefault(form, n)
    return table


def _arabic_variants(word: str) -> set[str]:
    """A number word with its case ending (عشرون / عشرين) and gender (ثلاثة / ثلاث)."""
    variants = {word}
    if word.endswith("ون"):
        variants.add(word[:-2] + "ين")
    if word.endswith("ه") and len(word) > 3:
        variants.add(word[:-1])
    return variants


def _arabic_forms(base: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every way an Arabic number is written: each word's case and gender, and "و" (and)
    written apart, joined to the next word, or left out."""
    parts: list[list[tuple[str, ...]]] = []
    joining = False
    for word in base:
        if word == "و":
            joining = True
            continue
        variants = sorted(_arabic_variants(word))
        if joining:
            written: list[tuple[str, ...]] = [("و", v) for v in variants]
            written += [("و" + v,) for v in variants] + [(v,) for v in variants]
            parts.append(written)
        else:
            parts.append([(v,) for v in variants])
        joining = False
    forms: set[tuple[str, ...]] = set()
    for combo in itertools.islice(itertools.product(*parts), 256):
        forms.add(tuple(w for piece in combo for w in piece))
    return forms


@dataclass(frozen=True)
class Figure:
    value: Decimal
    start: int
    end: int
    written: str
    spelled: bool = False
    # An ordinal in words ("eighteenth"): matches a figure, but is not one by itself.
    ordinal: bool = False


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


# A word right after a number that multiplies it: "2 million", "٣ ملايين", "1,5 milliard".
SCALES = {
    "thousand": 1000, "thousands": 1000, "mille": 1000, "mil": 1000, "الف": 1000, "الاف": 1000,
    "million": 10**6, "millions": 10**6, "millon": 10**6, "millones": 10**6, "مليون": 10**6,
    "ملايين": 10**6, "billion": 10**9, "billions": 10**9, "milliard": 10**9, "milliards": 10**9,
    "مليار": 10**9, "مليارات": 10**9,
}  # fmt: skip
# Arabic duals of a scale stand for two of it: مليونا / مليوني (two million), ألفا / ألفي.
DUAL_SCALES = {"مليونا": 2 * 10**6, "مليوني": 2 * 10**6, "الفا": 2000, "الفي": 2000,
               "مليارا": 2 * 10**9, "ملياري": 2 * 10**9}  # fmt: skip
# One-letter Arabic words written joined to what follows (and, with, for, so, as).
_JOINED = set("وبلفك")


SCALES = {fold(k): v for k, v in SCALES.items()}
DUAL_SCALES = {fold(k): v for k, v in DUAL_SCALES.items()}


def _letter(ch: str) -> bool:
    return ch.isalpha()


def figures(text: str, language: str) -> list[Figure]:
    """The numbers in a text, in digits and (from 2 to SPELLED_MAX) in words, in order, each
    with the scale word after it applied ("2 million" is 2,000,000)."""
    latin = latin_digits(text)
    found = []
    for match in NUMBER.finditer(latin):
        start = match.start()
        if start and _letter(text[start - 1]):
            # Inside a word ("ش1باط", "A4"), unless after a joined Arabic one-letter word.
            if text[start - 1] not in _JOINED or (start > 1 and _letter(text[start - 2])):
                continue
        value = number_value(match.group())
        if value is not None:
            found.append(Figure(value, start, match.end(), text[start : match.end()]))
    found += spelled_figures(text, language)
    duals = language == "ar" and any(s in text for s in ("ملي", "ألف", "الف", "آلاف"))
    for match in _WORD.finditer(text) if duals else ():
        word = fold(match.group())
        word = word[1:] if word[:1] in _JOINED and word[1:] in DUAL_SCALES else word
        if word in DUAL_SCALES:
            found.append(
                Figure(Decimal(DUAL_SCALES[word]), match.start(), match.end(), match.group(), True)
            )
    return _combined(sorted(found, key=lambda f: f.start), text)


def _combined(found: list[Figure], text: str) -> list[Figure]:
    """Apply scale words, and join spelled thousands with the hundreds after them ("three
    thousand four hundred", "ثلاثة آلاف وأربعمائة")."""
    out: list[Figure] = []
    for figure in found:
        after = _WORD.match(
            text,
            len(text[: figure.end]) + len(text[figure.end :]) - len(text[figure.end :].lstrip()),
        )
        if after is not None and not figure.spelled:
            scale = SCALES.get(fold(after.group()))
            if scale and scale > 1 and figure.value < 1000:
                figure = Figure(
                    figure.value * scale,
                    figure.start,
                    after.end(),
                    text[figure.start : after.end()],
                )
        if (
            out
            and out[-1].spelled
            and figure.spelled
            and out[-1].value >= 1000
            and out[-1].value % 1000 == 0
            and figure.value < out[-1].value
            and re.fullmatch(r"[\s,\-]*(?:(?:and|et|y)\s+)?", text[out[-1].end : figure.start])
        ):
            last = out.pop()
            figure = Figure(
                last.value + figure.value,
                last.start,
                figure.end,
                text[last.start : figure.end],
                True,
            )
        out.append(figure)
    return out


@cache
def _longest(language: str) -> int:
    """The most words a number of this language is written with."""
    return max(len(key) for table in (spelled_numbers(language), ordinal_numbers(language))
               for key in table)  # fmt: skip


@cache
def _first_words(language: str) -> frozenset[str]:
    """The words a number of this language can start with (most words are not one)."""
    tables = (spelled_numbers(language), ordinal_numbers(language))
    return frozenset(key[0] for table in tables for key in table)


def spelled_figures(text: str, language: str) -> list[Figure]:
    tables = ((spelled_numbers(language), False), (ordinal_numbers(language), True))
    longest = _longest(language)
    words = []
    for m in _WORD.finditer(text):
        word = fold(m.group())
        if language == "ar" and word.startswith("ال") and len(word) > 4:
            word = word[2:]  # the article: الثامنة -> ثامنة
        words.append((m.start(), m.end(), word))
    starts = _first_words(language)
    found, i = [], 0
    while i < len(words):
        first = words[i][2]
        if first not in starts and not (first[:1] == "و" and first[1:] in starts):
            i += 1
            continue
        for size in range(min(longest, len(words) - i), 0, -1):
            key = tuple(w for _, _, w in words[i : i + size])
            hit = None
            for table, ordinal in tables:
                value = table.get(key)
                if value is None and language == "ar" and key[0][:1] == "و":
                    value = table.get((key[0][1:], *key[1:]))
                if value is not None:
                    hit = (value, ordinal)
                    break
            if hit is not None and all(
                re.fullmatch(r"[\s\-]+", text[words[j][1] : words[j + 1][0]])
                for j in range(i, i + size - 1)
            ):
                start, end = words[i][0], words[i + size - 1][1]
                found.append(Figure(Decimal(hit[0]), start, end, text[start:end], True, hit[1]))
                i += size
                break
        else:
            i += 1
    return found
