"""Moderators' actions on many signatures at once: invalidate by criteria, and undo."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.moderation.models import Invalidation, InvalidationItem
from undersigned.signatures import lifecycle
from undersigned.signatures.models import DuplicateSuggestion, Signature
from undersigned.signatures.services import enqueue_refresh
from undersigned.statements.models import Statement


class MergeRefused(ValueError):
    """The pair cannot be decided: `reason` is "decided" (already, by a co-owner) or "gone"
    (one of the two is no longer standing)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    # Anything still standing; withdrawn and already invalidated ones are left as they are.
    sources = lifecycle.MOVES["invalidate"].sources
    matches = Signature.objects.filter(statement=statement, status__in=sources)
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
    ids = invalidation_matches(statement=statement, criteria=criteria).values_list("pk", flat=True)
    moved = lifecycle.transition_many(list(ids), "invalidate")
    invalidation = Invalidation.objects.create(
        statement=statement,
        criteria=criteria.as_json(),
        reason=reason.strip(),
        count=len(moved),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    InvalidationItem.objects.bulk_create(
        InvalidationItem(invalidation=invalidation, signature_id=pk, previous_status=status)
        for pk, status in moved
    )
    log_action(
        statement,
        "moderation.signatures.invalidated",
        user=user,
        reason=reason,
        data={"invalidation": invalidation.pk, "count": len(moved), **criteria.as_json()},
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
    for item in invalidation.items.select_related("signature").order_by("signature_id"):
        try:
            with transaction.atomic():
                lifecycle.transition(item.signature, "restore", to=item.previous_status)
        except (lifecycle.TransitionRefused, IntegrityError):
            # Restored by another invalidation's undo, or its name is now taken on the list
            # (the owner merges the two instead): left as it is.
            continue
        restored += 1
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


def _public(signature: Signature) -> dict:
    """An entry's public details, for the audit log (never contact data)."""
    return {
        "id": signature.pk,
        "name": signature.name,
        "acronym": signature.acronym,
        "country": str(signature.country),
        "status": signature.status,
        "source": signature.source,
    }


def duplicate_merge(
    *, suggestion: DuplicateSuggestion, keep: Signature, user: AbstractBaseUser, reason: str = ""
) -> Signature:
    """Merge two entries the owner found to be one organization: `keep` stays (published if it
    was in review), the other leaves the list as "merged" and points to it. Both records stay
    in the database, and the audit log keeps both as they were."""
    with transaction.atomic():
        # The rule is checked here, under the locks (suggestion, then both entries in id
        # order): two co-owners merging the pair opposite ways at once cannot both win.
        suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.decision != DuplicateSuggestion.Decision.OPEN:
            raise MergeRefused("decided")
        pair = {
            s.pk: s
            for s in Signature.objects.select_for_update()
            .filter(pk__in=[suggestion.signature_id, suggestion.other_id])
            .order_by("pk")
        }
        if keep.pk not in pair or len(pair) != 2:
            raise ValueError("keep must be one of the pair")
        gone = next(s for pk, s in pair.items() if pk != keep.pk)
        kept = pair[keep.pk]
        if not all(lifecycle.can("merge", s.status) for s in (kept, gone)):
            raise MergeRefused("gone")  # withdrawn, removed or merged meanwhile
        before = {"kept": _public(kept), "merged": _public(gone)}
        lifecycle.transition(gone, "merge", merged_into=kept)
        if kept.status == Signature.Status.IN_REVIEW:
            lifecycle.transition(kept, "approve")
        DuplicateSuggestion.objects.filter(pk=suggestion.pk).update(
            decision=DuplicateSuggestion.Decision.MERGED, decided_by=user, decided_at=timezone.now()
        )
        for signature in (kept, gone):
            log_action(
                signature, "signatures.signature.merged", user=user, reason=reason, data=before
            )
        enqueue_refresh(kept.statement_id)
    return kept


def duplicate_distinct(
    *, suggestion: DuplicateSuggestion, user: AbstractBaseUser, reason: str = ""
) -> None:
    """The owner says the two are different organizations: the suggestion is closed."""
    with transaction.atomic():
        locked = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.decision != DuplicateSuggestion.Decision.OPEN:
            raise MergeRefused("decided")
        DuplicateSuggestion.objects.filter(pk=suggestion.pk).update(
            decision=DuplicateSuggestion.Decision.DISTINCT,
            decided_by=user,
            decided_at=timezone.now(),
        )
        log_action(
            suggestion.signature,
            "signatures.signature.marked_distinct",
            user=user,
            reason=reason,
            data={"from": suggestion.other_id},
        )


def signature_remove(*, signature: Signature, user: AbstractBaseUser, reason: str) -> None:
    """An owner takes one entry off the list: kept, invalidated, reversible like any
    invalidation."""
    with transaction.atomic():
        try:
            previous = lifecycle.transition(signature, "invalidate")
        except lifecycle.TransitionRefused:
            return
        invalidation = Invalidation.objects.create(
            statement_id=signature.statement_id,
            criteria={"signature": signature.pk},
            reason=reason,
            count=1,
            created_by=user,
        )
        InvalidationItem.objects.create(
            invalidation=invalidation, signature=signature, previous_status=previous
        )
        log_action(signature, "signatures.signature.removed", user=user, reason=reason)
        enqueue_refresh(signature.statement_id)


class RestoreRefused(Exception):
    """A removed entry cannot go back: `code` is "gone" (not removed any more) or "taken" (an
    organization of the same name and country is on the list now: merge them instead)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def signature_restore(*, signature: Signature, user: AbstractBaseUser, reason: str) -> None:
    """An owner puts one removed entry back as it was before its latest invalidation (one
    entry's removal, or an invalidation by criteria that took it along)."""
    with transaction.atomic():
        item = (
            InvalidationItem.objects.filter(signature=signature)
            .select_related("invalidation")
            .order_by("-invalidation__created", "-pk")
            .first()
        )
        if item is None:
            raise RestoreRefused("gone")
        try:
            with transaction.atomic():
                lifecycle.transition(signature, "restore", to=item.previous_status)
        except lifecycle.TransitionRefused:
            raise RestoreRefused("gone") from None
        except IntegrityError:
            raise RestoreRefused("taken") from None
        log_action(
            signature,
            "signatures.signature.restored",
            user=user,
            reason=reason,
            data={"invalidation": item.invalidation_id, "status": signature.status},
        )
        enqueue_refresh(signature.statement_id)
