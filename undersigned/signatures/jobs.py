"""Background jobs of the signatures app: emails to signers and list refreshes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from undersigned.jobs.registry import register
from undersigned.signatures.models import Signature
from undersigned.signatures.services import REFRESH_LIST, SEND_EMAIL, statement_list_refresh
from undersigned.signatures.tokens import make_token
from undersigned.signatures.upkeep import counts_reconcile, retention_run
from undersigned.statements.models import Statement
from undersigned.statements.selectors import statement_text_for, statement_with_texts

SUBJECTS = {
    # Subjects are translated when the email is rendered, in the signer's language.
    "confirm": "signatures/email/confirm_subject.txt",
    "already_signed": "signatures/email/already_signed_subject.txt",
}


def _absolute(path: str) -> str:
    # Links use the configured address, never the Host header of some request.
    return settings.BASE_URL + path


def _signer_link(view: str, purpose: str, signature: Signature) -> str:
    token = make_token(purpose=purpose, signature_id=signature.pk, nonce=signature.token_nonce)
    return _absolute(reverse(view, kwargs={"token": token}))


@register(SEND_EMAIL, batch=True)
def send_emails(payloads: list[dict[str, Any]]) -> None:
    """Write the emails of many jobs: one query for the signatures, one look-up per statement,
    one mail connection."""
    signatures = Signature.objects.in_bulk([p["signature_id"] for p in payloads])
    statements = {
        pk: statement_with_texts(pk=pk) for pk in {s.statement_id for s in signatures.values()}
    }
    messages = []
    for payload in payloads:
        signature = signatures.get(payload["signature_id"])
        if signature is not None and signature.email:  # else nothing is left to write to
            statement = statements[signature.statement_id]
            messages.append(_message(signature, statement, payload["template"]))
    if messages:
        get_connection().send_messages(messages)


def _message(signature: Signature, statement: Statement, template: str) -> EmailMessage:
    with translation.override(signature.language):
        choice = statement_text_for(statement, signature.language)
        title = " ".join(choice.text.title.split()) if choice else statement.slug
        context = {
            "signature": signature,
            "title": title,
            "statement_url": _absolute(
                reverse("statements:detail", kwargs={"slug": statement.slug})
            ),
            "confirm_url": _signer_link("signatures:confirm", "confirm", signature),
            "manage_url": _signer_link("signatures:manage", "manage", signature),
            "ttl_hours": settings.CONFIRMATION_TTL_HOURS,
        }
        subject = " ".join(render_to_string(SUBJECTS[template], context).split())
        body = render_to_string(f"signatures/email/{template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[signature.email])


@register(REFRESH_LIST, coalesce=True)
def refresh_list(payload: dict[str, Any]) -> None:
    statement_list_refresh(statement_id=payload["statement_id"])


@register("signatures.retention", every=3600)
def retention(payload: dict[str, Any]) -> None:
    retention_run()


@register("signatures.reconcile", every=3600)
def reconcile(payload: dict[str, Any]) -> None:
    counts_reconcile()
