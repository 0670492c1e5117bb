"""The text check of a statement: its findings, acknowledging one, and checking its links."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.jobs.services import job_enqueue
from undersigned.statements.models import Statement, StatementText
from undersigned.textchecks.check import check_texts
from undersigned.textchecks.document import parse
from undersigned.textchecks.findings import Finding
from undersigned.textchecks.kinds.broken_link import Answer, allowed_networks, fetch, web_links
from undersigned.textchecks.models import Acknowledgment, LinkAnswer

CHECK_LINKS = "textchecks.check_links"
# The most links one statement's check fetches, and how many at once (each is bounded in time
# by broken_link.DEADLINE_SECONDS, so a check takes at most about 50 / 8 × 10 s).
LINKS_MAX = 50
FETCHES_AT_ONCE = 8


@dataclass(frozen=True)
class Reviewed:
    finding: Finding
    acknowledgment: Acknowledgment | None


def _texts(statement: Statement) -> dict[str, str]:
    """{language: body}, the first language first (the source of figure_mismatch)."""
    texts = sorted(
        StatementText.objects.filter(statement=statement),
        key=lambda t: (t.language != statement.default_language, t.language),
    )
    return {t.language: t.body for t in texts}


def statement_findings(statement: Statement) -> list[Reviewed]:
    """Every finding on the statement's texts as saved, each with its acknowledgment."""
    answers = {
        a.url: Answer(a.ok, a.reason) for a in LinkAnswer.objects.filter(statement=statement)
    }
    acknowledged = {
        (a.language, a.kind, a.excerpt): a
        for a in Acknowledgment.objects.filter(statement=statement)
    }
    return [
        Reviewed(f, acknowledged.get((f.language, f.kind, f.excerpt)))
        for f in check_texts(_texts(statement), answers=answers)
    ]


def open_findings(statement: Statement) -> list[Finding]:
    """The findings neither fixed nor acknowledged."""
    return [r.finding for r in statement_findings(statement) if r.acknowledgment is None]


class UnknownFinding(Exception):
    """The finding is no longer in the text (fixed meanwhile)."""


@transaction.atomic
def finding_acknowledge(
    *,
    statement: Statement,
    language: str,
    kind: str,
    excerpt: str,
    reason: str,
    user: AbstractBaseUser,
) -> Acknowledgment:
    """Record that a finding is not a mistake, and why (audited)."""
    current = {
        (r.finding.language, r.finding.kind, r.finding.excerpt)
        for r in statement_findings(statement)
    }
    if (language, kind, excerpt) not in current:
        raise UnknownFinding()
    acknowledgment, _created = Acknowledgment.objects.update_or_create(
        statement=statement,
        language=language,
        kind=kind,
        excerpt=excerpt,
        defaults={"reason": reason, "user": user},
    )
    log_action(
        statement,
        "textchecks.finding.acknowledged",
        user=user,
        reason=reason,
        data={"language": language, "kind": kind, "excerpt": excerpt},
    )
    return acknowledgment


def on_text_saved(sender, *, text: StatementText, **kwargs) -> None:
    """After a text is saved: the worker checks its links (never the request), when it has
    any, or had some whose answers are kept."""
    if "http" in text.body or LinkAnswer.objects.filter(statement_id=text.statement_id).exists():
        links_check_enqueue(statement_id=text.statement_id)


def links_check_enqueue(*, statement_id: int) -> None:
    job_enqueue(
        kind=CHECK_LINKS, payload={"statement_id": statement_id}, key=f"statement:{statement_id}"
    )


def links_check(*, statement_id: int) -> int:
    """Fetch every web link of the statement's texts and record how each answered; forget the
    answers of links no longer in the texts. How many links were fetched."""
    statement = Statement.objects.filter(pk=statement_id).first()
    if statement is None:
        return 0
    urls: list[str] = []
    for language, body in _texts(statement).items():
        for url, _line, _text in web_links(parse(body, language)):
            if url not in urls:
                urls.append(url)
    urls = urls[:LINKS_MAX]
    allowed = allowed_networks()
    with ThreadPoolExecutor(max_workers=FETCHES_AT_ONCE) as pool:
        answers = list(pool.map(lambda url: fetch(url, allowed=allowed), urls))
    for url, answer in zip(urls, answers, strict=True):
        LinkAnswer.objects.update_or_create(
            statement=statement,
            url=url[:2000],
            defaults={"ok": answer.ok, "reason": answer.reason[:60], "checked": timezone.now()},
        )
    LinkAnswer.objects.filter(statement=statement).exclude(url__in=urls).delete()
    return len(urls)
