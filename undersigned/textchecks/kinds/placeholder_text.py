"""`placeholder_text`: what should never be published. The "[email protected]" a web page's
email obfuscation leaves when its text is copied; TODO, TBD, XXX, FIXME and lorem ipsum;
"[insert …]", "{{…}}" and "[NAME]"-like slots; the same line pasted twice in a row."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from undersigned.textchecks.document import Document
from undersigned.textchecks.findings import Finding, excerpt

PATTERNS = [
    (
        re.compile(r"\[\s*e-?mail(?:\s|&#160;|&nbsp;|\u00a0)*protected\s*\]", re.I),
        _("An email address was lost when the text was copied from a web page."),
    ),
    (
        re.compile(r"(?<![\w-])(?:TODO|TBD|TBC|XXX+|FIXME)(?![\w-])"),
        _("A note left in the draft."),
    ),
    (re.compile(r"\blorem\s+ipsum\b", re.I), _("Filler text left in the draft.")),
    (
        re.compile(
            r"\[\s*(?:insert|insérer|inserer|insertar|inserte|añadir|ajouter|أدخل|ادخل|ضع|إدراج|اكتب)"
            r"\b[^\]\n]{0,80}\]",
            re.I,
        ),
        _("A slot to fill in was left in the text."),
    ),
    (re.compile(r"\{\{[^{}\n]{0,80}\}\}"), _("A slot to fill in was left in the text.")),
    (
        # [NAME], [ORGANISATION NAME], [DATE], [NOMBRE]: capitals only, not a link's text.
        re.compile(r"\[(?:[A-ZÀ-ÖØ-Þ_]{2,}(?:[ _/-][A-ZÀ-ÖØ-Þ_]{2,})*)\](?![(\[:])"),
        _("A slot to fill in was left in the text."),
    ),
    (
        # An Arabic slot: one to four Arabic words in brackets that are not a link's text.
        re.compile(
            r"\[\s*[\u0621-\u064a\u0660-\u0669]+(?:\s+[\u0621-\u064a]+){0,3}\s*\](?![(\[:])"
        ),
        _("A slot to fill in was left in the text."),
    ),
]
# A repeated line counts when it says something: at least this many words.
REPEAT_MIN_WORDS = 4


def check(doc: Document) -> list[Finding]:
    found = []
    for number, line in enumerate(doc.lines, start=1):
        for pattern, message in PATTERNS:
            for match in pattern.finditer(line):
                found.append(
                    Finding(
                        "placeholder_text", doc.language, number, excerpt(match.group()), message
                    )
                )
    previous, previous_key = None, ""
    for number, line in enumerate(doc.lines, start=1):
        key = " ".join(line.split()).casefold()
        if not key:
            continue  # blank lines between the two copies still make them a repeat
        if key == previous_key and len(key.split()) >= REPEAT_MIN_WORDS:
            found.append(
                Finding(
                    "placeholder_text",
                    doc.language,
                    number,
                    excerpt(line),
                    _("The same line appears twice in a row (line %(line)s and this one).")
                    % {"line": previous},
                )
            )
        previous, previous_key = number, key
    return found
