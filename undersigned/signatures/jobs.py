"""Background jobs of the signatures app: emails to signers and list refreshes."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from undersigned.core.http import absolute_url
from undersigned.core.mail import PlainHeadersEmail
from undersigned.jobs.registry import register, register_source
from undersigned.signatures.models import Signature
from undersigned.signatures.pacing import Pacer
from undersigned.signatures.services import (
    NOTIFY_TEXT_CHANGE,
    REFRESH_LIST,
    SEND_EMAIL,
    statement_list_refresh,
    submissions_take,
    text_change_notify_batch,
)
from undersigned.signatures.tokens import make_token
from undersigned.signatures.upkeep import counts_reconcile, retention_run
from undersigned.statements.models import Statement, TextRevision
from undersigned.statements.selectors import (
    previous_public_revision,
    statement_text_for,
    statement_version_key,
    statement_with_texts,
)

# Signing submissions wait in a table of their own (see models.Submission), recorded at once
# except during a surge (see pacing.py).
_pacer = Pacer()


@register_source
def take_submissions(*, limit: int) -> int:
    return 0 if _pacer.hold() else submissions_take(limit=limit)


SUBJECTS = {
    # Subjects are translated when the email is rendered, in the signer's language.
    "confirm": "signatures/email/confirm_subject.txt",
    "already_signed": "signatures/email/already_signed_subject.txt",
    "text_changed": "signatures/email/text_changed_subject.txt",
}


_absolute = absolute_url


# Stand for what differs between two signers' emails in a draft rendered once per batch.
_SLOTS = {
    "name": "\x00name-slot\x00",
    "confirm": "\x00confirm-slot\x00",
    "manage": "\x00manage-slot\x00",
}
_TOKEN_SLOT = "0-tokenslot"
_SLOT = re.compile("|".join(re.escape(slot) for slot in _SLOTS.values()))


# What an email of a signature is written from (the rest of the row is not read).
_MAIL_FIELDS = ("statement_id", "language", "name", "email", "token_nonce")


@register(SEND_EMAIL, batch=True)
def send_emails(payloads: list[dict[str, Any]]) -> None:
    """Write the emails of many jobs: one query for the signatures, one look-up per statement,
    one rendering of the templates per version of a statement, language and kind of email (kept
    between batches), one mail connection."""
    signatures = Signature.objects.only(*_MAIL_FIELDS).in_bulk(
        [p["signature_id"] for p in payloads]
    )
    statements = {
        pk: statement_with_texts(pk=pk) for pk in {s.statement_id for s in signatures.values()}
    }
    messages = []
    for payload in payloads:
        signature = signatures.get(payload["signature_id"])
        if signature is None or not signature.email:  # nothing is left to write to
            continue
        draft = _draft_for(
            statements[signature.statement_id],
            signature.language,
            payload["template"],
            payload.get("revision_id", 0),
        )
        messages.append(_message(signature, *draft))
    if messages:
        get_connection().send_messages(messages)


# Drafts of earlier batches, by what they are rendered from: the statement as it is now (its
# version moves with every change of it and its texts), the language, the kind of email and
# the text change. Rendering one took 3–4 ms, a fifth of the mail step of a batch of 100.
_drafts: dict[tuple, tuple[str, str, str, str]] = {}
_DRAFTS_KEPT = 256


def _draft_for(
    statement: Statement, language: str, template: str, revision_id: int
) -> tuple[str, str, str, str]:
    key = (*statement_version_key(statement), language, template, revision_id)
    draft = _drafts.get(key)
    if draft is None:
        if len(_drafts) >= _DRAFTS_KEPT:
            _drafts.clear()
        draft = _drafts[key] = _draft(statement, language, template, revision_id)
    return draft


def _forget_drafts(**_kwargs) -> None:
    """The links and the confirmation's lifetime come from the settings."""
    _drafts.clear()


setting_changed.connect(_forget_drafts)


def _change(statement: Statement, revision_id: int) -> dict[str, Any]:
    """What a text-change email says of the change: its note, date and the link to it."""
    revision = TextRevision.objects.filter(pk=revision_id, statement=statement).first()
    if revision is None:
        return {}
    query = f"?to={revision.pk}"
    previous = previous_public_revision(revision)
    if previous is not None:
        query = f"?from={previous.pk}&to={revision.pk}"
    path = reverse("signatures:history", kwargs={"slug": statement.slug})
    return {
        "change": revision,
        "changed_on": date_format(revision.public_since or revision.created, "DATE_FORMAT"),
        "changes_url": _absolute(path) + query,
    }


def _draft(
    statement: Statement, language: str, template: str, revision_id: int = 0
) -> tuple[str, str, str, str]:
    """Subject, body, and the confirm and manage links of one kind of email in one language,
    with slots where each signer's name and tokens go."""
    with translation.override(language):
        choice = statement_text_for(statement, language)
        context = {
            **(_change(statement, revision_id) if revision_id else {}),
            "signature": {"name": _SLOTS["name"]},
            "title": " ".join(choice.text.title.split()) if choice else statement.slug,
            "statement_url": _absolute(
                reverse("signatures:statement", kwargs={"slug": statement.slug})
            ),
            "confirm_url": _SLOTS["confirm"],
            "manage_url": _SLOTS["manage"],
            "ttl_hours": settings.CONFIRMATION_TTL_HOURS,
        }
        subject = " ".join(render_to_string(SUBJECTS[template], context).split())
        body = render_to_string(f"signatures/email/{template}.txt", context)
        confirm = _absolute(reverse("signatures:confirm", kwargs={"token": _TOKEN_SLOT}))
        manage = _absolute(reverse("signatures:manage", kwargs={"token": _TOKEN_SLOT}))
    return subject, body, confirm, manage


def _message(
    signature: Signature, subject: str, body: str, confirm: str, manage: str
) -> PlainHeadersEmail:
    def link(url: str, purpose: str) -> str:
        token = make_token(purpose=purpose, signature_id=signature.pk, nonce=signature.token_nonce)
        before, _, after = url.rpartition(_TOKEN_SLOT)
        return before + token + after

    values = {
        _SLOTS["name"]: signature.name,
        _SLOTS["confirm"]: link(confirm, "confirm"),
        _SLOTS["manage"]: link(manage, "manage"),
    }
    # One pass, so a name that looks like a slot is written as it is.
    return PlainHeadersEmail(
        subject=_SLOT.sub(lambda m: values[m.group()], subject),
        body=_SLOT.sub(lambda m: values[m.group()], body),
        to=[signature.email],
    )


@register(NOTIFY_TEXT_CHANGE)
def notify_text_change(payload: dict[str, Any]) -> None:
    text_change_notify_batch(revision_id=payload["revision_id"], after=payload.get("after", 0))


@register(REFRESH_LIST, coalesce=True)
def refresh_list(payload: dict[str, Any]) -> None:
    statement_list_refresh(statement_id=payload["statement_id"])


@register("signatures.retention", every=3600)
def retention(payload: dict[str, Any]) -> None:
    retention_run()


@register("signatures.reconcile", every=3600)
def reconcile(payload: dict[str, Any]) -> None:
    counts_reconcile()
