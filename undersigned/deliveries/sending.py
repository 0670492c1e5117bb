"""Delivering a statement to its addressees: the Delivery and its recipients, from the owner's
choice (or a milestone) to one email per addressee, with per-recipient status and retries.

1. `delivery_create` (the workspace, or `milestones_check` for a delivery that waits for an
   owner's confirmation) writes the Delivery, one Recipient per addressee and the job that
   prepares it, in one transaction.
2. `delivery_prepare` (a job) makes the files for each language the recipients read: the
   letter (PDF) and the public list (CSV), with one signed manifest listing them all, and
   records the text versions, the counts and every file's SHA-256.
3. `recipients_take` (a worker source, like the signing submissions) claims queued recipients
   and sends each their email. A recipient is marked `sending`, committed, before the email is
   handed to the mail server, and `sent` after: a worker killed in between leaves it `sending`,
   and the next worker marks it `interrupted` once its window has passed, instead of sending it
   again. Nobody gets the letter twice from a crash; nobody is lost (an owner sees the
   interrupted recipient and can retry it). A recipient refused by the mail server (5xx) is
   `failed` with the server's answer; a temporary refusal (4xx, no connection) is retried with
   back-off, then failed.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from undersigned.core.audit import log_action
from undersigned.core.http import absolute_url
from undersigned.deliveries.models import Delivery, Milestone, Recipient
from undersigned.deliveries.services import write_export, write_manifest
from undersigned.jobs.services import job_enqueue
from undersigned.signatures.selectors import tally_for
from undersigned.statements.models import Addressee, Statement
from undersigned.statements.selectors import statement_text_for

logger = logging.getLogger("undersigned.deliveries")

PREPARE_DELIVERY = "deliveries.prepare_delivery"
NOTIFY_SIGNERS = "deliveries.notify_signers"
MAX_ATTEMPTS = 5
TAKE = 20


def folder(delivery: Delivery) -> Path:
    return Path(settings.DATA_DIR) / "deliveries" / str(delivery.pk)


def delivery_create(*, statement: Statement, user: Any,
                    recipients: list[tuple[Addressee, str]], public_names: bool,
                    milestone: Milestone | None = None) -> Delivery:  # fmt: skip
    """A delivery to `recipients` (addressee, language to write in). Sent at once when an owner
    asks; made by a milestone, it waits for an owner's confirmation."""
    awaiting = milestone is not None
    with transaction.atomic():
        delivery = Delivery.objects.create(
            statement=statement, created_by=user, milestone=milestone,
            status=Delivery.Status.AWAITING if awaiting else Delivery.Status.PREPARING,
            public_names=public_names, sent_by=None if awaiting else user,
        )  # fmt: skip
        Recipient.objects.bulk_create(
            Recipient(
                delivery=delivery,
                addressee=addressee,
                name=addressee.name,
                role=addressee.role,
                institution=addressee.institution,
                email=addressee.email,
                language=language,
            )  # fmt: skip
            for addressee, language in recipients
        )
        log_action(
            delivery, "deliveries.delivery.created", user=user,
            actor_label="" if user else "milestone",
            data={"recipients": len(recipients), "milestone": milestone.signatures
                  if milestone else None},
        )  # fmt: skip
        if not awaiting:
            job_enqueue(kind=PREPARE_DELIVERY, payload={"delivery_id": delivery.pk})
    return delivery


def delivery_confirm(*, delivery: Delivery, user: AbstractBaseUser) -> None:
    """An owner sends a delivery a milestone made."""
    with transaction.atomic():
        if not Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.AWAITING).update(
            status=Delivery.Status.PREPARING, sent_by=user
        ):
            return
        log_action(delivery, "deliveries.delivery.confirmed", user=user)
        job_enqueue(kind=PREPARE_DELIVERY, payload={"delivery_id": delivery.pk})


def delivery_discard(*, delivery: Delivery, user: AbstractBaseUser) -> None:
    with transaction.atomic():
        if Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.AWAITING).update(
            status=Delivery.Status.DISCARDED, finished=timezone.now()
        ):
            log_action(delivery, "deliveries.delivery.discarded", user=user)


def delivery_prepare(*, delivery_id: int) -> None:
    """The worker's part: the files in each recipient's language, one signed manifest for all,
    then the recipients are released to `recipients_take`. Run again after a crash, it makes
    the files again (the list may have grown) before anything was sent."""
    delivery = Delivery.objects.select_related("statement").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PREPARING:
        return
    statement = delivery.statement
    out = folder(delivery)
    out.mkdir(parents=True, exist_ok=True)
    languages = sorted(set(delivery.recipients.values_list("language", flat=True)))
    addressees = [r.label for r in delivery.recipients.all()] if delivery.public_names else None
    files: list[Path] = []
    entries: list[dict] = []
    for language in languages:
        for fmt in ("pdf", "csv"):
            path = out / f"{statement.slug}-{language}.{fmt}"
            write_export(statement=statement, fmt=fmt, scope="public", language=language,
                         out=path, texts=[language], addressees=addressees)  # fmt: skip
            files.append(path)
            entries.append({"name": path.name, "language": language, "format": fmt})
    signed = write_manifest(statement, scope="public", files=files,
                            out=out / manifest_name(delivery))  # fmt: skip
    for entry, listed in zip(entries, signed["files"], strict=True):
        entry |= {"sha256": listed["sha256"], "bytes": listed["bytes"]}
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PREPARING).update(
            status=Delivery.Status.SENDING,
            texts={t["language"]: t["version"] for t in signed["texts"]},
            counts=signed["counts"]
            | {
                "individuals": signed["counts"]["individuals_named"]
                + signed["counts"]["individuals_unnamed"]
            },
            files=entries,
            manifest=(out / manifest_name(delivery)).read_text(),
            sent=timezone.now(),
        )
        if updated:
            log_action(delivery, "deliveries.delivery.prepared", data={"files": entries})


