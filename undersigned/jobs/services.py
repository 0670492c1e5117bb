"""The durable job queue: enqueue inside the caller's transaction, claim, run, retry."""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from undersigned.jobs.models import Job
from undersigned.jobs.registry import coalesces, handler_for

logger = logging.getLogger("undersigned.jobs")

LOCK_SECONDS = 300
MAX_ATTEMPTS = 8
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def job_enqueue(
    *, kind: str, payload: dict[str, Any], key: str = "", delay_seconds: int = 0
) -> Job:
    """Write a job. Call it inside the transaction of the change that needs the job, so the two
    are committed together or not at all."""
    handler_for(kind)  # fail loudly on a kind nobody handles
    return Job.objects.create(
        kind=kind,
        payload=payload,
        key=key,
        run_after=timezone.now() + timedelta(seconds=delay_seconds),
    )


def job_claim() -> Job | None:
    """Take the oldest runnable job, or None. Safe with any number of workers."""
    job = _claim_one(timezone.now())
    if job is not None and job.key and coalesces(job.kind):
        # Every job of this kind and key committed so far is satisfied by this run, which
        # starts after this point and so sees all of their changes.
        Job.objects.filter(kind=job.kind, key=job.key, status=Job.Status.PENDING).filter(
            _unlocked(timezone.now())
        ).exclude(id=job.id).update(
            status=Job.Status.DONE, finished=timezone.now(), last_error=f"coalesced into #{job.id}"
        )
    return job


def _claim_one(now) -> Job | None:
    runnable = Job.objects.filter(status=Job.Status.PENDING, run_after__lte=now).filter(
        _unlocked(now)
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = runnable.select_for_update(skip_locked=True).order_by("run_after", "id").first()
            if job is None:
                return None
            job.locked_until = now + timedelta(seconds=LOCK_SECONDS)
            job.attempts += 1
            job.save(update_fields=["locked_until", "attempts"])
            return job
    # SQLite: one writer at a time, so a conditional UPDATE decides who gets the job.
    for candidate in runnable.order_by("run_after", "id").values_list("id", flat=True)[:5]:
        claimed = (
            Job.objects.filter(id=candidate, status=Job.Status.PENDING)
            .filter(_unlocked(now))
            .update(locked_until=now + timedelta(seconds=LOCK_SECONDS), attempts=F("attempts") + 1)
        )
        if claimed:
            return Job.objects.get(id=candidate)
    return None


def _unlocked(now) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lt=now)


def job_run(job: Job) -> bool:
    """Run a claimed job; True when it succeeded. Failures are retried with back-off."""
    try:
        handler_for(job.kind)(job.payload)
    except Exception as exc:  # a failing job must never stop the worker
        logger.exception("job %s failed (attempt %s)", job, job.attempts)
        failed = job.attempts >= MAX_ATTEMPTS
        Job.objects.filter(id=job.id).update(
            status=Job.Status.FAILED if failed else Job.Status.PENDING,
            locked_until=None,
            run_after=timezone.now() + timedelta(seconds=min(3600, 5 * 2**job.attempts)),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            finished=timezone.now() if failed else None,
        )
        return False
    Job.objects.filter(id=job.id).update(
        status=Job.Status.DONE, locked_until=None, finished=timezone.now()
    )
    return True


def jobs_run_pending(*, limit: int = 10_000) -> int:
    """Run runnable jobs until none is left (or `limit`); the number run. Used by the worker
    loop and by tests that want the queue drained."""
    count = 0
    while count < limit:
        job = job_claim()
        if job is None:
            break
        job_run(job)
        count += 1
    return count


def worker_loop(*, poll_seconds: float = 0.5, stop_after: float | None = None) -> None:
    started = time.monotonic()
    logger.info("worker %s started", WORKER_ID)
    while stop_after is None or time.monotonic() - started < stop_after:
        try:
            ran = jobs_run_pending(limit=100)
        except Exception:
            logger.exception("worker could not claim jobs; retrying")
            connection.close()
            ran = 0
        if not ran:
            time.sleep(poll_seconds)
