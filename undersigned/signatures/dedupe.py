"""Is this organization already on the list? Names compared the way a careful coordinator would.

Two keys per name:
- `exact_key`: case, accents, punctuation, spacing and a leading article set aside. Two
  organizations with the same exact key and country are one: the database refuses to publish
  both (see the `one_published_organization_per_name` constraint).
- `loose_key`: the exact key without the words that say what kind of body it is (association,
  society, centre…) and small words (of, de, للـ…). Used only to suggest.

`compare` suggests a probable duplicate with its reason and a score (0–100); nothing here ever
merges: the owner decides. A name that differs from the other by a place or a "chapter",
"section" or "branch" is a related body, not a duplicate, and is not suggested.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs import categories, confusables
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

ARTICLES = {"the", "la", "le", "les", "l", "el", "los", "las", "al", "a"}
# Small words, in the four languages of the platform.
SMALL_WORDS = {
    "of", "for", "and", "the", "in", "on", "to", "de", "des", "du", "d", "la", "le", "les",
    "l", "et", "pour", "en", "del", "y", "e", "para", "por", "el", "los", "las", "al", "wa",
    "li", "fi",
}  # fmt: skip
# Words that say what kind of body an organization is; different lists spell them differently.
BODY_WORDS = {
    "association", "associations", "assoc", "asociacion", "associacao", "society", "societe",
    "sociedad", "center", "centre", "centro", "centers", "centres", "organization",
    "organisation", "organizacion", "org", "inc", "ltd", "asbl", "ong", "ngo", "aisbl", "ev",
    "foundation", "fondation", "fundacion", "institute", "institut", "instituto", "group",
    "groupe", "grupo", "committee", "comite", "council", "conseil", "consejo",
    "jamiya", "جمعية", "مركز", "منظمة", "مؤسسة",
    # "X International" and "X Intl." are one body.
    "international", "intl", "internacional", "internationale", "int'l",
}  # fmt: skip
# A name that adds one of these to the other is a part of it (a national chapter), not it.
PART_WORDS = {
    "chapter", "section", "branch", "office", "antenne", "seccion", "capitulo", "filial",
    "delegation", "delegacion", "فرع", "مكتب",
}  # fmt: skip
_NON_WORD = re.compile(r"[^\w]+")


# Scripts whose letters are not folded onto Latin look-alikes: a Latin name is compared as
# it is, and Arabic letters that resemble Latin ones (ا, ٥) are not the same name in Arabic.
_OWN_SCRIPTS = {"LATIN", "ARABIC", "COMMON", "INHERITED"}


@lru_cache(maxsize=4096)
def _latin_lookalike(ch: str) -> str:
    """The ASCII letter a character of another script is drawn like ("В", Cyrillic, is "B"),
    from Unicode's confusables data (TR39); the character itself when it has none."""
    if ch.isascii() or categories.alias(ch) in _OWN_SCRIPTS:
        return ch
    glyphs = [g["c"] for g in confusables.confusables_data.get(ch, ())]
    letters = sorted(g for g in glyphs if len(g) == 1 and g.isascii() and g.isalpha())
    return letters[0] if letters else ch


def skeleton(text: str) -> str:
    """`text` with look-alike letters of other scripts replaced by the Latin letters they
    imitate, so "Вravo" (with a Cyrillic В) and "Bravo" are one name."""
    return "".join(_latin_lookalike(ch) for ch in text)


def _fold(text: str) -> str:
    """Lower case, look-alikes folded, no accents, compatibility forms folded, Arabic
    diacritics dropped."""
    text = unicodedata.normalize("NFKD", skeleton(skeleton(text).casefold()))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ـ", "")


# Comparing a list with itself looks at each name many times: the keys below are cached.
@lru_cache(maxsize=8192)
def words(name: str) -> tuple[str, ...]:
    folded = _fold(name.replace("&", " and ").replace("’", "'"))
    # "Teachers' Union" and "Teachers Union" are one: drop a possessive 's.
    folded = re.sub(r"'s\b", "", folded)
    return tuple(w for w in _NON_WORD.sub(" ", folded.replace("_", " ")).split() if w)


