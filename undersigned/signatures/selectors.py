"""Reads of counts and public lists. None of them scans the signature table: counts come from
the tally row, lists from the (statement, kind, position) index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from undersigned.core.recent import recent
from undersigned.signatures import lifecycle
from undersigned.signatures.dedupe import exact_key
from undersigned.signatures.models import ListTally, Signature
from undersigned.statements.models import Statement

PUBLIC_FIELDS = (
    "id", "kind", "name", "acronym", "country", "affiliation", "website", "position",
    "domain_confirmed", "initial",
)  # fmt: skip


def tally_for(statement: Statement) -> ListTally:
    """The statement's counts; zeros before the first refresh. Never written here. Kept for a
    moment per process (core/recent.py), so a page view asks the database nothing."""
    return recent(
        ("tally", statement.pk),
        lambda: (
            ListTally.objects.filter(statement=statement).first() or ListTally(statement=statement)
        ),
    )


@dataclass(frozen=True)
class ListPage:
    kind: str
    entries: list[Signature]
    start: int
    next_start: int | None
    previous_start: int | None


def list_page(
    *, statement: Statement, kind: str, start: int, size: int, search: str = ""
) -> ListPage:
    """Entries numbered `start`, `start + 1`, … (at most `size`), by key, never by OFFSET.
    With `search`, only the organizations whose name or acronym contains it."""
    start = max(1, start)
    rows = Signature.objects.filter(statement=statement, kind=kind, position__gte=start)
    if search:
        key = exact_key(search)
        by_name = Q(name_key__contains=key) if key else Q(pk__in=[])
        rows = rows.filter(by_name | Q(acronym__iexact=search.strip()))
    rows = list(rows.order_by("position").only(*PUBLIC_FIELDS)[: size + 1])
    more = len(rows) > size
    return ListPage(
        kind=kind,
        entries=rows[:size],
        start=start,
        # The numbers of a search's results are not contiguous: go on after the last one.
        next_start=rows[size - 1].position + 1 if more else None,
        previous_start=(1 if search else max(1, start - size)) if start > 1 else None,
    )


# Other orders of the organization list: the columns it is sorted by, the id last.
ORDERS = {"az": ("name_key", "id"), "country": ("country", "name_key", "id")}


def _beyond(columns: tuple[str, ...], values: tuple, op: str) -> Q:
    """Rows strictly after (`gt`) or before (`lt`) the row with `values`, in the order of
    `columns` (the last column, the id, makes it total)."""
    q = Q()
    for i, column in enumerate(columns):
        same = {c: values[j] for j, c in enumerate(columns[:i])}
        q |= Q(**same, **{f"{column}__{op}": values[i]})
    return q


@dataclass(frozen=True)
class Group:
    country: object  # a django_countries Country, or None when not grouped
    entries: list[Signature]
    start: int  # the number of its first entry


@dataclass(frozen=True)
class OrderedPage:
    groups: list[Group] = field(default_factory=list)
    next_after: int | None = None
    first_page: bool = True


def ordered_page(*, statement: Statement, order: str, after: int | None, size: int) -> OrderedPage:
    """The listed organizations A–Z, or by country and A–Z within it, numbered 1..n in that
    order. Paged by key: `after` is the list number (the public `position`) of the last entry
    of the previous page, never an id, which would tell the site's volume of signatures."""
    columns = ORDERS[order]
    listed = Signature.objects.filter(
        statement=statement, kind=Signature.Kind.ORGANIZATION, position__isnull=False
    )
    rows = listed
    start = 1
    cursor = listed.filter(position=after).values_list(*columns).first() if after else None
    if cursor is not None:
        rows = listed.filter(_beyond(columns, cursor, "gt"))
        # The cursor's own number is one more than the entries before it.
        start = listed.filter(_beyond(columns, cursor, "lt")).count() + 2
    page = list(rows.order_by(*columns).only(*PUBLIC_FIELDS)[: size + 1])
    more = len(page) > size
    page = page[:size]
    groups: list[Group] = []
    for number, entry in enumerate(page, start=start):
        key = entry.country if order == "country" else None
        if groups and (order != "country" or groups[-1].country.code == entry.country.code):
            groups[-1].entries.append(entry)
        else:
            groups.append(Group(country=key, entries=[entry], start=number))
    return OrderedPage(
        groups=groups,
        next_after=page[-1].position if more else None,
        first_page=cursor is None,
    )


