"""Moderators' actions on many signatures at once: invalidate by criteria, and undo."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.moderation.models import Invalidation, InvalidationItem
from undersigned.signatures.models import Signature
from undersigned.signatures.services import enqueue_refresh
from undersigned.statements.models import Statement

# What an invalidation may touch: anything still standing. Withdrawn and already invalidated
# signatures are left as they are.
INVALIDATABLE = (Signature.Status.PENDING, Signature.Status.IN_REVIEW, Signature.Status.PUBLISHED)


class EmptyCriteria(ValueError):
    """An invalidation must say what it targets: 'everything' is never a criterion."""


@dataclass(frozen=True)
class Criteria:
    email_domain: str = ""
    network_hash: str = ""
    flag: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None

    def is_empty(self) -> bool:
        return not any(asdict(self).values())

    def as_json(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in asdict(self).items()
            if v
        }


def invalidation_matches(*, statement: Statement, criteria: Criteria) -> QuerySet[Signature]:
    """The signatures an invalidation with these criteria would touch (for the preview)."""
    if criteria.is_empty():
        raise EmptyCriteria("choose at least one criterion")
    matches = Signature.objects.filter(statement=statement, status__in=INVALIDATABLE)
    if criteria.email_domain:
        matches = matches.filter(email_domain=criteria.email_domain.strip().lower())
    if criteria.network_hash:
        matches = matches.filter(network_hash=criteria.network_hash.strip())
    if criteria.flag:
        matches = matches.filter(flags__contains=criteria.flag.strip())
    if criteria.created_from:
        matches = matches.filter(created__gte=criteria.created_from)
    if criteria.created_to:
        matches = matches.filter(created__lt=criteria.created_to)
    return matches


@transaction.atomic
def signatures_invalidate(
    *, statement: Statement, criteria: Criteria, user: AbstractBaseUser | None, reason: str
) -> Invalidation:
    """Stop counting every signature matching `criteria`, as one audited, reversible action."""
    if not reason.strip():
        raise ValueError("an invalidation needs a reason")
    matches = list(
        invalidation_matches(statement=statement, criteria=criteria)
        .select_for_update()
        .only("id", "status")
    )
    invalidation = Invalidation.objects.create(
        statement=statement,
        criteria=criteria.as_json(),
        reason=reason.strip(),
        count=len(matches),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    InvalidationItem.objects.bulk_create(
        InvalidationItem(invalidation=invalidation, signature_id=s.pk, previous_status=s.status)
        for s in matches
    )
    Signature.objects.filter(pk__in=[s.pk for s in matches]).update(
        status=Signature.Status.INVALIDATED, position=None
    )
    log_action(
        statement,
        "moderation.signatures.invalidated",
        user=user,
        reason=reason,
        data={"invalidation": invalidation.pk, "count": len(matches), **criteria.as_json()},
    )
    enqueue_refresh(statement.pk)
    return invalidation


@transaction.atomic
def invalidation_undo(*, invalidation: Invalidation, user: AbstractBaseUser | None) -> int:
    """Restore every signature of an invalidation that is still invalidated; the count."""
    invalidation = Invalidation.objects.select_for_update().get(pk=invalidation.pk)
    if invalidation.undone:
        return 0
    restored = 0
    for item in invalidation.items.all():
        restored += Signature.objects.filter(
            pk=item.signature_id, status=Signature.Status.INVALIDATED
        ).update(status=item.previous_status)
    invalidation.undone = timezone.now()
    invalidation.undone_by = user if user is not None and user.is_authenticated else None
    invalidation.save(update_fields=["undone", "undone_by"])
    log_action(
        invalidation.statement,
        "moderation.signatures.restored",
        user=user,
        data={"invalidation": invalidation.pk, "count": restored},
    )
    enqueue_refresh(invalidation.statement_id)
    return restored
