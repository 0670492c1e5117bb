"""Country names as people write them, in the platform's languages, to ISO 3166 codes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django_countries import countries

# Short forms lists use that the ISO names do not give.
EXTRA = {
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "usa": "US", "us": "US", "united states": "US", "etats unis": "US", "estados unidos": "US",
    "russia": "RU", "syria": "SY", "iran": "IR", "palestine": "PS", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "vietnam": "VN", "viet nam": "VN", "laos": "LA",
    "south korea": "KR", "korea": "KR", "north korea": "KP", "moldova": "MD",
    "drc": "CD", "dr congo": "CD", "rdc": "CD", "ivory coast": "CI", "cote d ivoire": "CI",
    "czech republic": "CZ", "the netherlands": "NL", "holland": "NL", "turkey": "TR",
    "المغرب": "MA", "فلسطين": "PS", "سوريا": "SY", "السودان": "SD", "اليمن": "YE",
}  # fmt: skip


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                for variant in (name, re.split(r"[,(]", name)[0]):
                    key = fold(variant)
                    if key:
                        names.setdefault(key, code)
    names.update(EXTRA)
    return names


def country_code(text: str) -> str | None:
    """The ISO code of a country name in any of the platform's languages; None if it is not
    one."""
    key = fold(text)
    if key.startswith("the "):
        key = key[4:]
    return _names().get(key)
