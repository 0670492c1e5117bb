"""Site-wide switches: read on every signing request, flipped by moderators with an audit entry."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from undersigned.core.audit import log_action
from undersigned.core.models import Switch
from undersigned.core.recent import forget_on_commit, recent

_READ_SQL = f"SELECT is_on FROM {Switch._meta.db_table} WHERE name = %s"  # noqa: S608


def _read(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_READ_SQL, [name])
        row = cursor.fetchone()
    return bool(row and row[0])


def switch_is_on(name: str) -> bool:
    # Plain SQL, kept for a moment (core/recent.py): this runs on every signing request.
    return recent(("switch", name), lambda: _read(name))


@transaction.atomic
def switch_set(*, name: str, on: bool, user: AbstractBaseUser | None, reason: str = "") -> Switch:
    switch, _ = Switch.objects.select_for_update().get_or_create(name=name)
    if switch.is_on != on:
        switch.is_on = on
        switch.save(update_fields=["is_on", "updated"])
        log_action(switch, f"core.switch.{'on' if on else 'off'}", user=user, reason=reason)
        forget_on_commit()
    return switch
