from __future__ import annotations

from django.conf import settings
from django.db import models


class RecoveryCode(models.Model):
    """One single-use code that signs in in place of the authenticator app. Shown once when
    made; only its keyed hash is stored, so a copy of the database signs nobody in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="one_recovery_code_per_hash")
        ]

    def __str__(self) -> str:
        return f"recovery code #{self.pk} of user {self.user_id}"
