"""Exports made by the worker."""

from __future__ import annotations

from typing import Any

from undersigned.deliveries.services import MAKE_EXPORT, export_make
from undersigned.jobs.registry import register


@register(MAKE_EXPORT)
def make_export(payload: dict[str, Any]) -> None:
    export_make(export_id=payload["export_id"])
