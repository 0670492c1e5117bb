"""Background jobs of moderation."""

from __future__ import annotations

from typing import Any

from undersigned.jobs.registry import register
from undersigned.signatures.pow import surge_watch_run


@register("moderation.surge_watch", every=60)
def surge_watch(payload: dict[str, Any]) -> None:
    surge_watch_run()
