from __future__ import annotations

from django.conf import settings
from django.db import models

from undersigned.statements.models import Statement


class Acknowledgment(models.Model):
    """A coordinator's word that a finding of the text check is not a mistake, with why. It
    holds for the same kind of finding on the same words in the same language, wherever they
    move in the text; the decision is in the audit log too."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="acknowledgments"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    kind = models.CharField(max_length=20)
    excerpt = models.CharField(max_length=200)
    reason = models.CharField(max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "language", "kind", "excerpt"], name="one_acknowledgment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} [{self.language}] {self.excerpt}"


class LinkAnswer(models.Model):
    """How a link of a statement's text last answered the worker's link check."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=2000)
    ok = models.BooleanField()
    reason = models.CharField(max_length=60, blank=True)
    checked = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "url"], name="one_answer_per_link")
        ]

    def __str__(self) -> str:
        return f"{self.url}: {'ok' if self.ok else self.reason}"