def manifest_name(delivery: Delivery) -> str:
    return f"{delivery.statement.slug}-delivery-{delivery.pk}.manifest.json"


def file_token(delivery: Delivery, name: str) -> str:
    """The unguessable part of a delivered file's address (for files too large to attach)."""
    return salted_hmac("deliveries:file", f"{delivery.pk}:{name}").hexdigest()[:32]


def file_token_valid(delivery: Delivery, name: str, token: str) -> bool:
    return constant_time_compare(file_token(delivery, name), token)


def send_window() -> timedelta:
    """How long one email may take to hand over (connect, send, answer): past it, a recipient
    still `sending` was cut off by a worker that died."""
    return timedelta(seconds=2 * (getattr(settings, "EMAIL_TIMEOUT", None) or 30) + 5)


def recipients_take(*, limit: int = TAKE) -> int:
    """A worker source: mark recipients cut off by a dead worker `interrupted`, then send up to
    `limit` queued recipients of deliveries being sent their email, one by one; the number
    sent (or failed)."""
    now = timezone.now()
    cut_off = Recipient.objects.filter(status=Recipient.Status.SENDING, sending_until__lt=now)
    for recipient in cut_off.select_related("delivery"):
        if Recipient.objects.filter(pk=recipient.pk, status=Recipient.Status.SENDING).update(
            status=Recipient.Status.INTERRUPTED,
            answer="the worker stopped while handing this email over: it may have arrived",
        ):
            log_action(recipient.delivery, "deliveries.recipient.interrupted",
                       data={"recipient": recipient.pk})  # fmt: skip
            _finish_if_done(recipient.delivery_id)
    taken = 0
    while taken < limit:
        claimed = _claim_one()
        if claimed is None:
            break
        _send(claimed)
        taken += 1
    return taken


def _claim_one() -> Recipient | None:
    """Mark the next queued recipient `sending`, committed before its email goes: one at a
    time, so a worker killed mid-delivery leaves at most one recipient in doubt."""
    now = timezone.now()
    waiting = (
        Recipient.objects.filter(
            status=Recipient.Status.QUEUED, delivery__status=Delivery.Status.SENDING
        )
        .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
        .order_by("id")
    )
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    with transaction.atomic():
        first = waiting.first()
        if first is None:
            return None
        Recipient.objects.filter(pk=first.pk).update(
            status=Recipient.Status.SENDING,
            sending_until=now + send_window(),
            attempts=F("attempts") + 1,
        )
    return Recipient.objects.select_related("delivery__statement").get(pk=first.pk)


def _send(recipient: Recipient) -> None:
    delivery = recipient.delivery
    message = delivery_message(recipient)
    try:
        get_connection(fail_silently=False).send_messages([message])
    except smtplib.SMTPRecipientsRefused as refused:
        code, text = next(iter(refused.recipients.values()))
        _failed(recipient, code, text)
    except smtplib.SMTPResponseException as error:
        _failed(recipient, error.smtp_code, error.smtp_error)
    except (smtplib.SMTPException, OSError) as error:
        _failed(recipient, 0, str(error).encode())
    else:
        Recipient.objects.filter(pk=recipient.pk).update(
            status=Recipient.Status.SENT, sent=timezone.now(), sending_until=None,
            message_id=message.extra_headers["Message-ID"], answer="250",
        )  # fmt: skip
        log_action(delivery, "deliveries.recipient.sent", data={"recipient": recipient.pk})
        # The statement page says "Delivered to …": its cached renderings are now stale.
        Statement.objects.filter(pk=delivery.statement_id).update(updated=timezone.now())
    _finish_if_done(delivery.pk)


