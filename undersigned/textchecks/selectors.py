"""The text check as coordinators read it: each finding with its label, the line it is on with
the words marked, and its acknowledgment."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from undersigned.statements.models import Statement
from undersigned.textchecks.findings import Finding
from undersigned.textchecks.models import Acknowledgment
from undersigned.textchecks.services import statement_findings

KIND_LABELS = {
    "placeholder_link": _("Placeholder link"),
    "unsourced_figure": _("Figure without a source"),
    "malformed_date": _("Impossible date"),
    "placeholder_text": _("Placeholder text"),
    "figure_mismatch": _("Figures differ between languages"),
    "broken_link": _("Link that does not answer"),
}


@dataclass
class Shown:
    finding: Finding
    acknowledgment: Acknowledgment | None
    label: str
    language_name: str
    # The line split around the excerpt (before, excerpt, after), when it is found there.
    marked: tuple[str, str, str] | None
    error: str = ""
    reason: str = ""


def _marked(line: str, excerpt: str) -> tuple[str, str, str] | None:
    at = line.find(excerpt.rstrip("…"))
    if at < 0 or not excerpt:
        return None
    end = at + len(excerpt.rstrip("…"))
    return line[:at], line[at:end], line[end:]


def findings_for(statement: Statement, language: str) -> list[Shown]:
    """The findings on one language's text (figure mismatches included), as the editor
    shows them."""
    names = dict(settings.LANGUAGES)
    bodies = {t.language: t.body.split("\n") for t in statement.texts.all()}
    shown = []
    for reviewed in statement_findings(statement):
        finding = reviewed.finding
        if finding.language != language:
            continue
        lines = bodies.get(finding.language, [])
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        shown.append(
            Shown(
                finding=finding,
                acknowledgment=reviewed.acknowledgment,
                label=str(KIND_LABELS[finding.kind]),
                language_name=str(names.get(finding.language, finding.language)),
                marked=_marked(line, finding.excerpt),
            )
        )
    return shown
