"""Job kinds and their handlers. Apps register handlers in their `AppConfig.ready()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]
_handlers: dict[str, Handler] = {}
_coalescing: set[str] = set()
_batched: set[str] = set()
_every: dict[str, int] = {}
_sources: list[Callable[..., int]] = []

PERIODIC_KEY = "periodic"


def register(
    kind: str, *, coalesce: bool = False, batch: bool = False, every: int | None = None
) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind. It is called with the job's payload; with `batch`,
    with the list of payloads of all the jobs of that kind claimed together (e.g. one query and
    one mail connection for many emails). With `coalesce`, a run of a job also satisfies every
    job of the same kind and key that was queued before it started (e.g. many "refresh this
    statement's list" jobs need one refresh). With `every` (seconds), the kind is periodic: the
    worker keeps one job of it queued, and each run queues the next (payload {})."""

    def decorate(func: Handler) -> Handler:
        if kind in _handlers and _handlers[kind] is not func:
            raise RuntimeError(f"job kind {kind!r} registered twice")
        _handlers[kind] = func
        if coalesce:
            _coalescing.add(kind)
        if batch:
            _batched.add(kind)
        if every:
            _every[kind] = every
            _coalescing.add(kind)  # two workers starting at once queue it twice: one run
        return func

    return decorate


def handler_for(kind: str) -> Handler:
    return _handlers[kind]


def coalesces(kind: str) -> bool:
    return kind in _coalescing


def batched(kind: str) -> bool:
    return kind in _batched


def periodic_kinds() -> dict[str, int]:
    return dict(_every)


def register_source(func: Callable[..., int]) -> Callable[..., int]:
    """Register a queue an app keeps in a table of its own (e.g. signing submissions). The
    worker calls `func(limit=n)` before it claims jobs, so what the source turns into jobs runs
    in the same turn; it returns how many rows it took (0 when none waits)."""
    if func not in _sources:
        _sources.append(func)
    return func


def sources() -> list[Callable[..., int]]:
    return list(_sources)
