"""The direction of a piece of text, for the places that lay text out themselves (the PDF
letter, the share cards): what `dir="auto"` gives in a browser."""

from __future__ import annotations

import unicodedata


def text_direction(text: str) -> str:
    """ "rtl" or "ltr" by the text's first strong letter; "ltr" when it has none: "=1+1 Alpha"
    stays as written in an Arabic page."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"
