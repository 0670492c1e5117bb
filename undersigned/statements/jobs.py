"""The invitation email, sent by the worker in the language the owner chose for it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from undersigned.jobs.registry import register
from undersigned.statements.models import Invitation
from undersigned.statements.services import INVITATION_EMAIL, invitation_token


@register(INVITATION_EMAIL)
def send_invitation(payload: dict[str, Any]) -> None:
    invitation = (
        Invitation.objects.select_related("statement", "invited_by")
        .prefetch_related("statement__texts")
        .filter(pk=payload["invitation_id"], accepted__isnull=True, revoked__isnull=True)
        .first()
    )
    if invitation is None:
        return
    with translation.override(invitation.language):
        path = reverse("workspace:invitation", kwargs={"token": invitation_token(invitation)})
        texts = {t.language: t for t in invitation.statement.texts.all()}
        text = texts.get(invitation.language) or texts.get(invitation.statement.default_language)
        context = {
            "invitation": invitation,
            "title": text.title if text else invitation.statement.slug,
            "inviter": invitation.invited_by.get_username() if invitation.invited_by else "",
            "role": invitation.get_role_display(),
            "link": settings.BASE_URL + path,
        }
        subject = render_to_string("statements/email/invitation_subject.txt", context).strip()
        body = render_to_string("statements/email/invitation.txt", context)
    EmailMessage(subject, body, to=[invitation.email]).send()
