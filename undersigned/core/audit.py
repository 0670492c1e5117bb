"""The audit log: every state change of a statement or a signature writes one entry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.core.db import insert_one
from undersigned.core.models import AuditEntry


def audit_entry(
    obj: models.Model,
    action: str,
    *,
    user: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry for one state change, unsaved (for writing many at once)."""
    actor = user if user is not None and user.is_authenticated else None
    return AuditEntry(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        actor=actor,
        actor_label=actor_label or ("user" if actor else "system"),
        reason=reason,
        data=data or {},
    )


def log_action(obj: models.Model, action: str, **details: Any) -> AuditEntry:
    """Write the entry of one state change (`details`: those of `audit_entry`)."""
    return insert_one(audit_entry(obj, action, **details))


def entries_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)


# What each action means, as coordinators read it in the history of an entry or a statement.
# tests/test_audit_labels.py checks that every action the code writes has one.
ACTION_LABELS = {
    "accounts.password.reset": _("password changed with a reset link"),
    "accounts.password.reset_requested": _("password reset asked for"),
    "accounts.recovery_code.used": _("signed in with a recovery code"),
    "accounts.recovery_codes.created": _("new recovery codes made"),
    "accounts.two_factor.disabled": _("two-step sign-in turned off"),
    "accounts.two_factor.enabled": _("two-step sign-in turned on"),
    "accounts.user.logged_in": _("signed in"),
    "accounts.user.login_failed": _("sign-in failed"),
    "imports.batch.published": _("imported list published"),
    "imports.list.imported": _("list imported"),
    "moderation.signatures.invalidated": _("signatures taken off the list"),
    "moderation.signatures.restored": _("signatures put back on the list"),
    "signatures.retention.contact_data_removed": _("contact data deleted (retention)"),
    "signatures.retention.failed_submissions_deleted": _("failed submissions deleted (retention)"),
    "signatures.retention.ip_hashes_dropped": _("network data deleted (retention)"),
    "signatures.retention.unconfirmed_deleted": _("unconfirmed signatures deleted (retention)"),
    "signatures.signature.approved": _("approved"),
    "signatures.signature.confirmed": _("confirmed by the signer"),
    "signatures.signature.created": _("signed"),
    "signatures.signature.edited": _("corrected"),
    "signatures.signature.imported": _("imported from a list"),
    "signatures.signature.marked_distinct": _("marked as a different organization"),
    "signatures.signature.merged": _("merged with a duplicate"),
    "signatures.signature.rejected": _("rejected"),
    "signatures.signature.removed": _("taken off the list"),
    "signatures.signature.restored": _("put back on the list"),
    "signatures.signature.resend_refused": _("signed again, no more emails sent"),
    "signatures.signature.resent": _("signed again, email sent again"),
    "signatures.signature.signed_again": _("signed again after withdrawing"),
    "signatures.signature.visibility_changed": _("name shown or hidden by the signer"),
    "signatures.signature.withdrawn": _("withdrawn by the signer"),
    "signatures.tally.repaired": _("counts repaired"),
    "statements.addressee.added": _("addressee added"),
    "statements.addressee.removed": _("addressee removed"),
    "statements.invitation.revoked": _("invitation withdrawn"),
    "statements.member.invited": _("co-worker invited"),
    "statements.member.joined": _("co-worker joined"),
    "statements.member.removed": _("co-worker removed"),
    "statements.statement.created": _("statement created"),
    "statements.statement.settings_changed": _("settings changed"),
    "statements.statement.draft": _("back to draft"),
    "statements.statement.open": _("opened for signatures"),
    "statements.statement.closed": _("closed"),
    "statements.statement.paused": _("signing paused"),
    "statements.statement.resumed": _("signing resumed"),
    "statements.statement.proof_of_work_on": _("proof of work asked (surge)"),
    "statements.statement.proof_of_work_off": _("proof of work no longer asked"),
    "statements.text.changed": _("text changed"),
    "statements.text.deleted": _("text of a language removed"),
    "textchecks.finding.acknowledged": _("text check finding acknowledged"),
    "deliveries.export.made": _("list exported"),
    "deliveries.delivery.created": _("delivery to addressees made"),
    "deliveries.delivery.confirmed": _("delivery confirmed"),
    "deliveries.delivery.discarded": _("delivery discarded"),
    "deliveries.delivery.prepared": _("delivery's files made and signed"),
    "deliveries.recipient.sent": _("statement sent to an addressee"),
    "deliveries.recipient.failed": _("sending to an addressee failed"),
    "deliveries.recipient.interrupted": _("sending to an addressee interrupted"),
    "deliveries.recipient.retried": _("sending to an addressee retried"),
    "deliveries.milestone.added": _("delivery milestone set"),
    "deliveries.milestone.removed": _("delivery milestone removed"),
    "deliveries.updates.stopped": _("signer stopped delivery updates"),
    "api.token.created": _("API token made"),
    "api.token.revoked": _("API token revoked"),
    "api.token.used": _("API token used"),
    "statements.text.signers_notified": _("signers told of a text change"),
    "statements.preview.rotated": _("preview link made or replaced"),
    "statements.preview.revoked": _("preview link withdrawn"),
    "statements.member.role_changed": _("co-worker's role changed"),
    "statements.member.added": _("co-worker added by an administrator"),
    "signatures.signature.initial_marked": _("listed as an initial signatory"),
    "signatures.signature.initial_unmarked": _("no longer an initial signatory"),
}


def action_label(action: str) -> str:
    """The human label of an audit action, in the active language (the code itself for an
    action without one)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


# Who acted, when it was no account: the signer (by their link), or the platform's own jobs.
ACTOR_LABELS = {
    "signer": _("the signer"),
    "system": _("the platform"),
    "user": _("a coordinator"),
    "retention": _("retention (automatic)"),
    "reconciliation": _("count check (automatic)"),
    "import_signatories": _("command-line import"),
}


def actor_label(label: str) -> str:
    """The human name of an audit entry's actor label, in the active language."""
    name = ACTOR_LABELS.get(label)
    return str(name) if name is not None else label
