"""Updates for signers who asked for them: at signing, an unticked box apart from the signature
("Tell me when this statement is delivered or updated"). Each delivery sends those signers one
email in their language, with one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an
HTTPS address and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`) and a page with a
button for people who follow the link."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format

from undersigned.core.audit import log_action
from undersigned.core.http import absolute_url
from undersigned.deliveries.models import Delivery, Recipient
from undersigned.jobs.models import Job
from undersigned.jobs.registry import register
from undersigned.jobs.services import job_build, job_enqueue
from undersigned.signatures.models import Signature
from undersigned.statements.selectors import statement_text_for

SEND_UPDATE = "deliveries.send_update"
NOTIFY_BATCH = 500
# The signatures that still count: confirmed, on the list or waiting for review.
_LIVE = [Signature.Status.PUBLISHED, Signature.Status.IN_REVIEW]


def stop_token(signature: Signature) -> str:
    mac = salted_hmac("deliveries:updates-stop", str(signature.pk)).hexdigest()[:32]
    return f"{signature.pk}-{mac}"


def signature_for_stop_token(token: str) -> Signature | None:
    head, _, mac = token.partition("-")
    if not head.isdigit() or len(head) > 18:
        return None
    signature = Signature.objects.filter(pk=int(head)).first()
    if signature is None or not constant_time_compare(stop_token(signature), token):
        return None
    return signature


def updates_stop(*, signature: Signature, one_click: bool) -> bool:
    """The signer wants no more updates; False when they already had none coming."""
    if not Signature.objects.filter(pk=signature.pk, wants_updates=True).update(
        wants_updates=False
    ):
        return False
    log_action(signature, "deliveries.updates.stopped", actor_label="signer",
               data={"one_click": one_click})  # fmt: skip
    return True


def subscribers(delivery: Delivery):
    return Signature.objects.filter(
        statement_id=delivery.statement_id,
        wants_updates=True,
        status__in=_LIVE,
        email_normalized__isnull=False,
    )


def signers_notify_batch(*, delivery_id: int, after: int = 0) -> int:
    """Queue the update emails of the next NOTIFY_BATCH signers who asked (ids after `after`),
    and the job of the batch after it; how many were queued."""
    delivery = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.DONE).first()
    if delivery is None or (delivery.signers_notified and after == 0):
        return 0
    ids = list(
        subscribers(delivery)
        .filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:NOTIFY_BATCH]
    )
    Job.objects.bulk_create(
        job_build(kind=SEND_UPDATE, payload={"signature_id": pk, "delivery_id": delivery.pk})
        for pk in ids
    )
    if len(ids) == NOTIFY_BATCH:
        job_enqueue(kind="deliveries.notify_signers",
                    payload={"delivery_id": delivery.pk, "after": ids[-1]})  # fmt: skip
    else:
        Delivery.objects.filter(pk=delivery.pk).update(signers_notified=True)
    return len(ids)


@register(SEND_UPDATE, batch=True)
def send_updates(payloads: list[dict[str, Any]]) -> None:
    """One email per signer who still wants them; the text is rendered once per delivery and
    language, and the batch goes through one mail connection."""
    signatures = Signature.objects.filter(
        pk__in=[p["signature_id"] for p in payloads], wants_updates=True, status__in=_LIVE
    ).exclude(email="")
    deliveries = {
        d.pk: d
        for d in Delivery.objects.select_related("statement").filter(
            pk__in={p["delivery_id"] for p in payloads}
        )
    }
    wanted = {p["signature_id"]: p["delivery_id"] for p in payloads}
    drafts: dict[tuple[int, str], tuple[str, str]] = {}
    messages = []
    for signature in signatures:
        delivery = deliveries.get(wanted[signature.pk])
        if delivery is None:
            continue
        key = (delivery.pk, signature.language)
        if key not in drafts:
            drafts[key] = _draft(delivery, signature.language)
        subject, body = drafts[key]
        with translation.override(signature.language):
            stop = absolute_url(reverse("stop_updates",
                                     kwargs={"token": stop_token(signature)}))  # fmt: skip
        messages.append(
            EmailMessage(
                subject=subject,
                body=body.replace(_STOP_SLOT, stop),
                to=[signature.email],
                headers={
                    "List-Unsubscribe": f"<{stop}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    "Auto-Submitted": "auto-generated",
                },
            )
        )
    if messages:
        get_connection(fail_silently=False).send_messages(messages)


_STOP_SLOT = "\x00stop-slot\x00"


def _draft(delivery: Delivery, language: str) -> tuple[str, str]:
    statement = delivery.statement
    with translation.override(language):
        text = statement_text_for(statement, language).text  # type: ignore[union-attr]
        sent = Recipient.objects.filter(delivery=delivery, status=Recipient.Status.SENT)
        context = {
            "title": " ".join(text.title.split()),
            "statement_url": absolute_url(
                reverse("signatures:statement", kwargs={"slug": statement.slug})
            ),
            "names": [r.label for r in sent] if delivery.public_names else [],
            "addressees": sent.count(),
            "date": date_format(delivery.sent or delivery.created, "DATE_FORMAT"),
            "counts": delivery.counts,
            "stop_url": _STOP_SLOT,
        }
        subject = " ".join(render_to_string("deliveries/email/update_subject.txt", context).split())
        body = render_to_string("deliveries/email/update.txt", context)
    return subject, body
