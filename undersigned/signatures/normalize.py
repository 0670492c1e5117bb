"""Normalization of what signers type: one canonical email per mailbox, clean names."""

from __future__ import annotations

import re
import unicodedata

# Mailbox providers known to ignore dots in the local part.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}

# Characters that must never be part of a name: controls, line and paragraph separators, and the
# bidirectional embeddings and overrides that can make a name display as something else.
_FORBIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def normalize_email(email: str) -> str:
    """The key under which a mailbox can sign once: case and Unicode width folded, the domain in
    its ASCII (IDNA) form, a `+tag` dropped, and dots dropped where the provider ignores them."""
    email = unicodedata.normalize("NFKC", email).strip()
    local, _, domain = email.rpartition("@")
    domain = domain.rstrip(".").casefold()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # the form validator has already refused an invalid domain
    local = local.casefold().split("+", 1)[0]
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def clean_name(value: str) -> str:
    """Collapse runs of spaces; NFC so that one name has one spelling."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def has_forbidden_characters(value: str) -> bool:
    if _FORBIDDEN.search(value):
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Zl", "Zp") for ch in value)
