"""Links that prove access to a mailbox: `<signature id>-<HMAC of (purpose, id, nonce)>`.

Only the random nonce (128 bits) is stored; a leaked database does not yield working links
without the secret key. Comparison is constant-time. The HMAC is Django's `salted_hmac` with
the current key; a link made with a key listed in UNDERSIGNED_SECRET_KEY_FALLBACKS still works,
so the key can be rotated without breaking the links in flight.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

from undersigned.core.numbers import ascii_int


def new_nonce() -> str:
    return secrets.token_hex(16)


_SALT = "undersigned.signatures.token"


def _mac(purpose: str, signature_id: int, nonce: str, secret: str) -> bytes:
    value = f"{purpose}:{signature_id}:{nonce}"
    return salted_hmac(_SALT, value, secret=secret, algorithm="sha256").digest()


def _legacy_mac(purpose: str, signature_id: int, nonce: str, secret: str) -> bytes:
    """Links mailed before salted_hmac (a plain HMAC keyed with the secret): they expire
    within UNDERSIGNED_CONFIRMATION_TTL_HOURS of the upgrade, and this can go then."""
    value = f"{purpose}:{signature_id}:{nonce}".encode()
    return hmac.new(secret.encode(), value, hashlib.sha256).digest()


def _encode(signature_id: int, mac: bytes) -> str:
    return f"{signature_id}-{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def make_token(*, purpose: str, signature_id: int, nonce: str) -> str:
    return _encode(signature_id, _mac(purpose, signature_id, nonce, settings.SECRET_KEY))


def token_signature_id(token: str) -> int | None:
    head, sep, _ = token.partition("-")
    return ascii_int(head, max_digits=18) if sep else None


def token_matches(*, token: str, purpose: str, signature_id: int, nonce: str) -> bool:
    """Whether `token` is this signature's link for `purpose`, made with the current secret key
    or one of its fallbacks."""
    if not nonce:
        return False
    found = False
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        for mac in (_mac, _legacy_mac):
            expected = _encode(signature_id, mac(purpose, signature_id, nonce, secret))
            found |= hmac.compare_digest(expected.encode(), token.encode())
    return found
