from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One state change: what happened (`app.entity.verb`), to what, by whom, and why.

    Entries are only ever inserted. `data` never holds contact data (emails, contact persons).
    """

    created = models.DateTimeField(auto_now_add=True)  # in id order, which is what is read
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see the partial index below
    )
    # Who acted when it was not a logged-in user: "signer", "system", "worker".
    actor_label = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Most entries are a signer's, without an actor: only the others are indexed.
            models.Index(
                fields=["actor"],
                name="audit_actor_idx",
                condition=models.Q(actor__isnull=False),
            ),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}#{self.object_id}"


class Switch(models.Model):
    """A site-wide switch that moderators flip at run time (e.g. pause all signing)."""

    SIGNING_PAUSED = "signing_paused"

    name = models.CharField(
        max_length=40, unique=True, choices=[(SIGNING_PAUSED, "signing paused")]
    )
    is_on = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {'on' if self.is_on else 'off'}"
