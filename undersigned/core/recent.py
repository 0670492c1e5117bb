"""Answers that every request asks the database for (which version of this statement is
current? is signing paused? its counts?), kept in this process for
`UNDERSIGNED_STATE_CACHE_MS`.

Under a surge these small reads were half of the database's statements per signature. A change
made through a service clears this process's copy at once; other processes see it within the
cache time (one second by default; 0 turns the cache off). Nothing that decides whether a
signature is stored or counted is read from here but the pause switch and a statement's state,
where a second's delay is what a pause or a close already takes to reach every open form.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction

T = TypeVar("T")
_MAX_KEYS = 4096
_values: dict[tuple, tuple[float, object]] = {}


def recent(key: tuple, load: Callable[[], T]) -> T:
    """`load()`, or its value from less than the cache time ago."""
    seconds = settings.STATE_CACHE_MS / 1000
    if seconds <= 0:
        return load()
    now = time.monotonic()
    hit = _values.get(key)
    if hit is not None and now - hit[0] < seconds:
        return hit[1]  # type: ignore[return-value]
    value = load()
    if len(_values) >= _MAX_KEYS:
        _values.clear()
    _values[key] = (now, value)
    return value


def forget() -> None:
    """Drop every kept answer (after a change made in this process)."""
    _values.clear()


def forget_on_commit() -> None:
    """Drop the kept answers now and once the current transaction commits (a request in
    between would keep the old answer again)."""
    forget()
    transaction.on_commit(forget)
