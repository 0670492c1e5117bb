from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Statement(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Signers(models.TextChoices):
        BOTH = "both", _("organizations and individuals")
        ORGANIZATIONS = "organizations", _("organizations only")
        INDIVIDUALS = "individuals", _("individuals only")

    class Kind(models.TextChoices):
        JOINT_STATEMENT = "joint_statement", _("joint statement")
        OPEN_LETTER = "open_letter", _("open letter")
        PETITION = "petition", _("petition")

    slug = models.SlugField(max_length=80, unique=True)
    # What it is: changes the wording of its sign box ("Sign this open letter").
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.JOINT_STATEMENT)
    # The time zone its coordinators think in: opening and closing dates are entered and shown
    # in it.
    time_zone = models.CharField(max_length=64, default="UTC")
    reference = models.CharField(
        max_length=40, blank=True, help_text="The coalition's own reference, e.g. RM-117-2023."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    signers = models.CharField(max_length=15, choices=Signers.choices, default=Signers.BOTH)
    review_organizations = models.BooleanField(
        default=False,
        help_text="Organization signatures wait for an owner's approval before they are listed.",
    )
    signing_paused = models.BooleanField(
        default=False,
        help_text="Stops new signatures and confirmations for now; the pages stay readable.",
    )

    class ProofOfWork(models.TextChoices):
        AUTOMATIC = "auto", _("when submissions surge")
        ALWAYS = "always", _("always")
        NEVER = "never", _("never")

    proof_of_work = models.CharField(
        max_length=8,
        choices=ProofOfWork.choices,
        default=ProofOfWork.AUTOMATIC,
        help_text="Ask signers' browsers for a short calculation that makes mass signing costly.",
    )
    # Since when the surge watch (a worker job) asks for proof of work; None when it does not.
    pow_surge_since = models.DateTimeField(null=True, blank=True, editable=False)
    goal = models.PositiveIntegerField(null=True, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # When the state last became "closed" (retention counts from it).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    default_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="Shown to readers whose language has no text.",
    )
    # Who runs the statement and how readers reach them: the "About this statement" block.
    organizer = models.CharField(
        max_length=200, blank=True, help_text="Who runs the statement, as readers should see it."
    )
    contact_email = models.EmailField(
        blank=True, help_text="Where readers and signers write with questions (public)."
    )
    contact_url = models.URLField(
        blank=True, help_text="The organizer's own page about the statement (optional)."
    )
    # Everyone who coordinates the statement, each with a role (Membership.role): owners,
    # editors and moderators. What each role may do is in `Membership.CAN`.
    owners: models.ManyToManyField[AbstractBaseUser, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="statements", through="Membership"
    )
    # Offer the public list as CSV and JSON (with signed manifests) on the statement page.
    public_downloads = models.BooleanField(
        default=False,
        help_text="Offer the public list as CSV and JSON files on the statement page.",
    )
    # The sites that may show the statement's embed pages in a frame, one origin a line
    # (https://partner.example); empty: any site may.
    embed_origins = models.TextField(blank=True, default="")
    # The secret of the draft's preview link (statements/services.py: preview_token); empty
    # when no link is out. Rotating it makes every earlier link useless.
    preview_nonce = models.CharField(max_length=32, blank=True, default="", editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "open", "closed"]), name="statement_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["joint_statement", "open_letter", "petition"]),
                name="statement_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(signers__in=["both", "organizations", "individuals"]),
                name="statement_signers_valid",
            ),
            models.CheckConstraint(
                condition=Q(goal__isnull=True) | Q(goal__gt=0), name="statement_goal_positive"
            ),
            models.CheckConstraint(
                condition=Q(proof_of_work__in=["auto", "always", "never"]),
                name="statement_proof_of_work_valid",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="statement_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.slug

    def closed_since(self, now=None):
        """When signing ended for good: the close by an owner, or the closing date once past."""
        now = now or timezone.now()
        ends = [
            t
            for t in (
                self.closed_at if self.state == self.State.CLOSED else None,
                self.closes_at if self.closes_at and self.closes_at <= now else None,
            )
            if t
        ]
        return min(ends) if ends else None

    @property
    def asks_proof_of_work(self) -> bool:
        return self.proof_of_work == self.ProofOfWork.ALWAYS or (
            self.proof_of_work == self.ProofOfWork.AUTOMATIC and self.pow_surge_since is not None
        )

    @property
    def is_public(self) -> bool:
        return self.state != self.State.DRAFT

    def accepts_signatures(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.state == self.State.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )

    def accepts_kind(self, kind: str) -> bool:
        return self.signers == self.Signers.BOTH or self.signers == {
            "organization": self.Signers.ORGANIZATIONS,
            "individual": self.Signers.INDIVIDUALS,
        }.get(kind)


class StatementText(models.Model):
    """The statement in one language. `body_html` is `body` rendered and sanitized on save by
    `statement_text_save`; `version` is a digest of title and body, recorded with every
    signature so the text each person signed can be told apart from later edits."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False, default="")
    version = models.CharField(max_length=16, editable=False, default="")
    # For a translation: the version of the first language's text it was last saved against
    # (statement_text_save keeps it); the translation "needs update" once that text moved on.
    source_version = models.CharField(max_length=16, editable=False, default="", blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["statement", "language"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "language"], name="one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class TextRevision(models.Model):
    """Every version of a text that was ever saved: the source of truth for what each signature
    signed (`Signature.text_version` is this `version`) and for the public history. A version
    is *public* from `public_since`: when the statement opened with it, or when it was saved
    while the statement was public (then with a change `note`). Saving words that an earlier
    revision already holds reuses that revision."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="revisions")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    version = models.CharField(max_length=16)
    title = models.CharField(max_length=300)
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    public_since = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")
    # Whether the coordinators asked the worker to tell earlier signers about this change.
    signers_notified = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "language", "version"], name="one_revision_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.language}@{self.version}"


class Membership(models.Model):
    """One coordinator of one statement, with a role. The table is the one the `owners` field
    had before roles existed (migration 0006)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        EDITOR = "editor", _("editor")
        MODERATOR = "moderator", _("moderator")

    # What each role may do; `statements.selectors.statement_for` is the one place that
    # checks it. texts: write and translate; settings: the statement's settings and state;
    # moderate: review, entries and imports; members: invite and remove coordinators.
    CAN: dict[str, set[str]] = {
        Role.OWNER: {"texts", "settings", "moderate", "members"},
        Role.EDITOR: {"texts", "settings"},
        Role.MODERATOR: {"moderate"},
    }

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)

    class Meta:
        db_table = "statements_statement_owners"
        constraints = [
            models.UniqueConstraint(fields=["statement", "user"], name="one_role_per_coordinator"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "editor", "moderator"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.statement_id}"


class Invitation(models.Model):
    """An owner's invitation of a co-worker, by email, to one role on one statement. The link's
    token is a keyed hash of (id, nonce) (statements/services.py); only the nonce is stored. It
    works once, until `expires`, unless revoked."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    nonce = models.CharField(max_length=32)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"invitation #{self.pk} to {self.statement_id} as {self.role}"


class Addressee(models.Model):
    """Who the statement is addressed to: shown under its title, and (for the delivery) kept
    with an optional email and the language to write to them in."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="addressees")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    institution = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["statement", "created", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return addressee_label(self.name, self.role, self.institution)


def addressee_label(name: str, role: str, institution: str) -> str:
    """ "Name, role, institution", as the letter, the delivery and the workspace name someone."""
    return ", ".join(part for part in (name, role, institution) if part)
