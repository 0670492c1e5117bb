"""What an operator asks of a running instance: is it alive, is it ready, how is it doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min
from django.utils import timezone

from undersigned.jobs.models import Job, WorkerBeat
from undersigned.signatures.models import Signature, Submission

_migrated = False


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def _database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check(True, "answers")


def _migrations() -> Check:
    global _migrated
    if not _migrated:  # once applied, they stay applied for the life of this process
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return Check(False, f"{len(plan)} migration(s) not applied")
        _migrated = True
    return Check(True, "applied")


def _worker() -> Check:
    seen = WorkerBeat.objects.order_by("-seen").values_list("seen", flat=True).first()
    if seen is None:
        return Check(False, "no worker has reported")
    age = (timezone.now() - seen).total_seconds()
    return Check(age <= settings.READY_WORKER_SECONDS, f"last report {age:.0f} s ago")


def _backlog() -> Check:
    limit = settings.READY_MAX_BACKLOG
    now = timezone.now()
    waiting = Submission.objects.filter(failed="").values("id")[: limit + 1].count()
    due = (
        Job.objects.filter(status=Job.Status.PENDING, run_after__lte=now - timedelta(minutes=1))
        .values("id")[: limit + 1]
        .count()
    )
    ok = waiting <= limit and due <= limit
    return Check(ok, f"{waiting} submission(s) and {due} overdue job(s) waiting (limit {limit})")


def readiness() -> dict[str, Check]:
    """Each check of /readyz; a check that raises counts as failed, with the error's kind."""
    checks = {}
    for name, check in (
        ("database", _database),
        ("migrations", _migrations),
        ("worker", _worker),
        ("backlog", _backlog),
    ):
        try:
            checks[name] = check()
        except Exception as error:  # the database itself may be the problem
            checks[name] = Check(False, type(error).__name__)
    return checks


@dataclass(frozen=True)
class Figures:
    submissions_waiting: int
    submissions_failed: int
    oldest_wait_seconds: float
    jobs: dict[tuple[str, str], int]
    signatures: dict[str, int]
    worker_age_seconds: float | None


def figures() -> Figures:
    """What the metrics endpoint reports, read from the database when it is scraped."""
    now = timezone.now()
    waiting = Submission.objects.filter(failed="")
    oldest = waiting.aggregate(oldest=Min("created"))["oldest"]
    jobs = {
        (row["kind"], row["status"]): row["n"]
        for row in Job.objects.values("kind", "status").annotate(n=Count("id")).order_by()
    }
    signatures = {
        row["status"]: row["n"]
        for row in Signature.objects.values("status").annotate(n=Count("id")).order_by()
    }
    seen = WorkerBeat.objects.order_by("-seen").values_list("seen", flat=True).first()
    return Figures(
        submissions_waiting=waiting.count(),
        submissions_failed=Submission.objects.exclude(failed="").count(),
        oldest_wait_seconds=(now - oldest).total_seconds() if oldest else 0.0,
        jobs=jobs,
        signatures=signatures,
        worker_age_seconds=(now - seen).total_seconds() if seen else None,
    )
