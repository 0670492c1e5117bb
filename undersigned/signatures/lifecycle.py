"""The signature lifecycle: its states and the moves between them, in one table.

Everything reads this table: the code (every status change of a signature, in any app, goes
through `transition` or `transition_many`, under a row lock, and a move the table does not allow
raises `TransitionRefused`), the database constraints and the admin's status filter (models.py),
and the docs (docs/architecture.md holds the table as `lifecycle_table()` prints it; a test
compares them).

    pending ──confirm──▶ published ──withdraw──▶ withdrawn ──sign_again──▶ as it was
       │  └──hold──▶ in_review ──approve──▶ published
       │                 └──reject──▶ rejected
       └── invalidate (pending, in_review, published) ──▶ invalidated ──restore──▶ as it was
           merge (pending, in_review, published) ──▶ merged
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from undersigned.signatures.models import Signature


class Status(models.TextChoices):
    PENDING = "pending", _("pending confirmation")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    INVALIDATED = "invalidated", _("invalidated")
    MERGED = "merged", _("merged into another entry")


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    # None: back to the status the signature had before (kept with the invalidation).
    target: str | None
    who: str
    meaning: str


STANDING = (Status.PENDING, Status.IN_REVIEW, Status.PUBLISHED)

MOVES: dict[str, Move] = {
    "confirm": Move((Status.PENDING,), Status.PUBLISHED, "signer", "confirms by the email link"),
    "hold": Move(
        (Status.PENDING,),
        Status.IN_REVIEW,
        "signer",
        "confirms, and waits: flagged, or an organization the statement reviews",
    ),
    "approve": Move((Status.IN_REVIEW,), Status.PUBLISHED, "owner", "approves in the review"),
    "reject": Move((Status.IN_REVIEW,), Status.REJECTED, "owner", "rejects: kept, never public"),
    "withdraw": Move(STANDING, Status.WITHDRAWN, "signer", "takes the signature back"),
    "sign_again": Move(
        (Status.WITHDRAWN,),
        None,
        "signer",
        "undoes the withdrawal from the management link, within SIGN_AGAIN_HOURS: as it was",
    ),
    "invalidate": Move(
        STANDING,
        Status.INVALIDATED,
        "owner, moderator",
        "takes it off the list (one entry or by criteria): kept, not counted, reversible",
    ),
    "restore": Move(
        (Status.INVALIDATED,), None, "owner, moderator", "undoes an invalidation: as it was"
    ),
    "merge": Move(
        STANDING,
        Status.MERGED,
        "owner",
        "one of two entries of the same organization: kept, points to the other",
    ),
}

# A live signature holds its (statement, mailbox) slot: nobody signs twice. Only a withdrawn
# one gives it back.
LIVE = tuple(s for s in Status.values if s != Status.WITHDRAWN)
# What a signer may still change from the management link (withdraw, show or hide the name).
SIGNER_CAN_CHANGE = MOVES["withdraw"].sources
# Entries an owner corrects on the Entries page.
EDITABLE = (Status.PUBLISHED, Status.IN_REVIEW)


class TransitionRefused(ValueError):
    """The table has no such move from the signature's current status."""

    def __init__(self, action: str, status: str):
        super().__init__(f"a {status} signature cannot be moved by {action!r}")
        self.action = action
        self.status = status


def can(action: str, status: str) -> bool:
    return status in MOVES[action].sources


def _target(action: str, to: str | None) -> str:
    target = MOVES[action].target
    if target is None:
        if to not in STANDING:
            raise ValueError(f"{action!r} needs the status to go back to, not {to!r}")
        return to
    return target


def _moved_fields(target: str, published_at) -> dict:
    """What moves with the status: off the list unless published (the refresh numbers it)."""
    fields: dict = {}
    if target != Status.PUBLISHED:
        fields["position"] = None
    elif published_at is None:
        fields["published_at"] = timezone.now()
    return fields


def transition(signature: Signature, action: str, *, to: str | None = None, **fields) -> str:
    """Move one signature by `action`, under its row lock, with `fields` saved alongside (the
    caller's: confirmed_at, flags, merged_into…); `signature` is updated in place. The status it
    had; TransitionRefused if that status (read under the lock) does not allow the move."""
    from undersigned.signatures.models import Signature

    with transaction.atomic():
        current = (
            Signature.objects.select_for_update()
            .filter(pk=signature.pk)
            .values_list("status", "published_at")
            .first()
        )
        if current is None or not can(action, current[0]):
            raise TransitionRefused(action, current[0] if current else "missing")
        target = _target(action, to)
        changes = {"status": target, **_moved_fields(target, current[1]), **fields}
        for name, value in changes.items():
            setattr(signature, name, value)
        signature.save(update_fields=list(changes))
    return current[0]


def transition_many(ids: Iterable[int], action: str) -> list[tuple[int, str]]:
    """Move every signature of `ids` that the table allows (the others are left as they are),
    under their row locks; (id, previous status) of each one moved."""
    from undersigned.signatures.models import Signature

    move = MOVES[action]
    if move.target is None or move.target == Status.PUBLISHED:
        raise ValueError(f"{action!r} moves one signature at a time")
    with transaction.atomic():
        moved = list(
            Signature.objects.select_for_update()
            .filter(pk__in=list(ids), status__in=move.sources)
            .order_by("pk")
            .values_list("pk", "status")
        )
        Signature.objects.filter(pk__in=[pk for pk, _ in moved]).update(
            status=move.target, position=None
        )
    return moved


def lifecycle_table() -> str:
    """The table as the docs show it (Markdown)."""
    rows = ["| move | from | to | who | what it means |", "|---|---|---|---|---|"]
    for action, move in MOVES.items():
        target = move.target or "the status it had"
        sources = ", ".join(move.sources)
        rows.append(f"| `{action}` | {sources} | {target} | {move.who} | {move.meaning} |")
    return "\n".join(rows)
