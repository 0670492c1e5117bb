"""What the public may know of deliveries: the one reader for the statement page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from undersigned.deliveries.models import Delivery, Recipient
from undersigned.statements.models import Statement


@dataclass(frozen=True)
class PublicDelivery:
    sent: datetime  # when the first addressee got it
    addressees: int
    names: list[str]  # empty unless the owner chose to name them
    organizations: int
    individuals: int
    texts: dict[str, str]  # language: version


def public_deliveries(statement: Statement) -> list[PublicDelivery]:
    """Deliveries that reached at least one addressee, oldest first."""
    found = []
    deliveries = Delivery.objects.filter(
        statement=statement, status__in=[Delivery.Status.SENDING, Delivery.Status.DONE]
    ).order_by("sent", "pk")
    for delivery in deliveries:
        sent = list(delivery.recipients.filter(status=Recipient.Status.SENT).order_by("sent"))
        if not sent:
            continue
        found.append(
            PublicDelivery(
                sent=sent[0].sent or delivery.created,
                addressees=len(sent),
                names=[r.label for r in sent] if delivery.public_names else [],
                organizations=delivery.counts.get("organizations", 0),
                individuals=delivery.counts.get("individuals", 0),
                texts=dict(delivery.texts),
            )
        )
    return found
