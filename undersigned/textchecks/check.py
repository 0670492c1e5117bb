"""Run every check on one or more language versions of a text (the first is the source)."""

from __future__ import annotations

from undersigned.textchecks.document import Document, parse
from undersigned.textchecks.findings import Finding
from undersigned.textchecks.kinds import (
    broken_link,
    figure_mismatch,
    malformed_date,
    placeholder_link,
    placeholder_text,
    unsourced_figure,
)

PER_TEXT = (placeholder_link, unsourced_figure, malformed_date, placeholder_text)


def check_texts(
    texts: dict[str, str], *, answers: dict[str, broken_link.Answer] | None = None
) -> list[Finding]:
    """Findings of every kind for {language: markdown} (ordered: the first is the source),
    sorted by language order, line and kind. `answers`: link checks already made."""
    documents: list[Document] = [parse(body, language) for language, body in texts.items()]
    found: list[Finding] = []
    for doc in documents:
        for kind in PER_TEXT:
            found += kind.check(doc)
        if answers:
            found += broken_link.check(doc, answers)
    found += figure_mismatch.check(documents)
    order = {language: i for i, language in enumerate(texts)}
    return sorted(found, key=lambda f: (order[f.language], f.line, f.kind, f.excerpt))
