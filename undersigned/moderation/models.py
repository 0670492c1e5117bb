from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class BlockRule(models.Model):
    """Submissions matching a rule are stored but flagged, never refused in a visible way."""

    class Kind(models.TextChoices):
        EMAIL = "email", "email address"
        DOMAIN = "domain", "email domain"
        NETWORK = "network", "IP range (CIDR)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Normalized email, lower-case domain, or a CIDR such as 203.0.113.0/24.
    value = models.CharField(max_length=254)
    reason = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="one_rule_per_value"),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "domain", "network"]), name="block_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


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


class SpentChallenge(models.Model):
    """A proof-of-work challenge that has been used, kept until it expires so that one solved
    challenge cannot carry two submissions (see moderation/pow.py)."""

    nonce = models.CharField(max_length=32, primary_key=True)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce


class SurgeWatch(models.Model):
    """Where the surge watch stopped last time: the highest signature id it had counted, and
    when. One row; the next run counts only the signatures after it (a primary-key range)."""

    last_signature_id = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"surge watch at #{self.last_signature_id}"


class DuplicateSuggestion(models.Model):
    """Two organization signatures of one statement that are probably one organization, for
    the owner to merge or to mark distinct. Nothing is ever merged without that decision."""

    class Decision(models.TextChoices):
        OPEN = "open", "open"
        MERGED = "merged", "merged"
        DISTINCT = "distinct", "distinct"

    statement = models.ForeignKey(
        "statements.Statement", on_delete=models.CASCADE, related_name="duplicate_suggestions"
    )
    signature = models.ForeignKey(
        "signatures.Signature", on_delete=models.CASCADE, related_name="+"
    )
    other = models.ForeignKey("signatures.Signature", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signature", "other"], name="one_suggestion_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.signature_id} ~ {self.other_id} ({self.reason}, {self.score})"
