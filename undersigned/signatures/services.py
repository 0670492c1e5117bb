"""Every state change of a signature. Each writes an audit entry in the same transaction."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from undersigned.core.audit import audit_entry, log_action
from undersigned.core.db import insert_many, insert_many_or_skip, insert_one
from undersigned.core.models import AuditEntry, Switch
from undersigned.core.net import ip_hash, network_hash
from undersigned.core.recent import forget_on_commit
from undersigned.core.switches import switch_is_on
from undersigned.jobs.models import Job
from undersigned.jobs.services import job_build, job_enqueue
from undersigned.signatures import abuse, lifecycle, trust
from undersigned.signatures.dedupe import exact_key
from undersigned.signatures.models import DuplicateSuggestion, ListTally, Signature, Submission
from undersigned.signatures.normalize import normalize_email
from undersigned.signatures.pow import challenges_spend
from undersigned.signatures.tokens import new_nonce, token_matches, token_signature_id
from undersigned.statements.models import Statement, StatementText, TextRevision

logger = logging.getLogger("undersigned.signatures")

SEND_EMAIL = "signatures.send_email"
REFRESH_LIST = "signatures.refresh_list"
NOTIFY_TEXT_CHANGE = "signatures.notify_text_change"
# Signers told of a text change per worker job: each job queues their emails and the next job.
NOTIFY_BATCH = 500


class SigningClosed(Exception):
    """The statement does not accept this signature now."""


class SigningPaused(Exception):
    """Signing is paused (on this statement or the whole site): try again later."""


def signing_paused(statement: Statement) -> bool:
    return statement.signing_paused or switch_is_on(Switch.SIGNING_PAUSED)


class TokenProblem(Exception):
    """A confirmation link that cannot be used. `code`: invalid, expired or used."""

    def __init__(self, code: str, signature: Signature | None = None):
        super().__init__(code)
        self.code = code
        self.signature = signature


@dataclass(frozen=True)
class SignerDetails:
    kind: str
    name: str
    country: str
    email: str
    show_name: bool
    acronym: str = ""
    affiliation: str = ""
    website: str = ""
    contact_name: str = ""
    contact_role: str = ""
    # Asked at signing, apart from the signature itself: one email per delivery of the
    # statement, until the signer stops them (deliveries.updates).
    wants_updates: bool = False


def _expiry():
    return timezone.now() + timedelta(hours=settings.CONFIRMATION_TTL_HOURS)


def _email_job(signature: Signature, template: str, delay_seconds: int = 0) -> Job:
    return job_build(
        kind=SEND_EMAIL,
        payload={"signature_id": signature.pk, "template": template},
        delay_seconds=delay_seconds,
    )


def enqueue_refresh(statement_id: int) -> None:
    job_enqueue(
        kind=REFRESH_LIST, payload={"statement_id": statement_id}, key=f"statement:{statement_id}"
    )


def _suggestions(signature: Signature, matches) -> list[DuplicateSuggestion]:
    return [
        DuplicateSuggestion(
            statement_id=signature.statement_id,
            signature=signature,
            other_id=candidate.ref,
            score=match.score,
            reason=match.reason,
        )
        for candidate, match in matches
    ]


def suggest_duplicates(signature: Signature, matches) -> None:
    """Record the probable duplicates of a new organization signature for its owner."""
    DuplicateSuggestion.objects.bulk_create(_suggestions(signature, matches), ignore_conflicts=True)


def _check_open(statement: Statement, kind: str, *, early: bool = False) -> None:
    """Refuse a signature the statement does not take now. `early`: from the draft's preview
    link, which takes organizations while the statement is a draft, and nothing after."""
    if early:
        accepts = (
            statement.state == Statement.State.DRAFT
            and kind == Signature.Kind.ORGANIZATION
            and statement.accepts_kind(kind)
        )
    else:
        accepts = statement.accepts_signatures() and statement.accepts_kind(kind)
    if not accepts:
        raise SigningClosed()
    if signing_paused(statement):
        raise SigningPaused()


def submission_create(
    *,
    statement: Statement,
    details: SignerDetails,
    text: StatementText,
    language: str,
    ip: str = "",
    flags: tuple[str, ...] = (),
    challenge_nonce: str | None = None,
    early: bool = False,
) -> Submission:
    """Store a signing form as it was sent: one INSERT, committed before the signer is told
    that an email is on its way. The worker records it as a signature moments later
    (`submissions_take`). Nothing here reads another signature, so the answer cannot depend on
    whether this person signed before. The raw IP address is used here and not stored.
    `early`: a partner's signature from the draft's preview link, an initial signatory."""
    submission = _submission(
        statement=statement, details=details, text=text, language=language, early=early
    )
    found = list(flags)
    if abuse.network_blocked(ip):
        found.append(abuse.BLOCKED)
    submission.ip_hash = ip_hash(ip)
    submission.network_hash = network_hash(ip)
    submission.flags = " ".join(found)
    submission.challenge_nonce = challenge_nonce or ""
    return insert_one(submission)


def _submission(
    *,
    statement: Statement,
    details: SignerDetails,
    text: StatementText,
    language: str,
    early: bool = False,
) -> Submission:
    """A new submission of these details (unsaved), if the statement accepts it now."""
    _check_open(statement, details.kind, early=early)
    return Submission(
        initial=early,
        statement=statement,
        kind=details.kind,
        details=dict(vars(details)),
        language=language,
        text_language=text.language,
        text_version=text.version,
    )


def signature_build(
    *,
    statement: Statement,
    details: SignerDetails,
    language: str,
    text_language: str,
    text_version: str,
    **fields,
) -> Signature:
    """A new signature of these details (unsaved), pending unless `fields` say otherwise: the
    one builder of the signing path and of imports. An organization is always named, and its
    name key (dedupe.exact_key) is set here."""
    organization = details.kind == Signature.Kind.ORGANIZATION
    return Signature(
        statement=statement,
        kind=details.kind,
        name=details.name,
        acronym=details.acronym,
        country=details.country,
        affiliation=details.affiliation,
        website=details.website,
        show_name=details.show_name or organization,
        name_key=exact_key(details.name) if organization else "",
        email=details.email,
        contact_name=details.contact_name,
        contact_role=details.contact_role,
        wants_updates=details.wants_updates,
        language=language,
        text_language=text_language,
        text_version=text_version,
        **fields,
    )


# A batch holds the write lock on SQLite (and its rows on PostgreSQL) while it is recorded:
# its classification stops after this long (only organizations, each with a look-up of
# similar names, can take that), so a signing request never waits much longer than this.
TAKE_SECONDS = 0.05


def submissions_take(*, limit: int = 100) -> int:
    """Record the oldest waiting submissions as signatures and delete them, in one transaction;
    the number taken. Safe with any number of workers (rows another holds are skipped on
    PostgreSQL; SQLite's write lock serializes). If the batch fails, its submissions are
    recorded one by one, and one that cannot be is kept with the error: the others go on."""
    waiting = Submission.objects.filter(failed="").order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True)
    with transaction.atomic():
        batch = list(waiting[:limit])
        if not batch:
            return 0
        statements = Statement.objects.in_bulk({s.statement_id for s in batch})
        failed: dict[int, str] = {}
        try:
            with transaction.atomic():
                recorded = _record(batch, statements, budget=TAKE_SECONDS)
                done = [submission for submission, _signature in recorded]
        except Exception:
            logger.exception(
                "a batch of %s submissions failed; recording them one by one", len(batch)
            )
            done = []
            for submission in batch:
                try:
                    with transaction.atomic():
                        _record([submission], statements)
                except Exception as error:
                    logger.exception("submission %s could not be recorded", submission.pk)
                    failed[submission.pk] = f"{type(error).__name__}: {error}"[:2000]
                else:
                    done.append(submission)
        Submission.objects.filter(pk__in=[s.pk for s in done]).delete()
        for pk, error in failed.items():
            Submission.objects.filter(pk=pk).update(failed=error)
    return len(done) + len(failed)


def signature_create(
    *,
    statement: Statement,
    details: SignerDetails,
    text: StatementText,
    language: str,
    early: bool = False,
) -> Signature:
    """Record a signature at once, as the worker records a submission, for callers that are
    not answering a signer's request (so with no address and no form to classify): the
    statement must accept it now (`early`: as from the draft's preview link)."""
    submission = _submission(
        statement=statement, details=details, text=text, language=language, early=early
    )
    with transaction.atomic():
        [(_recorded, signature)] = _record([submission], {statement.pk: statement})
    return signature


def _record(
    submissions: list[Submission], statements: dict[int, Statement], budget: float = 0.0
) -> list[tuple[Submission, Signature]]:
    """Store the signatures of these submissions, each with its audit entry and email job, in
    the caller's transaction; the submissions done, each with its signature (at least one;
    with a `budget`, none classified once that many seconds have passed since the look-ups:
    organizations each cost a look-up of similar names). Recorded even if the statement closed
    or signing paused since: the signer was told it was received, and was then still allowed
    to sign.

    A second signature from the same mailbox is refused by the database; the repeat re-sends
    the confirmation (or an "already signed" note) a limited number of times and changes
    nothing else. Set-based: whatever the batch's size, the statements are the networks' locks,
    one sender look-up (abuse.Senders), one look-up of the mailboxes already signed, the spent
    challenges, one multi-row INSERT, and the audit entries, email jobs and suggestions in
    bulk; each repeat adds one UPDATE, each organization its look-up of similar names."""
    _lock_networks(submissions)
    prepared = []
    for submission in submissions:
        details = SignerDetails(**submission.details)
        email = normalize_email(details.email)
        prepared.append((submission, details, email, email.rpartition("@")[2]))
    senders = abuse.Senders(
        [(email, domain, submission.network_hash) for submission, _d, email, domain in prepared]
    )
    signed = _live_mailboxes(
        statements, {email for _submission, _details, email, _domain in prepared}
    )
    built: list[tuple[Submission, Signature, list, datetime | None]] = []
    challenged: list[tuple[Signature, str]] = []
    deadline = time.monotonic() + budget if budget else 0.0
    for submission, details, email_normalized, email_domain in prepared:
        if built and deadline and time.monotonic() > deadline:
            break
        statement = statements[submission.statement_id]
        found, over_network, email_after = senders.signs(
            email_normalized, email_domain, submission.network_hash
        )
        found = [*submission.flags.split(), *found, *trust.name_flags(details.name)]
        matches = []
        if details.kind == Signature.Kind.ORGANIZATION:
            matches = trust.organization_matches(
                statement_id=statement.pk,
                name=details.name,
                acronym=details.acronym,
                country=details.country,
            )
            found += trust.organization_flags(
                email_domain=email_domain,
                matches=matches,
                name=details.name,
                country=details.country,
            )
        if over_network:
            found.append(abuse.OVER_NETWORK_LIMIT)
        created = submission.created or timezone.now()
        signature = signature_build(
            statement=statement,
            details=details,
            language=submission.language,
            text_language=submission.text_language,
            text_version=submission.text_version,
            domain_confirmed=details.kind == Signature.Kind.ORGANIZATION
            and trust.domain_confirmed(website=details.website, email_domain=email_domain),
            email_normalized=email_normalized,
            email_domain=email_domain,
            ip_hash=submission.ip_hash,
            network_hash=submission.network_hash,
            flags=" ".join(found),
            token_nonce=new_nonce(),
            token_expires=_expiry(),
            created=created,
            initial=submission.initial,
        )
        # Counted for the limits of the batch's later rows unless the database will refuse
        # it as a repeat (a mailbox signed before, or earlier in this batch).
        if (statement.pk, email_normalized) not in signed:
            signed.add((statement.pk, email_normalized))
            senders.add(email_normalized, email_domain, submission.network_hash, created)
        if submission.challenge_nonce:
            challenged.append((signature, submission.challenge_nonce))
        built.append((submission, signature, matches, email_after))
    _spend_challenges(challenged)
    stored = {id(s) for s in insert_many_or_skip([b[1] for b in built], key="token_nonce")}
    entries: list[AuditEntry] = []
    jobs: list[Job] = []
    suggestions: list[DuplicateSuggestion] = []
    done: list[tuple[Submission, Signature]] = []
    now = timezone.now()
    for submission, signature, matches, email_after in built:
        if id(signature) in stored:
            entries.append(
                audit_entry(signature, "signatures.signature.created", actor_label="signer")
            )
            # A flagged signature from a network past its email cap is mailed once the hour
            # has passed: a flood cannot turn the platform into a mail cannon.
            wait = (email_after - now).total_seconds() if email_after and signature.flags else 0
            jobs.append(_email_job(signature, "confirm", delay_seconds=max(0, round(wait))))
            suggestions += _suggestions(signature, matches)
        else:
            signature = _signature_repeat(
                statement=statements[submission.statement_id],
                email_normalized=signature.email_normalized or "",
                entries=entries,
                jobs=jobs,
            )
        done.append((submission, signature))
    insert_many(entries)
    insert_many(jobs)
    if suggestions:
        DuplicateSuggestion.objects.bulk_create(suggestions, ignore_conflicts=True)
    return done


def _live_mailboxes(statements: dict[int, Statement], emails: set[str]) -> set[tuple[int, str]]:
    """(statement id, mailbox) of the live signatures from these mailboxes on these statements:
    the rows an INSERT of theirs would be refused for."""
    rows = Signature.objects.filter(
        statement_id__in=statements, email_normalized__in=emails, status__in=Signature.LIVE
    )
    return {(pk, email or "") for pk, email in rows.values_list("statement_id", "email_normalized")}


def _spend_challenges(challenged: list[tuple[Signature, str]]) -> None:
    """Spend the proof-of-work challenges these signatures' forms solved (signature, nonce),
    and flag each whose challenge was spent before: by another submission, or by an earlier
    one of this batch."""
    spent = challenges_spend([nonce for _signature, nonce in challenged])
    for signature, nonce in challenged:
        if nonce in spent:
            spent.discard(nonce)
        else:
            signature.flags = " ".join([*signature.flags.split(), abuse.NO_PROOF_OF_WORK])


def _lock_networks(submissions: list[Submission]) -> None:
    """On PostgreSQL, serialize the recording of submissions from one network across workers
    (an advisory lock per network, taken in one order), so that two batches cannot both count
    the same nine signatures below the limit. SQLite's write lock is held already."""
    networks = sorted({s.network_hash for s in submissions if s.network_hash})
    if networks and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(n)) FROM unnest(%s::text[]) AS n ORDER BY n",
                [networks],
            )


