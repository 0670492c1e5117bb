"""Every state change of a statement or its texts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify

from undersigned.core.audit import log_action
from undersigned.core.numbers import ascii_int
from undersigned.core.recent import forget_on_commit
from undersigned.core.sanitize import markdown_to_safe_html
from undersigned.jobs.services import job_enqueue
from undersigned.statements.models import (
    Addressee,
    Invitation,
    Membership,
    Statement,
    StatementText,
    TextRevision,
)
from undersigned.statements.signals import text_saved


def text_version(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()[:16]


class ChangeNoteRequired(Exception):
    """A public text may change only with a short note saying what changed and why."""


def _has_public_revision(statement: Statement, language: str) -> bool:
    return TextRevision.objects.filter(
        statement=statement, language=language, public_since__isnull=False
    ).exists()


def change_note_required(text: StatementText) -> bool:
    """Whether saving this text needs a change note: its statement is public and readers have
    seen an earlier version of it."""
    return text.statement.is_public and _has_public_revision(text.statement, text.language)


@transaction.atomic
def statement_text_save(
    *, text: StatementText, user: AbstractBaseUser | None = None, note: str = ""
) -> StatementText:
    """Render and sanitize the body, record the revision, save, and audit a change. While the
    statement is public, a changed text is a new public version and needs `note` once readers
    have seen an earlier one (ChangeNoteRequired). The revision is left on `text.revision`."""
    text.body_html = markdown_to_safe_html(text.body)
    old_version = text.version
    text.version = text_version(text.title, text.body)
    statement = text.statement
    note = " ".join(note.split())
    changed = old_version != text.version
    public = statement.is_public
    if public and changed and not note and _has_public_revision(statement, text.language):
        raise ChangeNoteRequired()
    if text.language != statement.default_language:
        # Saved against the first language's text as it is now.
        text.source_version = (
            StatementText.objects.filter(statement=statement, language=statement.default_language)
            .values_list("version", flat=True)
            .first()
            or ""
        )
    text.save()
    revision, _created = TextRevision.objects.get_or_create(
        statement=text.statement,
        language=text.language,
        version=text.version,
        defaults={"title": text.title, "body": text.body},
    )
    if public and (changed or revision.public_since is None):
        # Public from now: a new version, or earlier words published again.
        revision.public_since = timezone.now()
        revision.note = note
        revision.signers_notified = False
        revision.save(update_fields=["public_since", "note", "signers_notified"])
    text.revision = revision  # type: ignore[attr-defined]
    text_saved.send(sender=StatementText, text=text)
    # Public pages and caches key on the statement's `updated`: a text change is a change.
    Statement.objects.filter(pk=text.statement_id).update(updated=timezone.now())
    forget_on_commit()
    if changed:
        log_action(
            text.statement,
            "statements.text.changed",
            user=user,
            reason=note,
            data={
                "language": text.language,
                "from": old_version,
                "to": text.version,
                "public": public,
            },
        )
    return text


@transaction.atomic
def statement_text_delete(*, text: StatementText, user: AbstractBaseUser | None = None) -> None:
    """Remove one language's text (its revisions stay: signatures still point at them)."""
    StatementText.objects.filter(pk=text.pk).delete()
    Statement.objects.filter(pk=text.statement_id).update(updated=timezone.now())
    forget_on_commit()
    log_action(
        text.statement,
        "statements.text.deleted",
        user=user,
        data={"language": text.language, "version": text.version},
    )


def _publish_current_texts(statement: Statement) -> None:
    """Record the version of each text that goes public now (the first opening)."""
    now = timezone.now()
    for language, version in StatementText.objects.filter(statement=statement).values_list(
        "language", "version"
    ):
        TextRevision.objects.filter(
            statement=statement, language=language, version=version, public_since__isnull=True
        ).update(public_since=now)


@transaction.atomic
def statement_set_state(
    *, statement: Statement, state: str, user: AbstractBaseUser | None = None, reason: str = ""
) -> Statement:
    if state not in Statement.State.values:
        raise ValueError(f"unknown state {state!r}")
    if statement.state == state:
        return statement
    old = statement.state
    statement.state = state
    statement.closed_at = timezone.now() if state == Statement.State.CLOSED else None
    statement.save(update_fields=["state", "closed_at", "updated"])
    if statement.is_public:
        _publish_current_texts(statement)
    forget_on_commit()
    log_action(
        statement,
        f"statements.statement.{state}",
        user=user,
        reason=reason,
        data={"from": old, "to": state},
    )
    return statement


