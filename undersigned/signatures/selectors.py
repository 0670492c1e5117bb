"""Reads of counts and public lists. None of them scans the signature table: counts come from
the tally row, lists from the (statement, kind, position) index."""

from __future__ import annotations

from dataclasses import dataclass

from undersigned.signatures.models import ListTally, Signature
from undersigned.statements.models import Statement

PUBLIC_FIELDS = (
    "id", "kind", "name", "acronym", "country", "affiliation", "website", "position",
    "domain_confirmed",
)  # fmt: skip


def tally_for(statement: Statement) -> ListTally:
    """The statement's counts; zeros before the first refresh. Never written here."""
    return ListTally.objects.filter(statement=statement).first() or ListTally(statement=statement)


@dataclass(frozen=True)
class ListPage:
    kind: str
    entries: list[Signature]
    start: int
    next_start: int | None
    previous_start: int | None


def list_page(*, statement: Statement, kind: str, start: int, size: int) -> ListPage:
    """Entries numbered `start`, `start + 1`, … (at most `size`), by key, never by OFFSET."""
    start = max(1, start)
    rows = list(
        Signature.objects.filter(statement=statement, kind=kind, position__gte=start)
        .order_by("position")
        .only(*PUBLIC_FIELDS)[: size + 1]
    )
    more = len(rows) > size
    return ListPage(
        kind=kind,
        entries=rows[:size],
        start=start,
        next_start=start + size if more else None,
        previous_start=max(1, start - size) if start > 1 else None,
    )
