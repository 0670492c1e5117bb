"""`{% delivered statement %}`: the statement page's "Delivered to … on DATE with N
organizations and M individuals", one line per delivery that reached someone. Addressees are
named only where the owner chose so; otherwise they are counted."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join

from undersigned.deliveries.selectors import public_deliveries

register = template.Library()


@register.inclusion_tag("deliveries/_delivered.html")
def delivered(statement) -> dict:
    return {
        "lines": [
            {
                # Each name isolated, so a name in another script keeps its own direction.
                "names": format_html_join("; ", "<bdi>{}</bdi>", ((name,) for name in d.names)),
                "count": d.addressees,
                "date": d.sent,
                "organizations": d.organizations,
                "individuals": d.individuals,
            }
            for d in public_deliveries(statement)
        ]
    }
