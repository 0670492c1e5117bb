"""The worker's part of deliveries: exports, preparing a delivery, sending to its recipients (a
source, like the signing submissions), milestones, and telling signers who asked."""

from __future__ import annotations

from typing import Any

from undersigned.deliveries import sending, updates
from undersigned.deliveries.services import MAKE_EXPORT, export_make
from undersigned.jobs.registry import register, register_source


@register(MAKE_EXPORT)
def make_export(payload: dict[str, Any]) -> None:
    export_make(export_id=payload["export_id"])


@register(sending.PREPARE_DELIVERY)
def prepare_delivery(payload: dict[str, Any]) -> None:
    sending.delivery_prepare(delivery_id=payload["delivery_id"])


register_source(sending.recipients_take)


@register("deliveries.milestones", every=60)
def milestones(payload: dict[str, Any]) -> None:
    sending.milestones_check()


@register(sending.NOTIFY_SIGNERS)
def notify_signers(payload: dict[str, Any]) -> None:
    updates.signers_notify_batch(delivery_id=payload["delivery_id"], after=payload.get("after", 0))
