from __future__ import annotations

from django.conf import settings
from django.db import models

from undersigned.statements.models import Statement, addressee_label


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
    # The letter (PDF): its paper size, and the languages of the text it holds.
    paper = models.CharField(max_length=8, default="a4")
    texts = models.JSONField(default=list, blank=True)
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


class Delivery(models.Model):
    """One sending of the statement to some of its addressees: who sent it and when, which
    text versions and counts it carried, and the SHA-256 of every file sent (the manifest)."""

    class Status(models.TextChoices):
        # Made by a milestone: waits for an owner to confirm it (or discard it).
        AWAITING = "awaiting", "awaiting confirmation"
        PREPARING = "preparing", "preparing"
        SENDING = "sending", "sending"
        DONE = "done", "done"
        DISCARDED = "discarded", "discarded"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    milestone = models.ForeignKey(
        "Milestone", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # Whether the statement page names the addressees ("Delivered to …") or only counts them.
    public_names = models.BooleanField(default=False)
    # Filled when the files are made: {language: version}, the counts, the files and the
    # signed manifest that lists them.
    texts = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    files = models.JSONField(default=list, blank=True)
    manifest = models.TextField(blank=True)
    sent = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    signers_notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["awaiting", "preparing", "sending", "done", "discarded"]
                ),
                name="delivery_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"delivery #{self.pk} of {self.statement_id} ({self.status})"


class Recipient(models.Model):
    """One addressee of a delivery, as they were when it was sent (name, email, language), and
    what became of their email."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        # The worker stopped while this email was being handed over: it may have arrived, so it
        # is not sent again on its own; an owner checks, then retries.
        INTERRUPTED = "interrupted", "interrupted"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="recipients")
    addressee = models.ForeignKey(
        "statements.Addressee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    institution = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_after = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["status", "run_after"],
                name="recipient_waiting_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["queued", "sending", "sent", "failed", "interrupted"]
                ),
                name="recipient_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> ({self.status})"

    @property
    def label(self) -> str:
        return addressee_label(self.name, self.role, self.institution)


class Milestone(models.Model):
    """When the list reaches `signatures` (organizations and individuals, named or not), a
    delivery to every addressee with an email is made and waits for an owner's confirmation."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="milestones")
    signatures = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reached = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signatures"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "signatures"], name="one_milestone_per_count"
            )
        ]

    def __str__(self) -> str:
        return f"milestone {self.signatures} of {self.statement_id}"
