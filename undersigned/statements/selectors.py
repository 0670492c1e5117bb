"""Reads of statements for public pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from undersigned.statements.models import Statement, StatementText


def public_statement_get(*, slug: str) -> Statement:
    """A statement a reader may see (open or closed), with its texts; 404 otherwise."""
    statement = (
        Statement.objects.exclude(state=Statement.State.DRAFT)
        .prefetch_related("texts")
        .filter(slug=slug)
        .first()
    )
    if statement is None:
        raise Http404("no such statement")
    return statement


def open_statements() -> QuerySet[Statement]:
    return Statement.objects.filter(state=Statement.State.OPEN).prefetch_related("texts")


@dataclass(frozen=True)
class TextChoice:
    text: StatementText
    # True when the reader's language has no text and another one is shown.
    is_fallback: bool
    # The other languages this statement can be read in, as (code, name) pairs.
    others: list[tuple[str, str]]


def statement_text_for(statement: Statement, language: str) -> TextChoice | None:
    texts = {t.language: t for t in statement.texts.all()}
    if not texts:
        return None
    text = texts.get(language)
    fallback = text is None
    if text is None:
        text = texts.get(statement.default_language) or next(iter(texts.values()))
    names = dict(settings.LANGUAGES)
    others = [(code, str(names[code])) for code in names if code in texts and code != text.language]
    return TextChoice(text=text, is_fallback=fallback, others=others)
