"""Reads for the owner's review page: what waits in review and why, and the open duplicate
suggestions with both entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from undersigned.signatures import abuse, lifecycle, trust
from undersigned.signatures.dedupe import REASONS
from undersigned.signatures.models import DuplicateSuggestion, Signature
from undersigned.statements.models import Statement

# Why a signature is held back, as its owner reads it (codes from abuse.py and trust.py).
# An imported entry the owner keeps off the list until the import is published.
IMPORT_HELD = "import_held"

FLAG_LABELS = {
    IMPORT_HELD: _("imported; the import is not published yet"),
    abuse.HONEYPOT: _("filled in a field people cannot see"),
    abuse.TOO_FAST: _("sent faster than a person can type"),
    abuse.NO_TIMESTAMP: _("the form's time stamp was missing or altered"),
    abuse.OVER_NETWORK_LIMIT: _("many signatures from the same network"),
    abuse.OVER_EMAIL_LIMIT: _("many submissions from the same mailbox"),
    abuse.OVER_DOMAIN_LIMIT: _("many signatures from the same email domain"),
    abuse.BLOCKED: _("matches a block rule"),
    abuse.NO_PROOF_OF_WORK: _("sent without the browser's calculation"),
    trust.FREE_MAIL: _("confirmed from a free-mail address"),
    trust.POSSIBLE_DUPLICATE: _("close to an organization already on the list"),
    trust.DUPLICATE_NAME: _("the same name as an organization already on the list"),
    trust.MIXED_SCRIPT: _("a name that mixes alphabets, as look-alike names do"),
}
# Held back with no flag: the statement has every organization reviewed.
UNFLAGGED = "none"
QUEUE_PAGE_SIZE = 200


@dataclass(frozen=True)
class Waiting:
    signature: Signature
    reasons: list[str]


def _reasons(signature: Signature) -> list[str]:
    codes = signature.flags.split()
    if not codes:
        return [str(_("the statement has every organization reviewed"))]
    return [str(FLAG_LABELS.get(code, code)) for code in codes]


def review_queue(
    *, statement: Statement, flag: str = "", after: int = 0, size: int = QUEUE_PAGE_SIZE
) -> tuple[list[Waiting], int | None]:
    """Signatures waiting in review, oldest first, by key (`after` an id); the next key."""
    waiting = Signature.objects.filter(
        statement=statement, status=Signature.Status.IN_REVIEW, pk__gt=after
    ).order_by("pk")
    if flag == UNFLAGGED:
        waiting = waiting.filter(flags="")
    elif flag:
        waiting = waiting.filter(flags__contains=flag)
    rows = list(waiting[: size + 1])
    next_after = rows[size - 1].pk if len(rows) > size else None
    return [Waiting(s, _reasons(s)) for s in rows[:size]], next_after


def queue_flags(statement: Statement) -> list[tuple[str, str, int]]:
    """The filters worth offering: (code, label, count) of each reason present in review."""
    counts: dict[str, int] = {}
    for flags in Signature.objects.filter(
        statement=statement, status=Signature.Status.IN_REVIEW
    ).values_list("flags", flat=True):
        for code in flags.split() or [UNFLAGGED]:
            counts[code] = counts.get(code, 0) + 1
    labels = {UNFLAGGED: _("no flag (every organization is reviewed)"), **FLAG_LABELS}
    return [(code, str(labels.get(code, code)), n) for code, n in sorted(counts.items())]


@dataclass(frozen=True)
class Suggestion:
    suggestion: DuplicateSuggestion
    reason: str


# A pair is worth deciding while both entries are still on the list or waiting for it.
# Entries a suggested pair can still be decided for (lifecycle: what may be merged).
DECIDABLE = lifecycle.MOVES["merge"].sources


def _open_pairs():
    """Suggestions still to decide, both of whose entries are still on (or waiting for) the
    list."""
    return DuplicateSuggestion.objects.filter(
        decision=DuplicateSuggestion.Decision.OPEN,
        signature__status__in=DECIDABLE,
        other__status__in=DECIDABLE,
    )


def open_suggestions(statement: Statement, *, limit: int = 100) -> list[Suggestion]:
    suggestions = (
        _open_pairs()
        .filter(statement=statement)
        .select_related("signature", "other")
        .order_by("-score", "pk")[:limit]
    )
    return [Suggestion(s, str(REASONS.get(s.reason, s.reason))) for s in suggestions]


def waiting_counts(statement_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each statement: (signatures in review, open duplicate suggestions)."""
    in_review = dict(
        Signature.objects.filter(statement_id__in=statement_ids, status=Signature.Status.IN_REVIEW)
        .values_list("statement_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    suggestions = dict(
        _open_pairs()
        .filter(statement_id__in=statement_ids)
        .values_list("statement_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {pk: (in_review.get(pk, 0), suggestions.get(pk, 0)) for pk in statement_ids}
