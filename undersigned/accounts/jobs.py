"""The password reset email, sent by the worker in the language the person asked in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from undersigned.accounts.services import PASSWORD_RESET_EMAIL
from undersigned.jobs.registry import register


@register(PASSWORD_RESET_EMAIL)
def send_password_reset(payload: dict) -> None:
    user = get_user_model().objects.filter(pk=payload["user_id"], is_active=True).first()
    if user is None or not user.email:
        return
    with translation.override(payload.get("language") or settings.LANGUAGE_CODE):
        # The token is made now: it changes with the password, so the link works once.
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {"user": user, "link": settings.BASE_URL + path}
        subject = render_to_string("accounts/email/password_reset_subject.txt", context).strip()
        body = render_to_string("accounts/email/password_reset.txt", context)
    EmailMessage(subject, body, to=[user.email]).send()
