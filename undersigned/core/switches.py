"""Site-wide switches: read on every signing request, flipped by moderators with an audit entry."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from undersigned.core.audit import log_action
from undersigned.core.models import Switch

_READ_SQL = "SELECT is_on FROM core_switch WHERE name = %s"


def switch_is_on(name: str) -> bool:
    # Plain SQL: this runs on every signing request.
    with connection.cursor() as cursor:
        cursor.execute(_READ_SQL, [name])
        row = cursor.fetchone()
    return bool(row and row[0])


@transaction.atomic
def switch_set(*, name: str, on: bool, user: AbstractBaseUser | None, reason: str = "") -> Switch:
    switch, _ = Switch.objects.select_for_update().get_or_create(name=name)
    if switch.is_on != on:
        switch.is_on = on
        switch.save(update_fields=["is_on", "updated"])
        log_action(switch, f"core.switch.{'on' if on else 'off'}", user=user, reason=reason)
    return switch
