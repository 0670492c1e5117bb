"""Links that prove access to a mailbox: `<signature id>-<HMAC of (purpose, id, nonce)>`.

Only the random nonce (128 bits) is stored; a leaked database does not yield working links
without the secret key. Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from undersigned.core.numbers import ascii_int


def new_nonce() -> str:
    return secrets.token_hex(16)


def make_token(*, purpose: str, signature_id: int, nonce: str) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{signature_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return f"{signature_id}-{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def token_signature_id(token: str) -> int | None:
    head, sep, _ = token.partition("-")
    return ascii_int(head, max_digits=18) if sep else None


def token_matches(*, token: str, purpose: str, signature_id: int, nonce: str) -> bool:
    if not nonce:
        return False
    expected = make_token(purpose=purpose, signature_id=signature_id, nonce=nonce)
    return hmac.compare_digest(expected.encode(), token.encode())
