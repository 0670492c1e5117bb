"""Normalization of what signers type: one canonical email per mailbox, clean names."""

from __future__ import annotations

import re
import unicodedata

# Mailbox providers known to ignore dots in the local part.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}

# Characters that must never be part of a name: controls, line and paragraph separators, and the
# bidirectional embeddings and overrides that can make a name display as something else.
_FORBIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


# A backslash in a quoted local part makes the next character literal: `"\\a"` is `a`.
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)


def _fold(text: str) -> str:
    """Case and Unicode compatibility forms folded, until nothing changes (folding case can
    undo a composition, so one pass of each is not always stable)."""
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        if folded == text:
            break
        text = folded
    return text


def unquote_local(local: str) -> str:
    """A quoted local part (`"ana"`, `"\\a\\na"`) as the plain one it delivers to: the same
    mailbox on every real mail server. The signing forms refuse quoted addresses; this keeps
    the key right for any that reaches the database another way."""
    while len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return local.replace('"', "")


def normalize_email(email: str) -> str:
    """The key under which a mailbox can sign once: quoting removed, case and Unicode width
    folded, the domain in its ASCII (IDNA) form, a `+tag` dropped, and dots dropped where the
    provider ignores them. `normalize_email(normalize_email(x)) == normalize_email(x)`."""
    email = _fold(email).strip()
    local, _, domain = email.rpartition("@")
    domain = domain.strip().rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # the form validator has already refused an invalid domain
    local = _fold(unquote_local(local.strip())).split("+", 1)[0].strip()
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain.casefold()}"


# Letters that render as nothing (Hangul fillers): a name of them looks blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Zero-width joiners shape Arabic, Persian and Indic names, so they stay between two letters.
_JOINERS = frozenset("\u200c\u200d")


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" and ch not in _BLANK_LETTERS


def strip_invisible(value: str) -> str:
    """`value` without the characters that show nothing: format characters (zero-width space,
    word joiner, soft hyphen, tag characters, …) and blank letters, keeping a zero-width
    joiner or non-joiner that stands between two letters."""
    kept = []
    for i, ch in enumerate(value):
        if ch in _BLANK_LETTERS:
            continue
        if unicodedata.category(ch) == "Cf":
            between = (
                0 < i < len(value) - 1 and _is_letter(value[i - 1]) and _is_letter(value[i + 1])
            )
            if not (ch in _JOINERS and between):
                continue
        kept.append(ch)
    return "".join(kept)


def has_visible_letter(value: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" and ch not in _BLANK_LETTERS for ch in value)


def clean_name(value: str) -> str:
    """Invisible characters removed, runs of spaces collapsed, NFC so that one name has one
    spelling."""
    return " ".join(strip_invisible(unicodedata.normalize("NFC", value)).split())


def has_forbidden_characters(value: str) -> bool:
    if _FORBIDDEN.search(value):
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Zl", "Zp") for ch in value)