@transaction.atomic
def statement_create(
    *,
    slug: str,
    texts: dict[str, tuple[str, str]],
    user: AbstractBaseUser | None = None,
    owner: AbstractBaseUser | None = None,
    **fields,
) -> Statement:
    """Create a statement with one (title, body) per language code; `owner` becomes its first
    coordinator."""
    statement = Statement(slug=slug, **fields)
    statement.full_clean()
    statement.save()
    if owner is not None:
        Membership.objects.create(
            statement=statement,
            user=owner,  # type: ignore[misc]
            role=Membership.Role.OWNER,
        )
    forget_on_commit()
    # The first language first: translations are saved against its version.
    ordered = sorted(texts.items(), key=lambda item: item[0] != statement.default_language)
    for language, (title, body) in ordered:
        statement_text_save(
            text=StatementText(statement=statement, language=language, title=title, body=body),
            user=user,
        )
    log_action(
        statement, "statements.statement.created", user=user, data={"state": statement.state}
    )
    return statement


@transaction.atomic
def statement_set_paused(
    *, statement: Statement, paused: bool, user: AbstractBaseUser | None = None, reason: str = ""
) -> Statement:
    """Pause or resume signing on one statement (an emergency brake, e.g. under abuse)."""
    if statement.signing_paused == paused:
        return statement
    statement.signing_paused = paused
    statement.save(update_fields=["signing_paused", "updated"])
    forget_on_commit()
    log_action(
        statement,
        f"statements.statement.{'paused' if paused else 'resumed'}",
        user=user,
        reason=reason,
    )
    return statement


# --- The draft's preview link ----------------------------------------------------------------


class PreviewProblem(Exception):
    """A preview link that shows nothing: forged, mistyped, rotated or withdrawn."""


def preview_token(statement: Statement) -> str:
    """The statement's current preview link token; '' when no link is out."""
    if not statement.preview_nonce:
        return ""
    mac = salted_hmac(
        "undersigned.statements.preview",
        f"{statement.pk}:{statement.preview_nonce}",
        algorithm="sha256",
    ).hexdigest()[:43]
    return f"{statement.pk}-{mac}"


def preview_statement(token: str) -> Statement:
    """The statement a preview link belongs to, with its texts; PreviewProblem for any link
    that is not its current one. The token names one statement: it opens no other."""
    head, _, _ = token.partition("-")
    pk = ascii_int(head, max_digits=12)
    statement = (
        Statement.objects.prefetch_related("texts", "addressees").filter(pk=pk).first()
        if pk
        else None
    )
    current = preview_token(statement) if statement is not None else ""
    if statement is None or not current or not constant_time_compare(current, token):
        raise PreviewProblem()
    return statement


@transaction.atomic
def preview_rotate(*, statement: Statement, user: AbstractBaseUser) -> str:
    """Make a new preview link (the first, or one that replaces the last); its token."""
    statement.preview_nonce = secrets.token_hex(16)
    Statement.objects.filter(pk=statement.pk).update(preview_nonce=statement.preview_nonce)
    log_action(statement, "statements.preview.rotated", user=user)
    return preview_token(statement)


@transaction.atomic
def preview_revoke(*, statement: Statement, user: AbstractBaseUser) -> None:
    """Withdraw the preview link: it shows nothing from now on."""
    if statement.preview_nonce:
        statement.preview_nonce = ""
        Statement.objects.filter(pk=statement.pk).update(preview_nonce="")
        log_action(statement, "statements.preview.revoked", user=user)


# --- Coordinators: invitations and roles ----------------------------------------------------

INVITATION_EMAIL = "statements.invitation_email"


class InvitationProblem(Exception):
    """An invitation link that cannot be used. `code`: invalid, expired, used or revoked."""

    def __init__(self, code: str, invitation: Invitation | None = None):
        super().__init__(code)
        self.code = code
        self.invitation = invitation


class MembershipRefused(Exception):
    """The change would leave the statement without an owner."""


def invitation_token(invitation: Invitation) -> str:
    mac = salted_hmac(
        "undersigned.statements.invitation",
        f"{invitation.pk}:{invitation.nonce}",
        algorithm="sha256",
    ).hexdigest()[:43]
    return f"{invitation.pk}-{mac}"


