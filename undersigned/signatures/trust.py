"""Can an organization's signature be trusted as it is? Reasons to hold one for the owner.

- `domain_confirmed`: the email that confirmed it is on the domain of the organization's own
  website (office@friends.example.org for https://www.friends.example.org): shown publicly.
- `free_mail`: it was confirmed from a free-mail mailbox anybody can open in any name.
- `possible_duplicate` / `duplicate_name`: its name is close to (or, set aside case and accents,
  the same as) an organization already on the statement's list.
- `mixed_script`: a name (of an organization or a person) written in scripts that are not
  used together, such as Latin with Cyrillic letters: the way to imitate another name.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from confusable_homoglyphs import categories

from undersigned.signatures.dedupe import Candidate, Match, exact_key, matches_against
from undersigned.signatures.models import Signature

FREE_MAIL = "free_mail"
POSSIBLE_DUPLICATE = "possible_duplicate"
DUPLICATE_NAME = "duplicate_name"
MIXED_SCRIPT = "mixed_script"

# Scripts written together in real names (Unicode TR39, "moderately restrictive"): Latin with
# any one other script except those whose letters imitate Latin ones, and the Chinese,
# Japanese and Korean combinations.
_IMITATORS = {"CYRILLIC", "GREEK", "CHEROKEE", "ARMENIAN", "COPTIC"}
_CJK = [
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "BOPOMOFO"},
    {"LATIN", "HAN", "HANGUL"},
]

# Mailboxes anybody can open, in any name. Operators can extend it in code; the list only
# decides whether an organization's signature is looked at before it is published.
FREE_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.es", "yahoo.co.uk",
    "hotmail.com", "hotmail.fr", "hotmail.es", "outlook.com", "outlook.fr", "live.com",
    "live.fr", "msn.com", "aol.com", "icloud.com", "me.com", "mail.com", "gmx.com", "gmx.net",
    "gmx.de", "gmx.fr", "web.de", "proton.me", "protonmail.com", "pm.me", "tutanota.com",
    "tuta.io", "yandex.com", "yandex.ru", "mail.ru", "zoho.com", "laposte.net", "orange.fr",
    "free.fr", "wanadoo.fr", "sfr.fr", "libero.it", "qq.com", "163.com", "126.com",
    "rediffmail.com", "menara.ma",
}  # fmt: skip


def _host(website: str) -> str:
    host = (urlsplit(website).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def domain_confirmed(*, website: str, email_domain: str) -> bool:
    """The email domain is the website's domain or one of its subdomains (or the reverse)."""
    host, domain = _host(website), email_domain.lower().rstrip(".")
    if not host or not domain or domain in FREE_MAIL_DOMAINS:
        return False
    return host == domain or host.endswith("." + domain) or domain.endswith("." + host)


def listed_organizations(statement_id: int, *, exclude: int | None = None) -> list[Candidate]:
    """The statement's organizations that are on the list or on their way to it."""
    rows = Signature.objects.filter(
        statement_id=statement_id,
        kind=Signature.Kind.ORGANIZATION,
        status__in=[Signature.Status.PUBLISHED, Signature.Status.IN_REVIEW],
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return [
        Candidate(ref=pk, name=name, acronym=acronym, country=country)
        for pk, name, acronym, country in rows.values_list("pk", "name", "acronym", "country")
    ]


def organization_matches(
    *, statement_id: int, name: str, acronym: str, country: str, exclude: int | None = None
) -> list[tuple[Candidate, Match]]:
    new = Candidate(ref=0, name=name, acronym=acronym, country=country)
    return matches_against([new], listed_organizations(statement_id, exclude=exclude)).get(0, [])


# The script of a character: the lookup is a search of Unicode's ranges, and names repeat
# their letters, so each answer is kept (this runs for every submission the worker records).
_script = lru_cache(maxsize=8192)(categories.alias)


def scripts_of(name: str) -> set[str]:
    return {_script(ch) for ch in name if unicodedata.category(ch)[0] == "L"} - {
        "COMMON",
        "INHERITED",
    }


def is_mixed_script(name: str) -> bool:
    scripts = scripts_of(name)
    if len(scripts) <= 1 or any(scripts <= allowed for allowed in _CJK):
        return False
    return not (len(scripts) == 2 and "LATIN" in scripts and not scripts & _IMITATORS)


def name_flags(name: str) -> list[str]:
    """Reasons to hold any signature for review because of how its name is written."""
    return [MIXED_SCRIPT] if is_mixed_script(name) else []


def organization_flags(
    *, email_domain: str, matches: list[tuple[Candidate, Match]], name: str, country: str
) -> list[str]:
    flags = []
    if email_domain in FREE_MAIL_DOMAINS:
        flags.append(FREE_MAIL)
    key = exact_key(name)
    if any(exact_key(c.name) == key and c.country == country for c, _ in matches):
        flags.append(DUPLICATE_NAME)
    elif matches:
        flags.append(POSSIBLE_DUPLICATE)
    return flags