# What an owner can correct or remove: entries on the list or waiting for it.
EDITABLE = lifecycle.EDITABLE


# The states an owner browses on the Entries page: the list itself, and the others.
ENTRY_STATES = {
    "listed": _("On the list"),
    lifecycle.Status.IN_REVIEW.value: _("In review"),
    lifecycle.Status.PENDING.value: _("Waiting for confirmation"),
    "removed": _("Removed"),
    lifecycle.Status.WITHDRAWN.value: _("Withdrawn"),
    lifecycle.Status.REJECTED.value: _("Rejected"),
    lifecycle.Status.MERGED.value: _("Merged"),
}


def owner_entries(
    *,
    statement: Statement,
    kind: str,
    state: str = "listed",
    search: str = "",
    start: int = 1,
    after: int = 0,
    size: int = 100,
) -> list[Signature]:
    """The statement's entries of one kind for its owner. "listed": the public list by number
    from `start`; any other state of ENTRY_STATES: its entries by id after `after`. With
    `search`, the entries of that state whose name or acronym contains it (a scan of the
    statement's entries: owners' pages only)."""
    entries = Signature.objects.filter(statement=statement, kind=kind).select_related(
        "import_batch__created_by"
    )
    if state == "listed":
        # A search also finds the entries waiting in review (they become listed ones).
        entries = entries.filter(status__in=EDITABLE if search else [lifecycle.Status.PUBLISHED])
    elif state == "removed":
        entries = entries.filter(status=lifecycle.Status.INVALIDATED)
    else:
        entries = entries.filter(status=state)
    if search:
        return list(
            entries.filter(Q(name__icontains=search) | Q(acronym__iexact=search)).order_by(
                "position", "pk"
            )[:size]
        )
    if state == "listed":
        entries = entries.filter(position__gte=max(1, start)).order_by("position")
    else:
        entries = entries.filter(pk__gt=after).order_by("pk")
    return list(entries[:size])


@dataclass(frozen=True)
class Activity:
    """Confirmed signatures of one statement: in the last 24 hours, and per day (oldest
    first) over the last `days` days, in UTC."""

    last_day: int
    per_day: list[tuple[date, int]]

    @property
    def peak(self) -> int:
        return max((n for _, n in self.per_day), default=0)

    def bars(self, *, step: int = 10, height: int = 30) -> list[dict]:
        """One bar per day for a server-drawn SVG chart: x, y and height in its units."""
        peak = self.peak or 1
        bars = []
        for i, (day, n) in enumerate(self.per_day):
            h = max(1, round(n * height / peak)) if n else 0
            bars.append({"x": i * step, "y": height - h, "h": h, "day": day, "n": n})
        return bars

    @property
    def total(self) -> int:
        return sum(n for _, n in self.per_day)


def signing_activity(statement_ids: list[int], *, days: int = 14) -> dict[int, Activity]:
    """Two grouped queries for all the statements of a dashboard. Counted: signatures that
    were confirmed and still stand (listed or in review)."""
    now = timezone.now()
    first = (now - timedelta(days=days - 1)).date()
    standing = Signature.objects.filter(
        statement_id__in=statement_ids,
        status__in=[Signature.Status.PUBLISHED, Signature.Status.IN_REVIEW],
    )
    daily: dict[int, dict[date, int]] = {}
    rows = (
        standing.filter(confirmed_at__date__gte=first)
        .annotate(day=TruncDate("confirmed_at"))
        .values_list("statement_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for statement_id, day, n in rows:
        daily.setdefault(statement_id, {})[day] = n
    last_day = dict(
        standing.filter(confirmed_at__gte=now - timedelta(hours=24))
        .values_list("statement_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    span = [first + timedelta(days=i) for i in range(days)]
    return {
        pk: Activity(
            last_day=last_day.get(pk, 0),
            per_day=[(day, daily.get(pk, {}).get(day, 0)) for day in span],
        )
        for pk in statement_ids
    }


def signatures_by_version(statement: Statement) -> dict[tuple[str, str], int]:
    """How many signatures on the public list each version of each text received, by
    (language, version); pending, withdrawn and removed ones are not counted."""
    rows = (
        Signature.objects.filter(statement=statement, status=Signature.Status.PUBLISHED)
        .values("text_language", "text_version")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["text_language"], row["text_version"]): row["n"] for row in rows}
