from __future__ import annotations

from django.conf import settings
from django.db import models


class Invalidation(models.Model):
    """One moderator decision to stop counting the signatures matching some criteria. The
    signatures are kept; `undo` restores each to the status it had."""

    statement = models.ForeignKey(
        "statements.Statement", on_delete=models.PROTECT, related_name="invalidations"
    )
    criteria = models.JSONField()
    reason = models.CharField(max_length=300)
    count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"invalidation #{self.pk} of {self.count} on {self.statement}"


class InvalidationItem(models.Model):
    invalidation = models.ForeignKey(Invalidation, on_delete=models.CASCADE, related_name="items")
    signature = models.ForeignKey(
        "signatures.Signature", on_delete=models.CASCADE, related_name="+"
    )
    previous_status = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.signature_id} was {self.previous_status}"
