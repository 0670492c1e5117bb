from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportBatch(models.Model):
    """One list imported by an owner: the signatures it created point to it, so each can say
    "imported from a list on DATE by USER"."""

    statement = models.ForeignKey(
        "statements.Statement", on_delete=models.PROTECT, related_name="imports"
    )
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who imported when it was not a logged-in user (the management command).
    created_by_label = models.CharField(max_length=80, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField(default=0)
    # Entries of an import kept off the list wait in review until the batch is published.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"import #{self.pk} of {self.count} into {self.statement}"

    @property
    def by(self) -> str:
        return self.created_by.get_username() if self.created_by else self.created_by_label
