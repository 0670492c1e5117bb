"""Every state change of a statement or its texts."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.core.recent import forget_on_commit
from undersigned.core.sanitize import markdown_to_safe_html
from undersigned.statements.models import Statement, StatementText, TextRevision


def text_version(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()[:16]


@transaction.atomic
def statement_text_save(
    *, text: StatementText, user: AbstractBaseUser | None = None
) -> StatementText:
    """Render and sanitize the body, record the revision, save, and audit a change."""
    text.body_html = markdown_to_safe_html(text.body)
    old_version = text.version
    text.version = text_version(text.title, text.body)
    text.save()
    TextRevision.objects.get_or_create(
        statement=text.statement,
        language=text.language,
        version=text.version,
        defaults={"title": text.title, "body": text.body},
    )
    # Public pages and caches key on the statement's `updated`: a text change is a change.
    Statement.objects.filter(pk=text.statement_id).update(updated=timezone.now())
    forget_on_commit()
    if old_version != text.version:
        log_action(
            text.statement,
            "statements.text.changed",
            user=user,
            data={"language": text.language, "from": old_version, "to": text.version},
        )
    return text


@transaction.atomic
def statement_set_state(
    *, statement: Statement, state: str, user: AbstractBaseUser | None = None, reason: str = ""
) -> Statement:
    if state not in Statement.State.values:
        raise ValueError(f"unknown state {state!r}")
    if statement.state == state:
        return statement
    old = statement.state
    statement.state = state
    statement.closed_at = timezone.now() if state == Statement.State.CLOSED else None
    statement.save(update_fields=["state", "closed_at", "updated"])
    forget_on_commit()
    log_action(
        statement,
        f"statements.statement.{state}",
        user=user,
        reason=reason,
        data={"from": old, "to": state},
    )
    return statement


@transaction.atomic
def statement_create(
    *,
    slug: str,
    texts: dict[str, tuple[str, str]],
    user: AbstractBaseUser | None = None,
    **fields,
) -> Statement:
    """Create a statement with one (title, body) per language code."""
    statement = Statement(slug=slug, **fields)
    statement.full_clean()
    statement.save()
    forget_on_commit()
    for language, (title, body) in texts.items():
        statement_text_save(
            text=StatementText(statement=statement, language=language, title=title, body=body),
            user=user,
        )
    log_action(
        statement, "statements.statement.created", user=user, data={"state": statement.state}
    )
    return statement


@transaction.atomic
def statement_set_paused(
    *, statement: Statement, paused: bool, user: AbstractBaseUser | None = None, reason: str = ""
) -> Statement:
    """Pause or resume signing on one statement (an emergency brake, e.g. under abuse)."""
    if statement.signing_paused == paused:
        return statement
    statement.signing_paused = paused
    statement.save(update_fields=["signing_paused", "updated"])
    forget_on_commit()
    log_action(
        statement,
        f"statements.statement.{'paused' if paused else 'resumed'}",
        user=user,
        reason=reason,
    )
    return statement