def _failed(recipient: Recipient, code: int, text: bytes | str) -> None:
    """A permanent refusal (5xx) fails the recipient at once; anything else is tried again with
    back-off, MAX_ATTEMPTS times."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    answer = f"{code} {text}".strip()[:500] if code else text[:500]
    permanent = 500 <= code < 600 or recipient.attempts >= MAX_ATTEMPTS
    later = timezone.now() + timedelta(seconds=30 * 4**recipient.attempts)
    Recipient.objects.filter(pk=recipient.pk).update(
        status=Recipient.Status.FAILED if permanent else Recipient.Status.QUEUED,
        answer=answer,
        sending_until=None,
        run_after=None if permanent else later,
    )  # fmt: skip
    if permanent:
        log_action(recipient.delivery, "deliveries.recipient.failed",
                   data={"recipient": recipient.pk, "answer": answer})  # fmt: skip
    logger.warning("delivery %s to recipient %s: %s", recipient.delivery_id, recipient.pk, answer)


def _finish_if_done(delivery_id: int) -> None:
    """Once no recipient waits, the delivery is done, and signers who asked are told."""
    open_ = Recipient.objects.filter(
        delivery_id=delivery_id, status__in=[Recipient.Status.QUEUED, Recipient.Status.SENDING]
    )
    if open_.exists():
        return
    with transaction.atomic():
        if Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.DONE, finished=timezone.now()
        ):
            if Recipient.objects.filter(delivery_id=delivery_id, status="sent").exists():
                job_enqueue(kind=NOTIFY_SIGNERS, payload={"delivery_id": delivery_id})


def recipient_retry(*, recipient: Recipient, user: AbstractBaseUser) -> bool:
    """An owner sends a failed or interrupted email again."""
    with transaction.atomic():
        retried = Recipient.objects.filter(
            pk=recipient.pk, status__in=[Recipient.Status.FAILED, Recipient.Status.INTERRUPTED]
        ).update(status=Recipient.Status.QUEUED, run_after=None, attempts=0)
        if not retried:
            return False
        Delivery.objects.filter(pk=recipient.delivery_id, status=Delivery.Status.DONE).update(
            status=Delivery.Status.SENDING, finished=None
        )
        log_action(recipient.delivery, "deliveries.recipient.retried", user=user,
                   data={"recipient": recipient.pk})  # fmt: skip
    return True


def delivery_message(recipient: Recipient) -> EmailMessage:
    """The addressee's email, in their language: the letter's text, the counts, the live list's
    address, and the letter (PDF), the list (CSV) and the manifest attached, or linked when the
    two files together are over DELIVERY_ATTACH_MAX_BYTES."""
    delivery = recipient.delivery
    statement = delivery.statement
    language = recipient.language
    files = [f for f in delivery.files if f["language"] == language]
    attach = sum(f["bytes"] for f in files) <= settings.DELIVERY_ATTACH_MAX_BYTES
    with translation.override(language):
        text = statement_text_for(statement, language).text  # type: ignore[union-attr]
        links = [
            absolute_url(reverse("delivered_file", kwargs={
                "pk": delivery.pk, "token": file_token(delivery, f["name"]), "name": f["name"]}))
            for f in files
        ] if not attach else []  # fmt: skip
        context = {
            "recipient": recipient,
            "statement": statement,
            "text": text,
            "counts": delivery.counts,
            "list_url": absolute_url(
                reverse("signatures:statement", kwargs={"slug": statement.slug})
            )
            + "#organizations-heading",
            "verify_url": absolute_url(reverse("verify")),
            "key_url": absolute_url(reverse("export_key")),
            "links": links,
            "attached": attach,
        }
        subject = " ".join(
            str(render_to_string("deliveries/email/delivery_subject.txt", context)).split()
        )
        body = render_to_string("deliveries/email/delivery.txt", context)
    message = EmailMessage(
        subject=subject, body=body, to=[recipient.email],
        reply_to=[statement.contact_email] if statement.contact_email else None,
        headers={"Message-ID": recipient.message_id or make_msgid(domain=_domain())},
    )  # fmt: skip
    base = folder(delivery)
    if attach:
        for f in files:
            mime = "application/pdf" if f["format"] == "pdf" else "text/csv"
            message.attach(f["name"], (base / f["name"]).read_bytes(), mime)
    message.attach(manifest_name(delivery), delivery.manifest.encode(), "application/json")
    return message


def _domain() -> str:
    return settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def milestone_add(*, statement: Statement, user: AbstractBaseUser, signatures: int) -> Milestone:
    milestone, created = Milestone.objects.get_or_create(
        statement=statement, signatures=signatures, defaults={"created_by": user}
    )
    if created:
        log_action(statement, "deliveries.milestone.added", user=user,
                   data={"signatures": signatures})  # fmt: skip
    return milestone


def milestone_remove(*, milestone: Milestone, user: AbstractBaseUser) -> None:
    log_action(milestone.statement, "deliveries.milestone.removed", user=user,
               data={"signatures": milestone.signatures})  # fmt: skip
    milestone.delete()


def milestones_check() -> int:
    """Make the delivery of every milestone the list has reached (once), to every addressee
    with an email, each in their language; it waits for an owner's confirmation. The number
    made."""
    made = 0
    for milestone in Milestone.objects.filter(reached__isnull=True).select_related("statement"):
        tally = tally_for(milestone.statement)
        if tally.organizations + tally.individuals < milestone.signatures:
            continue
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, reached__isnull=True).update(
                reached=timezone.now()
            ):
                continue
            addressees = list(milestone.statement.addressees.exclude(email=""))
            delivery_create(
                statement=milestone.statement, user=None, milestone=milestone,
                recipients=[(a, a.language) for a in addressees], public_names=False,
            )  # fmt: skip
            made += 1
    return made
