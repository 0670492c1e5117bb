"""The queue's own upkeep: finished jobs are deleted once they are JOBS_KEEP_DAYS old, so the
table holds what is pending, what failed (kept for inspection, never pruned) and a short
history. A periodic job of the worker; `bin/manage prune_jobs` runs it by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from undersigned.jobs.models import Job, WorkerBeat
from undersigned.jobs.registry import register

PRUNE_JOBS = "jobs.prune"
# Rows deleted per statement: the write lock is held briefly, whatever the backlog.
PRUNE_BATCH = 5000


def jobs_prune(*, now: datetime | None = None) -> int:
    """Delete done jobs finished more than JOBS_KEEP_DAYS ago; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOBS_KEEP_DAYS)
    old = Job.objects.filter(status=Job.Status.DONE, finished__lt=cutoff)
    total = 0
    while ids := list(old.values_list("id", flat=True)[:PRUNE_BATCH]):
        total += Job.objects.filter(id__in=ids).delete()[0]
    # Workers that stopped a day ago (each process notes itself under its own name).
    WorkerBeat.objects.filter(seen__lt=(now or timezone.now()) - timedelta(days=1)).delete()
    return total


@register(PRUNE_JOBS, every=3600)
def prune_jobs(payload: dict) -> None:
    jobs_prune()
