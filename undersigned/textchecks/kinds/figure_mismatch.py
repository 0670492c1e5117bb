"""`figure_mismatch`: two language versions of a statement whose corresponding paragraphs
(matched by order) carry different figures. Arabic-Indic, Persian and Latin digits count
alike, thousands separators and decimal commas are read, and numbers spelled out up to a
thousand are read in all four languages (figures.py)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from undersigned.textchecks.document import Document
from undersigned.textchecks.findings import Finding, excerpt

# Spelled-out values left out of the comparison: Arabic says "two" with a dual ending
# (شخصان), so an English "two people" has no number to match there.
UNMATCHED_SPELLED = {Decimal(2)}


def _values(block, language: str) -> tuple[dict[Decimal, str], set[Decimal]]:
    """The figures of a paragraph: those in digits (value -> as written), and every value."""
    digits: dict[Decimal, str] = {}
    every: set[Decimal] = set()
    for figure in block.figures(language):
        if block.in_link(figure.start, figure.end):
            continue
        every.add(figure.value)
        if figure.ordinal:
            continue
        if not figure.spelled:
            digits.setdefault(figure.value, figure.written)
        elif figure.value not in UNMATCHED_SPELLED:
            digits.setdefault(figure.value, figure.written)
    return digits, every


def check(documents: list[Document]) -> list[Finding]:
    """Each translation against the first document (the source language)."""
    if len(documents) < 2:
        return []
    source, *others = documents
    names = dict(settings.LANGUAGES)
    found = []
    source_paragraphs = source.paragraphs()
    for doc in others:
        for number, (theirs, ours) in enumerate(
            zip(source_paragraphs, doc.paragraphs(), strict=False), start=1
        ):
            a_shown, a_all = _values(theirs, source.language)
            b_shown, b_all = _values(ours, doc.language)
            missing = [a_shown[v] for v in a_shown if v not in b_all]
            extra = [b_shown[v] for v in b_shown if v not in a_all]
            if not missing and not extra:
                continue
            found.append(
                Finding(
                    "figure_mismatch",
                    doc.language,
                    ours.line,
                    excerpt(", ".join(extra) or "—"),
                    _(
                        "Paragraph %(n)s: the figures differ from the %(language)s text "
                        "(%(source)s there; %(here)s here)."
                    )  # fmt: skip
                    % {
                        "n": number,
                        "language": names.get(source.language, source.language),
                        "source": ", ".join(missing) or "—",
                        "here": ", ".join(extra) or "—",
                    },
                )
            )
    return found
