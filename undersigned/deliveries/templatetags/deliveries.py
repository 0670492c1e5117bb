"""`{% delivered statement %}`: the statement page's "Delivered to … on DATE with N
organizations and M individuals", one line per delivery that reached someone. Addressees are
named only where the owner chose so; otherwise they are counted."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join

from undersigned.deliveries.models import Delivery, Recipient

register = template.Library()


@register.inclusion_tag("deliveries/_delivered.html")
def delivered(statement) -> dict:
    deliveries = Delivery.objects.filter(
        statement=statement, status__in=[Delivery.Status.SENDING, Delivery.Status.DONE]
    ).order_by("sent", "pk")
    lines = []
    for delivery in deliveries:
        sent = list(delivery.recipients.filter(status=Recipient.Status.SENT).order_by("sent"))
        if not sent:
            continue
        lines.append(
            {
                # Each name isolated, so a name in another script keeps its own direction.
                "names": format_html_join("; ", "<bdi>{}</bdi>", ((r.label,) for r in sent))
                if delivery.public_names
                else "",
                "count": len(sent),
                "date": sent[0].sent,
                "organizations": delivery.counts.get("organizations", 0),
                "individuals": delivery.counts.get("individuals", 0),
            }
        )
    return {"lines": lines}
