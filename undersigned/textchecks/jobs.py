"""The link check: run by the worker after a text is saved."""

from __future__ import annotations

from typing import Any

from undersigned.jobs.registry import register
from undersigned.textchecks.services import CHECK_LINKS, links_check


@register(CHECK_LINKS, coalesce=True)
def check_links(payload: dict[str, Any]) -> None:
    links_check(statement_id=payload["statement_id"])
