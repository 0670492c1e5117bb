"""Atom feeds, in the reader's language: the open statements, and each public statement's
text changes and deliveries. Built on Django's syndication framework; they show what the public
pages show."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from undersigned.deliveries.selectors import public_deliveries
from undersigned.statements.models import Statement
from undersigned.statements.selectors import (
    open_statements,
    public_revisions,
    public_statement_get,
    statement_text_for,
)

ITEMS = 50


def _title(statement: Statement) -> str:
    choice = statement_text_for(statement, get_language())
    return choice.text.title if choice else statement.slug


class OpenStatementsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Statements open for signing")

    def link(self) -> str:
        return reverse("signatures:home")

    def subtitle(self) -> str:
        return _("Joint statements and open letters with a verified list of signatories.")

    def items(self):
        return list(open_statements().order_by("-created")[:ITEMS])

    def item_title(self, item: Statement) -> str:
        return _title(item)

    def item_description(self, item: Statement) -> str:
        return _("Reference: %(reference)s") % {"reference": item.reference}

    def item_link(self, item: Statement) -> str:
        return reverse("signatures:statement", kwargs={"slug": item.slug})

    def item_updateddate(self, item: Statement) -> datetime:
        return item.updated

    def item_pubdate(self, item: Statement) -> datetime:
        return item.opens_at or item.created


class StatementFeed(Feed):
    """One statement's news: each public version of its texts, and each delivery."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Statement:
        return public_statement_get(slug=slug)

    def title(self, obj: Statement) -> str:
        return _("News of “%(title)s”") % {"title": _title(obj)}

    def link(self, obj: Statement) -> str:
        return reverse("signatures:statement", kwargs={"slug": obj.slug})

    def items(self, obj: Statement) -> list[dict]:
        news = []
        history = reverse("signatures:history", kwargs={"slug": obj.slug})
        for language, revisions in public_revisions(obj).items():
            for revision in revisions:
                news.append({
                    "id": f"urn:undersigned:{obj.slug}:text:{revision.pk}",
                    "title": _("Text (%(language)s), version %(version)s") % {
                        "language": language, "version": revision.version},
                    "description": revision.note or revision.title,
                    "link": f"{history}?to={revision.pk}",
                    "date": revision.public_since,
                })  # fmt: skip
        for n, delivery in enumerate(public_deliveries(obj), 1):
            to = "; ".join(delivery.names) or ngettext(
                "%(count)s addressee", "%(count)s addressees", delivery.addressees
            ) % {"count": delivery.addressees}
            news.append({
                "id": f"urn:undersigned:{obj.slug}:delivery:{n}",
                "title": _("Delivered to %(to)s") % {"to": to},
                "description": _("With %(organizations)s organizations and %(individuals)s "
                                 "individuals.") % {"organizations": delivery.organizations,
                                                    "individuals": delivery.individuals},
                "link": reverse("signatures:statement", kwargs={"slug": obj.slug}),
                "date": delivery.sent,
            })  # fmt: skip
        return sorted(news, key=lambda item: item["date"] or timezone.now(), reverse=True)[:ITEMS]

    def item_title(self, item: dict) -> str:
        return item["title"]

    def item_description(self, item: dict) -> str:
        return item["description"]

    def item_link(self, item: dict) -> str:
        return item["link"]

    def item_guid(self, item: dict) -> str:
        return item["id"]

    def item_pubdate(self, item: dict) -> datetime:
        return item["date"]