def invitation_create(
    *, statement: Statement, email: str, role: str, language: str, user: AbstractBaseUser
) -> Invitation:
    """Invite `email` to `role` on the statement; the worker sends the link in `language`."""
    with transaction.atomic():
        invitation = Invitation.objects.create(
            statement=statement,
            email=email,
            role=role,
            language=language,
            nonce=secrets.token_hex(16),
            invited_by=user,  # type: ignore[misc]
            expires=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        log_action(statement, "statements.member.invited", user=user, data={"role": role})
        job_enqueue(kind=INVITATION_EMAIL, payload={"invitation_id": invitation.pk})
    return invitation


def invitation_from_token(token: str, *, lock: bool = False) -> Invitation:
    """The usable invitation behind a link; InvitationProblem otherwise."""
    head, _, _ = token.partition("-")
    pk = ascii_int(head, max_digits=12)
    rows = Invitation.objects.select_related("statement")
    if lock:
        rows = rows.select_for_update()
    invitation = rows.filter(pk=pk).first() if pk else None
    if invitation is None or not constant_time_compare(invitation_token(invitation), token):
        raise InvitationProblem("invalid")
    if invitation.revoked:
        raise InvitationProblem("revoked", invitation)
    if invitation.accepted:
        raise InvitationProblem("used", invitation)
    if invitation.expires <= timezone.now():
        raise InvitationProblem("expired", invitation)
    return invitation


def invitation_accept(*, token: str, user: AbstractBaseUser) -> Membership:
    """The invited person joins with `user` (new or existing). An existing coordinator keeps
    the owner role if they have it; otherwise they take the invited role. Single use."""
    with transaction.atomic():
        invitation = invitation_from_token(token, lock=True)
        membership, created = Membership.objects.get_or_create(
            statement=invitation.statement, user=user, defaults={"role": invitation.role}
        )
        if not created and membership.role != Membership.Role.OWNER:
            membership.role = invitation.role
            membership.save(update_fields=["role"])
        invitation.accepted = timezone.now()
        invitation.accepted_by = user  # type: ignore[assignment]
        invitation.save(update_fields=["accepted", "accepted_by"])
        log_action(
            invitation.statement,
            "statements.member.joined",
            user=user,
            data={"role": membership.role, "invitation": invitation.pk},
        )
    return membership


def invitation_revoke(*, invitation: Invitation, user: AbstractBaseUser) -> None:
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted__isnull=True, revoked__isnull=True
        ).update(revoked=timezone.now())
        if updated:
            log_action(
                invitation.statement,
                "statements.invitation.revoked",
                user=user,
                data={"invitation": invitation.pk},
            )


def membership_remove(*, membership: Membership, user: AbstractBaseUser) -> None:
    """Take a coordinator off the statement; never its last owner."""
    with transaction.atomic():
        owners = Membership.objects.select_for_update().filter(
            statement_id=membership.statement_id, role=Membership.Role.OWNER
        )
        if membership.role == Membership.Role.OWNER and owners.count() <= 1:
            raise MembershipRefused()
        Membership.objects.filter(pk=membership.pk).delete()
        log_action(
            membership.statement,
            "statements.member.removed",
            user=user,
            data={"user": membership.user_id, "role": membership.role},
        )


@transaction.atomic
def membership_save(*, membership: Membership, user: AbstractBaseUser) -> None:
    """An administrator adds a coordinator or changes one's role (the admin's inline)."""
    old = (
        Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
        if membership.pk
        else None
    )
    if old == membership.role:
        return
    membership.save()
    log_action(
        membership.statement,
        "statements.member.added" if old is None else "statements.member.role_changed",
        user=user,
        data={"user": membership.user_id, "from": old or "", "to": membership.role},
    )


SLUG_MAX = 80


def slug_suggest(title: str, *, today=None) -> str:
    """A free address for a new statement: its title in a–z, digits and dashes, or (for a
    title in another script, which has no such letters) "statement-<date>"; with -2, -3… when
    taken."""
    base = slugify(title)[:60].strip("-")
    if len(base) < 3:
        base = f"statement-{(today or timezone.localdate()).isoformat()}"
    slug, n = base, 1
    while Statement.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug[:SLUG_MAX]


@transaction.atomic
def statement_settings_save(
    *, statement: Statement, changed: list[str], user: AbstractBaseUser
) -> Statement:
    """Save what the settings form changed, audited with the names of the changed fields."""
    statement.full_clean()
    statement.save()
    forget_on_commit()
    if changed:
        log_action(
            statement,
            "statements.statement.settings_changed",
            user=user,
            data={"fields": sorted(changed)},
        )
    return statement


def addressee_add(*, statement: Statement, user: AbstractBaseUser, **fields) -> Addressee:
    with transaction.atomic():
        addressee = Addressee.objects.create(statement=statement, **fields)
        Statement.objects.filter(pk=statement.pk).update(updated=timezone.now())
        forget_on_commit()
        log_action(
            statement, "statements.addressee.added", user=user, data={"addressee": addressee.pk}
        )
    return addressee


def addressee_remove(*, addressee: Addressee, user: AbstractBaseUser) -> None:
    with transaction.atomic():
        statement = addressee.statement
        Addressee.objects.filter(pk=addressee.pk).delete()
        Statement.objects.filter(pk=statement.pk).update(updated=timezone.now())
        forget_on_commit()
        log_action(
            statement,
            "statements.addressee.removed",
            user=user,
            data={"addressee": addressee.pk, "name": addressee.name},
        )