def _arabic_article(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


@lru_cache(maxsize=8192)
def exact_key(name: str) -> str:
    parts = words(name)
    if len(parts) > 1 and parts[0] in ARTICLES:
        parts = parts[1:]
    return " ".join(parts)


@lru_cache(maxsize=8192)
def loose_words(name: str) -> tuple[str, ...]:
    kept = []
    for word in words(name):
        word = _arabic_article(word)
        if word in SMALL_WORDS or word in BODY_WORDS or word in ARTICLES:
            continue
        kept.append(word)
    return tuple(kept) or tuple(words(name))


def loose_key(name: str) -> str:
    return " ".join(loose_words(name))


@lru_cache(maxsize=8192)
def initials(name: str) -> str:
    """Initials of the words that carry meaning: "Teachers Union of X" gives "tux"."""
    return "".join(
        w[0] for w in words(name) if w not in SMALL_WORDS and w not in ARTICLES and w[0].isalpha()
    )


def acronym_key(acronym: str) -> str:
    return "".join(words(acronym))


def _acronym_of(name: str, acronym: str) -> str:
    """The acronym given, or the name itself when it is one word that could be an acronym."""
    if acronym:
        return acronym_key(acronym)
    key = exact_key(name)
    return key if " " not in key and 2 <= len(key) <= 10 and name.upper() == name else ""


@dataclass(frozen=True)
class Match:
    score: int
    reason: str  # same_name | acronym | similar_name | same_acronym


# Why two entries look like one organization, as the owner reads it.
REASONS = {
    "same_name": _("the same name once case, accents, punctuation and common words are set aside"),
    "acronym": _("one's acronym is the other's initials"),
    "similar_name": _("very similar names"),
    "same_acronym": _("the same acronym and similar names"),
}
SIMILAR_AT = 88


def _is_part_of(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """b is a part (chapter, branch, a country's section) of a, or the reverse."""
    from undersigned.core.countries import country_code

    short, long = (a, b) if len(a) <= len(b) else (b, a)
    extra = [w for w in long if w not in short]
    if not extra or len(extra) == len(long):
        return False
    return any(w in PART_WORDS for w in extra) or country_code(" ".join(extra)) is not None


def compare(
    name_a: str, acronym_a: str, name_b: str, acronym_b: str, *, country_a: str = "",
    country_b: str = "",
) -> Match | None:  # fmt: skip
    """A probable duplicate, with why and how sure; None for different organizations."""
    if country_a and country_b and country_a != country_b:
        return None
    loose_a, loose_b = loose_words(name_a), loose_words(name_b)
    if loose_a == loose_b:
        return Match(100 if exact_key(name_a) == exact_key(name_b) else 95, "same_name")
    if _is_part_of(loose_a, loose_b):
        return None
    acr_a, acr_b = _acronym_of(name_a, acronym_a), _acronym_of(name_b, acronym_b)
    init_a, init_b = initials(name_a), initials(name_b)
    if (acr_a and len(acr_a) >= 2 and acr_a in (init_b, exact_key(name_b).replace(" ", ""))) or (
        acr_b and len(acr_b) >= 2 and acr_b in (init_a, exact_key(name_a).replace(" ", ""))
    ):
        return Match(90, "acronym")
    score = round(fuzz.token_sort_ratio(" ".join(loose_a), " ".join(loose_b)))
    if score >= SIMILAR_AT:
        return Match(score, "similar_name")
    if acr_a and acr_a == acr_b and score >= 60:
        return Match(max(score, 80), "same_acronym")
    return None


@dataclass(frozen=True)
class Candidate:
    """An organization to compare: its index or id, name, acronym and country."""

    ref: int
    name: str
    acronym: str = ""
    country: str = ""


# The most candidates one name is compared with, per kind of look-up (same loose name, same
# initials, fuzzy score): lists of thousands of near-identical names stay linear in work and in
# the number of suggestions, and a name still meets the first of its look-alikes.
MAX_PER_NAME = 20


def _pairs_to_check(left: list[Candidate], right: list[Candidate]) -> set[tuple[int, int]]:
    """Index pairs (into left, right) worth a full comparison: same loose name, an acronym
    meeting initials, or a fuzzy score near the threshold (rapidfuzz, in C); at most
    MAX_PER_NAME of each for one name on the left."""
    pairs: set[tuple[int, int]] = set()
    by_key: dict[str, list[int]] = {}
    for j, other in enumerate(right):
        by_key.setdefault(loose_key(other.name), []).append(j)
        for key in (initials(other.name), _acronym_of(other.name, other.acronym)):
            if len(key) >= 2:
                by_key.setdefault("acr:" + key, []).append(j)
    for i, cand in enumerate(left):
        keys = [loose_key(cand.name)]
        for key in (initials(cand.name), _acronym_of(cand.name, cand.acronym)):
            if len(key) >= 2:
                keys.append("acr:" + key)
        for key in keys:
            pairs.update((i, j) for j in by_key.get(key, ())[:MAX_PER_NAME])
    right_keys = [loose_key(c.name) for c in right]
    for i, cand in enumerate(left):
        for _choice, _score, j in process.extract(
            loose_key(cand.name),
            right_keys,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=60,
            limit=MAX_PER_NAME,
        ):
            pairs.add((i, j))
    return pairs


def _compare(a: Candidate, b: Candidate) -> Match | None:
    return compare(a.name, a.acronym, b.name, b.acronym, country_a=a.country, country_b=b.country)


def pairs_within(candidates: list[Candidate]) -> list[tuple[int, int, Match]]:
    """Probable duplicates inside one list, as (earlier ref, later ref, match), in list order.

    Entries with the same name, acronym and country are collapsed first: each repeat is paired
    with the first one only, and only the first ones are searched for look-alikes, so a list of
    one name a thousand times costs what one name costs."""
    groups: dict[tuple[str, str, str], list[Candidate]] = {}
    for candidate in candidates:
        key = (exact_key(candidate.name), acronym_key(candidate.acronym), candidate.country)
        groups.setdefault(key, []).append(candidate)
    found = []
    for group in groups.values():
        for repeat in group[1:]:
            if match := _compare(group[0], repeat):
                found.append((group[0].ref, repeat.ref, match))
    firsts = [group[0] for group in groups.values()]
    for i, j in _pairs_to_check(firsts, firsts):
        if i < j and (match := _compare(firsts[i], firsts[j])):
            found.append((firsts[i].ref, firsts[j].ref, match))
    return sorted(found, key=lambda pair: (pair[0], pair[1]))


def matches_against(
    new: list[Candidate], existing: list[Candidate]
) -> dict[int, list[tuple[Candidate, Match]]]:
    """For each new candidate's ref, the existing ones it probably duplicates, best first."""
    found: dict[int, list[tuple[Candidate, Match]]] = {}
    for i, j in sorted(_pairs_to_check(new, existing)):
        if match := _compare(new[i], existing[j]):
            found.setdefault(new[i].ref, []).append((existing[j], match))
    for matches in found.values():
        matches.sort(key=lambda pair: -pair[1].score)
    return found
