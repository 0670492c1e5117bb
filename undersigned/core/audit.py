"""The audit log: every state change of a statement or a signature writes one entry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from undersigned.core.db import insert_one
from undersigned.core.models import AuditEntry


def audit_entry(
    obj: models.Model,
    action: str,
    *,
    user: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry for one state change, unsaved (for writing many at once)."""
    actor = user if user is not None and user.is_authenticated else None
    return AuditEntry(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        actor=actor,
        actor_label=actor_label or ("user" if actor else "system"),
        reason=reason,
        data=data or {},
    )


def log_action(obj: models.Model, action: str, **details: Any) -> AuditEntry:
    """Write the entry of one state change (`details`: those of `audit_entry`)."""
    return insert_one(audit_entry(obj, action, **details))


def entries_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)
