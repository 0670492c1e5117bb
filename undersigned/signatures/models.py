from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from undersigned.signatures import lifecycle
from undersigned.statements.models import Statement


class Signature(models.Model):
    """One organization's or one person's signature of one statement.

    Lifecycle: pending → published, or pending → in_review → published | rejected; later
    withdrawn (by the signer) or invalidated (by a moderator). Only `services.py` changes
    `status`, and every change writes an audit entry.
    """

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("organization")
        INDIVIDUAL = "individual", _("individual")

    # The states and their moves live in lifecycle.py, the one owner of that rule.
    Status = lifecycle.Status

    class Source(models.TextChoices):
        FORM = "form", _("signed on the platform")
        IMPORT = "import", _("imported from a list")

    # A live signature holds its (statement, email) slot: nobody signs twice.
    LIVE = list(lifecycle.LIVE)

    # Not indexed alone: every index below that starts with the statement serves its look-ups.
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="signatures", db_index=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)

    # Public once published (for individuals, only when `show_name`).
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=30, blank=True)
    country = CountryField()
    affiliation = models.CharField(max_length=200, blank=True)
    website = models.URLField(max_length=200, blank=True)
    show_name = models.BooleanField()
    # An organization's name with case, accents, punctuation and a leading article set aside
    # (see dedupe.exact_key): one published organization per key and country.
    name_key = models.CharField(max_length=200, blank=True)
    # The confirmed email is on the domain of the organization's website.
    domain_confirmed = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
        db_index=False,  # partial index below
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    # Private: never rendered on a public page.
    email = models.EmailField(max_length=254)
    # None for an entry that holds no mailbox: imported from a list, or anonymized by retention.
    # The one-signature-per-mailbox rule then has nothing to hold (NULLs are never equal).
    email_normalized = models.CharField(max_length=254, null=True, blank=True)  # noqa: DJ001
    contact_name = models.CharField(max_length=200, blank=True)
    contact_role = models.CharField(max_length=100, blank=True)
    # The signer asked, apart from signing, for an email at each delivery (deliveries.updates);
    # cleared when they stop them and when retention anonymizes the entry.
    wants_updates = models.BooleanField(default=False, db_default=False)
    ip_hash = models.CharField(max_length=64, blank=True)
    network_hash = models.CharField(max_length=32, blank=True)
    email_domain = models.CharField(max_length=253, blank=True)
    # Why this submission is held back (space-separated codes, see moderation/abuse.py); a
    # flagged signature goes to review when confirmed instead of being published.
    flags = models.CharField(max_length=120, blank=True)

    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    text_language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    text_version = models.CharField(max_length=16)

    # Confirmation: the token in the link is an HMAC of (id, nonce); only the nonce is stored.
    token_nonce = models.CharField(max_length=32)
    token_expires = models.DateTimeField()
    sends = models.PositiveSmallIntegerField(default=1)

    # When the signer sent the form (a submission is recorded moments later, see Submission).
    created = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # When the signer withdrew, and the status it had then: signing again from the management
    # link within settings.SIGN_AGAIN_HOURS puts it back as it was (lifecycle "sign_again").
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_from = models.CharField(max_length=12, blank=True, default="", db_default="")
    # Contact data (email, contact person, IP hash, link nonce) removed by the retention job.
    anonymized_at = models.DateTimeField(null=True, blank=True)
    # Number in the public list of its kind, 1..n without gaps; kept by the list refresh job.
    position = models.PositiveIntegerField(null=True, blank=True)
    # An initial signatory: signed from the draft's preview link before the statement opened,
    # or marked by an owner. Listed first, under a heading of their own, and counted.
    initial = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "email_normalized"],
                condition=Q(status__in=[str(s) for s in lifecycle.LIVE]),
                name="one_live_signature_per_email",
            ),
            models.UniqueConstraint(
                fields=["statement", "name_key", "country"],
                condition=Q(kind="organization", status="published") & ~Q(name_key=""),
                name="one_published_organization_per_name",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["form", "import"]), name="signature_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["organization", "individual"]), name="signature_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(lifecycle.Status.values)),
                name="signature_status_valid",
            ),
            # Organizations sign to be listed.
            models.CheckConstraint(
                condition=Q(kind="individual") | Q(show_name=True), name="organizations_are_named"
            ),
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(status="published", show_name=True),
                name="only_listed_signatures_have_a_position",
            ),
        ]
        indexes = [
            # The public list, page by page.
            models.Index(
                fields=["statement", "kind", "position"],
                name="sig_list_idx",
                condition=Q(position__isnull=False),
            ),
            # The organization list A–Z, and by country (see selectors.ordered_page).
            models.Index(
                fields=["statement", "kind", "name_key", "id"],
                name="sig_az_idx",
                condition=Q(position__isnull=False),
            ),
            models.Index(
                fields=["statement", "kind", "country", "name_key", "id"],
                name="sig_by_country_idx",
                condition=Q(position__isnull=False),
            ),
            # Published and listed, waiting for a number.
            models.Index(
                fields=["statement", "kind", "published_at", "id"],
                name="sig_unnumbered_idx",
                condition=Q(status="published", show_name=True, position__isnull=True),
            ),
            # Counting published signatures by kind and visibility.
            models.Index(fields=["statement", "status", "kind", "show_name"], name="sig_count_idx"),
            # Rate limits: recent submissions per network, mailbox and domain.
            models.Index(fields=["network_hash", "created"], name="sig_network_idx"),
            models.Index(fields=["email_normalized", "created"], name="sig_email_idx"),
            models.Index(fields=["email_domain", "created"], name="sig_domain_idx"),
            # Few signatures were imported or merged: only those are indexed, so a signature
            # from the form writes no entry in either.
            models.Index(
                fields=["import_batch"],
                name="sig_import_batch_idx",
                condition=Q(import_batch__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="sig_merged_into_idx",
                condition=Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.status})"


class Submission(models.Model):
    """A signing form as it was sent, waiting to be recorded as a signature.

    The signing request stores only this row (one INSERT, one index) and answers; the worker
    records waiting submissions in batches (`services.submissions_take`): the signature with
    its flags, its audit entry and its confirmation email job, and deletes the submission in
    the same transaction. So an acknowledged submission is recorded exactly once, even when a
    process is killed, and contact data waits here only until the worker's next turn. One that
    cannot be recorded is kept with the reason in `failed` for an administrator, never dropped.
    """

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12, choices=Signature.Kind.choices)
    # The signer's details as the form cleaned them (services.SignerDetails).
    details = models.JSONField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    text_language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    text_version = models.CharField(max_length=16)
    ip_hash = models.CharField(max_length=64, blank=True)
    network_hash = models.CharField(max_length=32, blank=True)
    # Abuse signs found while answering the request (see moderation/abuse.py).
    flags = models.CharField(max_length=120, blank=True)
    # A solved proof-of-work challenge, spent when the submission is recorded.
    challenge_nonce = models.CharField(max_length=64, blank=True)
    # Sent from the draft's preview link: recorded as an initial signatory.
    initial = models.BooleanField(default=False, db_default=False)
    created = models.DateTimeField(default=timezone.now)
    failed = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"submission #{self.pk} to {self.statement_id}"


