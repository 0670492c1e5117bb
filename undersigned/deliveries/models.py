from __future__ import annotations

from django.conf import settings
from django.db import models

from undersigned.statements.models import Statement


class Export(models.Model):
    """One export of a statement's list, made by the worker (so a list of any length never
    holds a request): its file and signed manifest sit in the data directory."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=8)
    scope = models.CharField(max_length=8)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    bom = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"export #{self.pk} of {self.statement_id} ({self.format}, {self.scope})"

    @property
    def file_name(self) -> str:
        return f"{self.statement.slug}-{self.scope}-{self.language}-{self.pk}.{self.format}"

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
