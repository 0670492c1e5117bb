"""Owner API tokens: made, checked, revoked. The token is "us_" and 43 random characters; the
database keeps its SHA-256 and its first characters (to tell tokens apart), never the token."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from undersigned.api.models import ApiToken
from undersigned.core.audit import log_action
from undersigned.statements.models import Statement

PREFIX = "us_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, statement: Statement, user: Any, name: str,
                 scopes: list[str]) -> tuple[ApiToken, str]:  # fmt: skip
    """A new token and its secret, which is shown once and kept nowhere."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        statement=statement, created_by=user, name=name, scopes=sorted(set(scopes)),
        digest=_digest(secret), prefix=secret[:10],
    )  # fmt: skip
    log_action(statement, "api.token.created", user=user,
               data={"token": token.pk, "name": name, "scopes": token.scopes})  # fmt: skip
    return token, secret


def token_revoke(*, token: ApiToken, user: AbstractBaseUser) -> None:
    if ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=timezone.now()):
        log_action(token.statement, "api.token.revoked", user=user, data={"token": token.pk})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer us_…` with the scope the operation names; every use audited."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token.startswith(PREFIX) or len(token) > 100:
            return None
        found = (
            ApiToken.objects.select_related("statement")
            .filter(digest=_digest(token), revoked__isnull=True)
            .first()
        )
        if found is None or self.scope not in found.scopes:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        log_action(
            found.statement, "api.token.used", actor_label=f"token {found.prefix}",
            data={"token": found.pk, "scope": self.scope, "method": request.method,
                  "path": request.path[:200]},
        )  # fmt: skip
        return found