class ListTally(models.Model):
    """The public counts of one statement, written only by the list refresh job, so that no row
    is updated by every signature and no page view counts rows."""

    statement = models.OneToOneField(Statement, on_delete=models.CASCADE, related_name="tally")
    organizations = models.PositiveIntegerField(default=0)
    individuals_named = models.PositiveIntegerField(default=0)
    individuals_unnamed = models.PositiveIntegerField(default=0)
    # {country code: [organizations, individuals named]}: listed entries only.
    by_country = models.JSONField(default=dict, db_default={}, blank=True)
    refreshed = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"tally of {self.statement}"

    @property
    def individuals(self) -> int:
        return self.individuals_named + self.individuals_unnamed

    @property
    def total(self) -> int:
        return self.organizations + self.individuals

    def countries(self) -> list[tuple[str, int, int]]:
        """(country code, organizations, individuals named), the most signatures first."""
        rows = [(code, orgs, people) for code, (orgs, people) in self.by_country.items()]
        return sorted(rows, key=lambda row: (-(row[1] + row[2]), row[0]))


# --- What signing is classified with: block rules, proof of work, suggested duplicates ---


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
        db_table = "moderation_blockrule"  # made by the moderation app, where it began
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="one_rule_per_value"),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "domain", "network"]), name="block_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class SpentChallenge(models.Model):
    """A proof-of-work challenge that has been used, kept until it expires so that one solved
    challenge cannot carry two submissions (see moderation/pow.py)."""

    nonce = models.CharField(max_length=32, primary_key=True)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "moderation_spentchallenge"  # made by the moderation app, where it began

    def __str__(self) -> str:
        return self.nonce


class SurgeWatch(models.Model):
    """Where the surge watch stopped last time: the highest signature id it had counted, and
    when. One row; the next run counts only the signatures after it (a primary-key range)."""

    last_signature_id = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField()

    class Meta:
        db_table = "moderation_surgewatch"  # made by the moderation app, where it began

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
        db_table = "moderation_duplicatesuggestion"  # made by the moderation app, where it began
        constraints = [
            models.UniqueConstraint(fields=["signature", "other"], name="one_suggestion_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.signature_id} ~ {self.other_id} ({self.reason}, {self.score})"
