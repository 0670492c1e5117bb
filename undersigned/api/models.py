from __future__ import annotations

from django.conf import settings
from django.db import models

from undersigned.statements.models import Statement


class ApiToken(models.Model):
    """A statement owner's key for their own tools: scoped (read exports, import lists), for one
    statement, shown once when made and stored only as its SHA-256, revocable; every use is in
    the audit log."""

    class Scope(models.TextChoices):
        EXPORTS_READ = "exports:read", "read exports"
        IMPORTS_WRITE = "imports:write", "import lists"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
