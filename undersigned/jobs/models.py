from __future__ import annotations

from django.db import models


class Job(models.Model):
    """A unit of background work, written in the same transaction as the change that needs it.

    The worker claims a job by moving `locked_until` into the future; a worker that dies leaves
    the lock to expire, and another worker takes the job again (at-least-once).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=60)
    # Jobs of a coalescing kind with the same key are satisfied by one run (see registry).
    key = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    run_after = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["run_after", "id"],
                name="job_pending_idx",
                condition=models.Q(status="pending"),
            ),
            # Only keyed jobs are looked up by key; an email job has none and is not indexed.
            models.Index(
                fields=["kind", "key"],
                name="job_pending_key_idx",
                condition=models.Q(status="pending") & ~models.Q(key=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "failed"]),
                name="job_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} ({self.status})"


class WorkerBeat(models.Model):
    """When each worker last went round its loop: what /readyz and the metrics read to tell
    whether anything is recording submissions and sending emails."""

    worker = models.CharField(max_length=120, unique=True)
    seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen:%Y-%m-%d %H:%M:%S}"
