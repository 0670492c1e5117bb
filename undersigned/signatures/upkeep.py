"""Scheduled upkeep of signatures: retention (keep nothing longer than promised) and
reconciliation (every stored count equals the rows it counts). Both run as periodic jobs of the
worker and as management commands; both are idempotent, and every change they make is in the
audit log (counts only, never contact data)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.signatures.models import ListTally, Signature, Submission
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Statement


def _per_statement(queryset) -> dict[int, int]:
    return {
        row["statement_id"]: row["n"]
        for row in queryset.values("statement_id").annotate(n=Count("id")).order_by()
    }


def _audit(statement_ids: dict[int, int], action: str, **data) -> None:
    for statement in Statement.objects.filter(pk__in=statement_ids):
        log_action(
            statement,
            action,
            actor_label="retention",
            data={"signatures": statement_ids[statement.pk], **data},
        )


def _deleting_for_retention() -> None:
    """Tell PostgreSQL's evidence trigger (migration 0010) that this transaction's deletes of
    signatures are retention's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('undersigned.deleting', 'retention', true)")


@transaction.atomic
def retention_run(*, now: datetime | None = None) -> dict[str, int]:
    """Apply the retention periods once; the number of signatures each rule touched."""
    now = now or timezone.now()

    # Never confirmed: the person never agreed to be on the list. Deleted.
    unconfirmed = Signature.objects.filter(
        status=Signature.Status.PENDING,
        created__lt=now - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS),
    )
    purged = _per_statement(unconfirmed)
    _deleting_for_retention()
    unconfirmed.delete()
    _audit(purged, "signatures.retention.unconfirmed_deleted")
    # Submissions the worker could not record were never confirmed either: kept for an
    # administrator to look at for as long, then deleted with their contact data.
    stuck = Submission.objects.exclude(failed="").filter(
        created__lt=now - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    )
    stuck_deleted = _per_statement(stuck)
    stuck.delete()
    _audit(stuck_deleted, "signatures.retention.failed_submissions_deleted")

    # IP hashes serve abuse checks in the first days only.
    old_ips = Signature.objects.filter(
        created__lt=now - timedelta(days=settings.RETENTION_IP_DAYS)
    ).exclude(ip_hash="")
    dropped = _per_statement(old_ips)
    old_ips.update(ip_hash="")
    _audit(dropped, "signatures.retention.ip_hashes_dropped")

    # Contact data, some months after signing ended. The public entry and the counts stay.
    cutoff = now - timedelta(days=30 * settings.RETENTION_CONTACT_MONTHS)
    ended = [
        s.pk
        for s in Statement.objects.filter(Q(state=Statement.State.CLOSED) | Q(closes_at__lte=now))
        if (since := s.closed_since(now)) is not None and since <= cutoff
    ]
    contact = Signature.objects.filter(statement_id__in=ended, anonymized_at__isnull=True)
    anonymized = _per_statement(contact)
    contact.update(
        email="",
        email_normalized=None,
        contact_name="",
        contact_role="",
        wants_updates=False,
        ip_hash="",
        token_nonce="",
        anonymized_at=now,
    )
    _audit(anonymized, "signatures.retention.contact_data_removed")
    return {
        "unconfirmed_deleted": sum(purged.values()),
        "failed_submissions_deleted": sum(stuck_deleted.values()),
        "ip_hashes_dropped": sum(dropped.values()),
        "contact_data_removed": sum(anonymized.values()),
    }


def counts_reconcile() -> list[dict]:
    """Recount every statement's public counts and list numbers from its rows; repair and audit
    each difference. The list of repairs (empty when everything agreed)."""
    repairs = []
    statement_ids = set(ListTally.objects.values_list("statement_id", flat=True)) | set(
        Signature.objects.filter(status=Signature.Status.PUBLISHED)
        .values_list("statement_id", flat=True)
        .distinct()
    )
    for statement_id in sorted(statement_ids):
        before = ListTally.objects.filter(statement_id=statement_id).first()
        was = (
            (before.organizations, before.individuals_named, before.individuals_unnamed)
            if before
            else (0, 0, 0)
        )
        tally = statement_list_refresh(statement_id=statement_id)
        now = (tally.organizations, tally.individuals_named, tally.individuals_unnamed)
        if was != now:
            keys = ("organizations", "individuals_named", "individuals_unnamed")
            repair = {
                "statement_id": statement_id,
                "before": dict(zip(keys, was, strict=True)),
                "after": dict(zip(keys, now, strict=True)),
            }
            log_action(
                tally.statement,
                "signatures.tally.repaired",
                actor_label="reconciliation",
                data=repair,
            )
            repairs.append(repair)
    return repairs
