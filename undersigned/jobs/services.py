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

from undersigned.core.db import insert_one
from undersigned.jobs.models import Job, WorkerBeat
from undersigned.jobs.registry import (
    PERIODIC_KEY,
    batched,
    coalesces,
    handler_for,
    periodic_kinds,
    sources,
)

logger = logging.getLogger("undersigned.jobs")

LOCK_SECONDS = 300
MAX_ATTEMPTS = 8
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def job_build(*, kind: str, payload: dict[str, Any], key: str = "", delay_seconds: int = 0) -> Job:
    """A job, unsaved (for writing many at once with `bulk_create`)."""
    handler_for(kind)  # fail loudly on a kind nobody handles
    return Job(
        kind=kind,
        payload=payload,
        key=key,
        run_after=timezone.now() + timedelta(seconds=delay_seconds),
    )


def job_enqueue(
    *, kind: str, payload: dict[str, Any], key: str = "", delay_seconds: int = 0
) -> Job:
    """Write a job. Call it inside the transaction of the change that needs the job, so the two
    are committed together or not at all."""
    return insert_one(job_build(kind=kind, payload=payload, key=key, delay_seconds=delay_seconds))


def jobs_claim(*, limit: int = 100) -> list[Job]:
    """Take up to `limit` of the oldest runnable jobs. Safe with any number of workers: on
    PostgreSQL rows another worker holds are skipped (SKIP LOCKED); on SQLite the transaction
    holds the write lock from its first statement (IMMEDIATE), so claims never interleave."""
    now = timezone.now()
    until = now + timedelta(seconds=LOCK_SECONDS)
    runnable = (
        Job.objects.filter(status=Job.Status.PENDING, run_after__lte=now)
        .filter(_unlocked(now))
        .order_by("run_after", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        runnable = runnable.select_for_update(skip_locked=True)
    with transaction.atomic():
        jobs = list(runnable[:limit])
        if not jobs:
            return []
        Job.objects.filter(id__in=[job.id for job in jobs]).update(
            locked_until=until, attempts=F("attempts") + 1
        )
    for job in jobs:
        job.locked_until = until
        job.attempts += 1
        if job.key and coalesces(job.kind):
            # Every job of this kind and key committed so far is satisfied by this run, which
            # starts after this point and so sees all of their changes.
            Job.objects.filter(kind=job.kind, key=job.key, status=Job.Status.PENDING).filter(
                _unlocked(now)
            ).update(status=Job.Status.DONE, finished=now, last_error=f"coalesced into #{job.id}")
    return jobs


def jobs_release(jobs: list[Job]) -> int:
    """Give back claimed jobs whose turn failed before they finished (the worker lost its
    database, say), so they run again at once instead of when their lock expires; the number
    given back. `jobs` are one `jobs_claim`'s, so they share its lock; only jobs still under
    it are touched: a job another worker claimed since, or that finished or recorded its
    failure, is left alone."""
    if not jobs:
        return 0
    return Job.objects.filter(
        id__in=[job.id for job in jobs],
        status=Job.Status.PENDING,
        locked_until=jobs[0].locked_until,
    ).update(locked_until=None)


def _unlocked(now) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lt=now)


def jobs_run(jobs: list[Job]) -> int:
    """Run claimed jobs; the number that succeeded. Failures are retried with back-off; a job
    whose kind and key already ran in this batch is satisfied by that run; jobs of a batched
    kind run together, and one by one only when their batch fails (to isolate the culprit)."""
    done: list[int] = []
    ran: set[tuple[str, str]] = set()
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        if batched(job.kind):
            groups.setdefault(job.kind, []).append(job)
            continue
        if job.key and coalesces(job.kind):
            if (job.kind, job.key) in ran:
                done.append(job.id)
                continue
            ran.add((job.kind, job.key))
        if _run(job.kind, [job]):
            done.append(job.id)
    for kind, group in groups.items():
        if len(group) > 1 and _run(kind, group, record_failure=False):
            done += [job.id for job in group]
            continue
        done += [job.id for job in group if _run(kind, [job])]
    Job.objects.filter(id__in=done).update(
        status=Job.Status.DONE, locked_until=None, finished=timezone.now()
    )
    return len(done)


def _run(kind: str, jobs: list[Job], *, record_failure: bool = True) -> bool:
    handler = handler_for(kind)
    try:
        if batched(kind):
            handler([job.payload for job in jobs])
        else:
            handler(jobs[0].payload)
    except Exception as exc:  # a failing job must never stop the worker
        logger.exception("%s job(s) %s failed", kind, [job.id for job in jobs])
        if record_failure:
            _record_failure(jobs[0], exc)  # a periodic job retries, then goes on as before
        return False
    every = periodic_kinds().get(kind)
    if every:
        job_enqueue(kind=kind, payload={}, key=PERIODIC_KEY, delay_seconds=every)
    return True


def periodic_schedule() -> int:
    """Queue a run of every periodic kind that has none queued; the number queued."""
    queued = 0
    for kind in periodic_kinds():
        if not Job.objects.filter(kind=kind, key=PERIODIC_KEY, status=Job.Status.PENDING).exists():
            job_enqueue(kind=kind, payload={}, key=PERIODIC_KEY)
            queued += 1
    return queued


def _record_failure(job: Job, exc: Exception) -> None:
    failed = job.attempts >= MAX_ATTEMPTS
    Job.objects.filter(id=job.id).update(
        status=Job.Status.FAILED if failed else Job.Status.PENDING,
        locked_until=None,
        run_after=timezone.now() + timedelta(seconds=min(3600, 5 * 2**job.attempts)),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        finished=timezone.now() if failed else None,
    )


def jobs_run_pending(
    *, limit: int = 10_000, batch: int = 100, claimed: list[Job] | None = None
) -> int:
    """Take what the sources hold and run runnable jobs until none is left (or `limit`); the
    number of rows taken and jobs claimed (which may pass `limit` by up to a batch). Used by
    the worker loop and by tests that want the queues drained. `claimed` holds the jobs being
    run while they run, for the worker loop to give back if this raises."""
    count = 0
    held = claimed if claimed is not None else []
    while count < limit:
        taken = sum(take(limit=batch) for take in sources())
        jobs = jobs_claim(limit=batch)
        if not jobs and not taken:
            break
        held[:] = jobs
        jobs_run(jobs)
        held.clear()
        count += taken + len(jobs)
    return count


# How often a worker notes that it is alive (one small write).
BEAT_SECONDS = 10


def worker_beat() -> None:
    WorkerBeat.objects.update_or_create(worker=WORKER_ID, defaults={"seen": timezone.now()})


def worker_loop(
    *, poll_seconds: float = 0.5, stop_after: float | None = None, batch: int = 100
) -> None:
    """Claim and run jobs until stopped. After a batch that was not full the queue is empty,
    so the worker waits `poll_seconds` before claiming again: under a steady stream of
    signatures the jobs then gather into batches, instead of being run a few at a time at the
    full per-batch cost (claim, look-ups, rendering) each."""
    started = time.monotonic()
    logger.info("worker %s started", WORKER_ID)
    scheduled = False
    beat_at = 0.0
    held: list[Job] = []  # the jobs of a turn that failed, until they are given back
    while stop_after is None or time.monotonic() - started < stop_after:
        # Every database call is in here: a worker that starts while the database is down, or
        # loses it, waits for it instead of exiting, then gives back what it had claimed.
        try:
            if held:
                jobs_release(held)
                held.clear()
            if not scheduled:
                periodic_schedule()
                scheduled = True
            if time.monotonic() - beat_at >= BEAT_SECONDS:
                worker_beat()
                beat_at = time.monotonic()
            ran = jobs_run_pending(limit=batch, batch=batch, claimed=held)
        except Exception:
            logger.exception("worker turn failed (is the database reachable?); retrying")
            connection.close()
            ran = 0
        if ran < batch:
            time.sleep(poll_seconds)
