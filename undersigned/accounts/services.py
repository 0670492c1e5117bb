"""Signing in, the second factor and password resets: every change here is audited.

A coordinator may add a second factor (a TOTP authenticator app, with django-otp) and gets ten
single-use recovery codes, shown once and stored as keyed hashes. With
UNDERSIGNED_REQUIRE_TWO_FACTOR=True every coordinator must have one before the dashboard or the
admin opens (middleware.py)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersigned.accounts.models import RecoveryCode
from undersigned.core.audit import log_action
from undersigned.jobs.services import job_enqueue

PASSWORD_RESET_EMAIL = "accounts.password_reset_email"
RECOVERY_CODES = 10
_RECOVERY_SALT = "undersigned.accounts.recovery-code"


def login_record(*, user: User, second_factor: str = "") -> None:
    log_action(user, "accounts.user.logged_in", user=user, data={"second_factor": second_factor})


def login_failure_record(*, user: User, step: str) -> None:
    """A wrong password or code for an existing account (axes counts them; this keeps them)."""
    log_action(user, "accounts.user.login_failed", actor_label="system", data={"step": step})


def two_factor_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def two_factor_start(*, user: User) -> TOTPDevice:
    """A new authenticator key, not yet in force: it is once the user types a code from it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _code_hash(code: str, secret: str | None = None) -> str:
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return salted_hmac(_RECOVERY_SALT, plain, secret=secret, algorithm="sha256").hexdigest()


def _code_hashes(code: str) -> list[str]:
    """The code's hash under the current key and each fallback (a rotated key)."""
    return [_code_hash(code, s) for s in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


@transaction.atomic
def recovery_codes_new(*, user: User) -> list[str]:
    """Ten new recovery codes (the old ones stop working), to be shown once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_code_hash(c)) for c in codes
    )
    log_action(user, "accounts.recovery_codes.created", user=user, data={"count": len(codes)})
    return codes


@transaction.atomic
def two_factor_confirm(*, user: User, token: str) -> list[str] | None:
    """Put the pending authenticator key in force if `token` comes from it; the recovery codes
    to show, or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log_action(user, "accounts.two_factor.enabled", user=user)
    return recovery_codes_new(user=user)


def two_factor_check(*, user: User, code: str) -> tuple[TOTPDevice | None, str]:
    """The user's device and how `code` proved it ("totp" or "recovery_code"); (None, "") for
    a wrong code. django-otp slows down repeated wrong codes on the device; a recovery code is
    spent by the same statement that checks it."""
    device = two_factor_device(user)
    if device is None:
        return None, ""
    token = code.strip().replace(" ", "")
    if token.isdigit() and device.verify_token(token):
        return device, "totp"
    spent = RecoveryCode.objects.filter(
        user=user, code_hash__in=_code_hashes(code), used__isnull=True
    ).update(used=timezone.now())
    if spent:
        log_action(user, "accounts.recovery_code.used", user=user)
        return device, "recovery_code"
    return None, ""


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    log_action(user, "accounts.two_factor.disabled", user=user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used__isnull=True).count()


@transaction.atomic
def password_reset_request(*, users: list[User], language: str) -> None:
    """Queue the reset email of each account of the address (none: nothing, and the page the
    person sees is the same)."""
    for user in users:
        job_enqueue(kind=PASSWORD_RESET_EMAIL, payload={"user_id": user.pk, "language": language})
        log_action(user, "accounts.password.reset_requested", actor_label="system")


def password_reset_record(*, user: User) -> None:
    from axes.utils import reset

    reset(username=user.get_username())  # a reset password is a fresh start for the account
    log_action(user, "accounts.password.reset", user=user)