# One statement. Only a live signature with sends left is touched; a pending one gets a fresh
# link, since the old one may have expired or been lost.
_REPEAT_SQL = """
UPDATE {table}
SET sends = sends + 1,
    token_nonce = CASE WHEN status = 'pending' THEN %s ELSE token_nonce END,
    token_expires = CASE WHEN status = 'pending' THEN %s ELSE token_expires END
WHERE statement_id = %s AND email_normalized = %s AND status IN ({live}) AND sends < %s
RETURNING id, status
"""


def _signature_repeat(
    *, statement: Statement, email_normalized: str, entries: list[AuditEntry], jobs: list[Job]
) -> Signature:
    """A second submission from a mailbox: re-send (a limited number of times) and change
    nothing else; its audit entry and email job are added to `entries` and `jobs`."""
    live = ", ".join(f"'{status}'" for status in Signature.LIVE)
    with connection.cursor() as cursor:
        cursor.execute(
            _REPEAT_SQL.format(table=Signature._meta.db_table, live=live),
            [
                new_nonce(),
                connection.ops.adapt_datetimefield_value(_expiry()),
                statement.pk,
                email_normalized,
                settings.CONFIRMATION_MAX_SENDS,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        existing = Signature.objects.filter(
            statement=statement, email_normalized=email_normalized, status__in=Signature.LIVE
        ).first()
        if existing is None:
            # The INSERT was skipped for another reason than the mailbox (SQLite skips a row
            # that breaks any constraint).
            raise IntegrityError(f"signature for {statement.pk} refused by a constraint")
        # Out of sends: still on record.
        entries.append(
            audit_entry(existing, "signatures.signature.resend_refused", actor_label="signer")
        )
        return existing
    existing = Signature(pk=row[0], status=row[1], statement=statement)
    template = "confirm" if row[1] == Signature.Status.PENDING else "already_signed"
    entries.append(
        audit_entry(
            existing, "signatures.signature.resent", actor_label="signer", data={"email": template}
        )
    )
    jobs.append(_email_job(existing, template))
    return existing


def signature_from_token(token: str, *, purpose: str = "confirm", lock: bool = False) -> Signature:
    """The signature a link belongs to, with its statement (locked for update with `lock`);
    raises TokenProblem('invalid') for a forged link."""
    signature_id = token_signature_id(token)
    rows = Signature.objects.select_related("statement")
    if lock:
        rows = rows.select_for_update()
    signature = rows.filter(pk=signature_id).first() if signature_id is not None else None
    if signature is None or not token_matches(
        token=token, purpose=purpose, signature_id=signature.pk, nonce=signature.token_nonce
    ):
        raise TokenProblem("invalid")
    return signature


def signature_check_confirmable(signature: Signature) -> None:
    if signature.status != Signature.Status.PENDING:
        raise TokenProblem("used", signature)
    if signature.token_expires <= timezone.now():
        raise TokenProblem("expired", signature)


def signature_confirm(*, token: str) -> Signature:
    """Confirm the mailbox behind a link. Single use: a second confirmation changes nothing."""
    with transaction.atomic():
        signature = signature_from_token(token, lock=True)
        if signing_paused(signature.statement):
            raise SigningPaused()
        signature_check_confirmable(signature)
        now = timezone.now()
        # Flagged submissions wait for a moderator, like organizations under review.
        reviewed = bool(signature.flags) or (
            signature.kind == Signature.Kind.ORGANIZATION
            and signature.statement.review_organizations
        )
        if not reviewed:
            try:
                with transaction.atomic():
                    lifecycle.transition(signature, "confirm", confirmed_at=now, published_at=now)
            except IntegrityError:
                # The same organization was published meanwhile: the owner decides.
                reviewed = True
                signature.status = Signature.Status.PENDING
                signature.published_at = None
                signature.flags = " ".join([*signature.flags.split(), trust.DUPLICATE_NAME])
        if reviewed:
            lifecycle.transition(signature, "hold", confirmed_at=now, flags=signature.flags)
        log_action(
            signature,
            "signatures.signature.confirmed",
            actor_label="signer",
            data={"status": signature.status},
        )
        if not reviewed:
            enqueue_refresh(signature.statement_id)
    return signature


def signature_withdraw(*, token: str) -> Signature:
    """The signer takes their signature back: off the list and out of the count at the next
    refresh, kept on record as withdrawn. The audit entry holds no contact data."""
    with transaction.atomic():
        signature = signature_from_token(token, purpose="manage", lock=True)
        old = signature.status
        try:
            lifecycle.transition(
                signature, "withdraw", withdrawn_at=timezone.now(), withdrawn_from=old
            )
        except lifecycle.TransitionRefused:
            # A rejected or invalidated one is the coordinators' decision: it stays as it is.
            raise TokenProblem("used", signature) from None
        log_action(
            signature, "signatures.signature.withdrawn", actor_label="signer", data={"from": old}
        )
        if old == Signature.Status.PUBLISHED:
            enqueue_refresh(signature.statement_id)
    return signature


class SignAgainRefused(Exception):
    """Signing again from the management link is not possible. `code`: late (past the
    window), closed (the statement takes no signature now), taken (the mailbox, or the
    organization's name, holds another live signature)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def sign_again_until(signature: Signature) -> datetime | None:
    """Until when a withdrawn signature can be put back from its management link; None when
    it cannot (any more)."""
    if signature.status != Signature.Status.WITHDRAWN or signature.withdrawn_at is None:
        return None
    if signature.withdrawn_from not in lifecycle.STANDING or not settings.SIGN_AGAIN_HOURS:
        return None
    until = signature.withdrawn_at + timedelta(hours=settings.SIGN_AGAIN_HOURS)
    return until if until > timezone.now() else None


def signature_sign_again(*, token: str) -> Signature:
    """Undo a withdrawal from the management link, within settings.SIGN_AGAIN_HOURS: the
    signature is back as it was (published ones keep their date, so their place), with no
    new email. Raises SignAgainRefused, or TokenProblem for a link that is not this one's."""
    with transaction.atomic():
        signature = signature_from_token(token, purpose="manage", lock=True)
        if signature.status != Signature.Status.WITHDRAWN:
            return signature  # pressed twice: it is back already
        if sign_again_until(signature) is None:
            raise SignAgainRefused("late")
        if signing_paused(signature.statement):
            raise SigningPaused()
        try:
            _check_open(signature.statement, signature.kind)
        except SigningClosed:
            raise SignAgainRefused("closed") from None
        try:
            with transaction.atomic():
                lifecycle.transition(
                    signature,
                    "sign_again",
                    to=signature.withdrawn_from,
                    withdrawn_at=None,
                    withdrawn_from="",
                )
        except IntegrityError:
            raise SignAgainRefused("taken") from None
        log_action(
            signature,
            "signatures.signature.signed_again",
            actor_label="signer",
            data={"status": signature.status},
        )
        if signature.status == Signature.Status.PUBLISHED:
            enqueue_refresh(signature.statement_id)
    return signature


def signature_set_visibility(*, token: str, show_name: bool) -> Signature:
    """An individual chooses again between "show my name" and "count me without my name"."""
    with transaction.atomic():
        signature = signature_from_token(token, purpose="manage", lock=True)
        if (
            signature.status not in lifecycle.SIGNER_CAN_CHANGE
            or signature.kind != Signature.Kind.INDIVIDUAL
        ):
            raise TokenProblem("used", signature)
        if signature.show_name == show_name:
            return signature
        signature.show_name = show_name
        signature.position = None  # numbered again (or not at all) by the refresh
        signature.save(update_fields=["show_name", "position"])
        log_action(
            signature,
            "signatures.signature.visibility_changed",
            actor_label="signer",
            data={"show_name": show_name},
        )
        if signature.status == Signature.Status.PUBLISHED:
            enqueue_refresh(signature.statement_id)
    return signature


def _review(
    signatures, *, move: str, action: str, user: AbstractBaseUser | None, reason: str
) -> int:
    changed = 0
    statement_ids = set()
    with transaction.atomic():
        ids = [s.pk for s in signatures]
        for signature in Signature.objects.filter(pk__in=ids).order_by("pk"):
            try:
                with transaction.atomic():
                    lifecycle.transition(signature, move)
            except lifecycle.TransitionRefused:
                continue  # decided meanwhile (by a co-owner): left as it is
            except IntegrityError:
                # The same organization (name and country) is published already: the owner
                # merges the two instead.
                continue
            log_action(signature, action, user=user, reason=reason)
            statement_ids.add(signature.statement_id)
            changed += 1
        for statement_id in sorted(statement_ids):
            enqueue_refresh(statement_id)
    return changed


def signatures_approve(*, signatures, user: AbstractBaseUser | None, reason: str = "") -> int:
    """Publish signatures that wait in review; the number published. Others are left alone."""
    return _review(
        signatures,
        move="approve",
        action="signatures.signature.approved",
        user=user,
        reason=reason,
    )


def signatures_reject(*, signatures, user: AbstractBaseUser | None, reason: str = "") -> int:
    """Reject signatures that wait in review: they are kept, never public."""
    return _review(
        signatures,
        move="reject",
        action="signatures.signature.rejected",
        user=user,
        reason=reason,
    )


def statement_list_refresh(*, statement_id: int) -> ListTally:
    """Recount a statement's published signatures and number its public lists 1..n.

    Run by the worker, never by a request. New entries get the next numbers; when an entry left
    the list (its position was cleared by the service that unpublished it), the rest are
    renumbered so the list has no gaps. The tally row lock makes concurrent refreshes queue.
    """
    with transaction.atomic():
        ListTally.objects.get_or_create(statement_id=statement_id)
        tally = ListTally.objects.select_for_update().get(statement_id=statement_id)
        for kind in Signature.Kind.values:
            _number_list(statement_id, kind)
        rows = (
            Signature.objects.filter(statement_id=statement_id, status=Signature.Status.PUBLISHED)
            .values("kind", "show_name", "country")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts: dict[tuple[str, bool], int] = {}
        # By country: the listed entries only (organizations, and individuals who are named),
        # so a count never tells where someone who asked not to be named signed from.
        by_country: dict[str, list[int]] = {}
        org = Signature.Kind.ORGANIZATION
        ind = Signature.Kind.INDIVIDUAL
        for row in rows:
            key = (row["kind"], row["show_name"])
            counts[key] = counts.get(key, 0) + row["n"]
            if row["show_name"] and row["country"]:
                cell = by_country.setdefault(row["country"], [0, 0])
                cell[0 if row["kind"] == org else 1] += row["n"]
        tally.organizations = counts.get((org, True), 0)
        tally.individuals_named = counts.get((ind, True), 0)
        tally.individuals_unnamed = counts.get((ind, False), 0)
        tally.by_country = by_country
        tally.refreshed = timezone.now()
        tally.save()
        forget_on_commit()
    return tally


def _number_list(statement_id: int, kind: str) -> None:
    listed = Signature.objects.filter(statement_id=statement_id, kind=kind)
    numbered = listed.filter(position__isnull=False)
    waiting = listed.filter(
        status=Signature.Status.PUBLISHED, show_name=True, position__isnull=True
    ).order_by("-initial", "published_at", "id")
    if waiting.filter(initial=True).exists() and numbered.filter(initial=False).exists():
        # Initial signatories come first: one who arrives late renumbers the list.
        numbered.update(position=None)
    agg = numbered.aggregate(n=Count("id"), top=Max("position"))
    top = agg["top"] or 0
    batch: list[Signature] = []
    if agg["n"] != top:
        # A gap: renumber everything from the first hole on, keeping the order.
        top = 0
        for signature in numbered.order_by("position").only("id", "position").iterator(2000):
            top += 1
            if signature.position != top:
                signature.position = top
                batch.append(signature)
            if len(batch) >= 1000:
                Signature.objects.bulk_update(batch, ["position"])
                batch = []
        Signature.objects.bulk_update(batch, ["position"])
    batch = []
    for signature in waiting.only("id").iterator(2000):
        top += 1
        signature.position = top
        batch.append(signature)
        if len(batch) >= 1000:
            Signature.objects.bulk_update(batch, ["position"])
            batch = []
    Signature.objects.bulk_update(batch, ["position"])


@transaction.atomic
def signature_set_initial(
    *, signature: Signature, initial: bool, user: AbstractBaseUser, reason: str = ""
) -> Signature:
    """An owner lists an entry among the initial signatories, or no longer: the list of its
    kind is numbered again at the next refresh, initial signatories first."""
    if signature.initial == initial:
        return signature
    signature.initial = initial
    signature.save(update_fields=["initial"])
    Signature.objects.filter(
        statement_id=signature.statement_id, kind=signature.kind, position__isnull=False
    ).update(position=None)
    log_action(
        signature,
        "signatures.signature.initial_marked"
        if initial
        else "signatures.signature.initial_unmarked",
        user=user,
        reason=reason,
    )
    enqueue_refresh(signature.statement_id)
    return signature


def signature_edit(
    *, signature: Signature, user: AbstractBaseUser, reason: str = "", **changes: str
) -> Signature:
    """An owner corrects the public details of an entry (name, acronym, country, affiliation);
    the audit entry keeps the old and the new values."""
    allowed = {"name", "acronym", "country", "affiliation"}
    changes = {k: v for k, v in changes.items() if k in allowed and getattr(signature, k) != v}
    if not changes:
        return signature
    before = {k: str(getattr(signature, k)) for k in changes}
    for key, value in changes.items():
        setattr(signature, key, value)
    fields = list(changes)
    if signature.kind == Signature.Kind.ORGANIZATION and "name" in changes:
        signature.name_key = exact_key(signature.name)
        fields.append("name_key")
    with transaction.atomic():
        signature.save(update_fields=fields)
        log_action(
            signature,
            "signatures.signature.edited",
            user=user,
            reason=reason,
            data={"before": before, "after": {k: str(v) for k, v in changes.items()}},
        )
        if signature.status == Signature.Status.PUBLISHED:
            enqueue_refresh(signature.statement_id)
    return signature


# --- Telling signers that the text they signed changed -------------------------------------


def signers_notify_of_change(*, revision: TextRevision, user: AbstractBaseUser) -> None:
    """Queue the worker's job that writes, in batches, one email to every confirmed signer of
    an earlier version of this text: the change note, a link to the changes, and their own
    link to withdraw. Nothing else changes for them. Call it in the transaction of the save."""
    TextRevision.objects.filter(pk=revision.pk).update(signers_notified=True)
    log_action(
        revision.statement,
        "statements.text.signers_notified",
        user=user,
        data={"language": revision.language, "version": revision.version},
    )
    job_enqueue(kind=NOTIFY_TEXT_CHANGE, payload={"revision_id": revision.pk, "after": 0})


def signers_of_earlier_versions(revision: TextRevision):
    """The confirmed, live signatures of this text in an earlier version, with a mailbox."""
    return (
        Signature.objects.filter(
            statement_id=revision.statement_id,
            text_language=revision.language,
            status__in=[Signature.Status.PUBLISHED, Signature.Status.IN_REVIEW],
            confirmed_at__isnull=False,
        )
        .exclude(text_version=revision.version)
        .exclude(email="")
    )


@transaction.atomic
def text_change_notify_batch(*, revision_id: int, after: int) -> int:
    """One batch of the notification: the email jobs of the next NOTIFY_BATCH signers after
    id `after`, and the job of the batch after it; how many were queued."""
    revision = TextRevision.objects.filter(pk=revision_id).first()
    if revision is None:
        return 0
    ids = list(
        signers_of_earlier_versions(revision)
        .filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:NOTIFY_BATCH]
    )
    Job.objects.bulk_create(
        job_build(
            kind=SEND_EMAIL,
            payload={"signature_id": pk, "template": "text_changed", "revision_id": revision.pk},
        )
        for pk in ids
    )
    if len(ids) == NOTIFY_BATCH:
        job_enqueue(kind=NOTIFY_TEXT_CHANGE, payload={"revision_id": revision.pk, "after": ids[-1]})
    return len(ids)
