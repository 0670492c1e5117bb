"""The print-ready letter (PDF, WeasyPrint): the reference, the date, the addressees, the text
in one or more languages, then the signatories, organizations numbered with their country,
then individuals.

WeasyPrint lays a whole document out in memory, and its time and memory grow faster than the
list. So the list is laid out in parts of PART_ROWS rows. Every row carries an id; after a
part is laid out, its last page's anchors say which rows it holds, that page is dropped, and
the next part starts with its first row. The parts therefore join without a gap, and each
table's heading repeats on every page. The pages are then joined (pypdf), and "page X of Y",
which only the whole knows, is stamped on each page from a document of numbered blank pages.
10,000 entries take about half a minute in under 200 MB (bench/export_timing.py)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import IO

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from undersigned.core.bidi import text_direction
from undersigned.deliveries.exports import rows
from undersigned.signatures.selectors import tally_for
from undersigned.statements.models import Statement

PAPERS = {"a4": "A4", "letter": "letter"}
PART_ROWS = 1000
# Fonts from Debian's packages (bin/start and bin/test install them): DejaVu for Latin, Greek
# and Cyrillic, Amiri for Arabic, Droid Sans Fallback for Chinese, Japanese and Korean.
FONTS = '"DejaVu Sans", "Amiri", "Droid Sans Fallback", sans-serif'

_STYLE = """
@page { size: %(paper)s; margin: 20mm 18mm 22mm; }
html { font-family: %(fonts)s; font-size: 10pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 6mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; }
.meta { margin: 0 0 1mm; }
.addressees { margin: 2mm 0 4mm; padding-inline-start: 5mm; }
.text { margin-bottom: 6mm; }
.text + .text { break-before: page; }
table { width: 100%%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: start; vertical-align: top; padding: 0.8mm 1.5mm;
         border-bottom: 0.4pt solid #999; overflow-wrap: anywhere; }
th { border-bottom: 0.8pt solid #000; }
td.name { text-align: %(start)s; }
col.number { width: 16mm; }
col.country { width: 38mm; }
"""
_FOOTER = """
@page { size: %(paper)s; margin: 20mm 18mm 22mm;
  @bottom-center { content: %(content)s; font-family: %(fonts)s; font-size: 8.5pt; } }
html { direction: %(direction)s; }
div { break-after: page; }
div:last-child { break-after: auto; }
"""


def write_pdf(handle: IO[bytes], statement: Statement, scope: str, language: str,
              progress=None, *, paper: str = "a4", texts: Iterable[str] = (),
              addressees: Iterable[str] | None = None) -> None:  # fmt: skip
    """The letter in `language` (headings, dates, countries), with the statement's text in
    each of `texts` (its languages; by default the export's language, or the statement's own),
    addressed to `addressees` (names; by default every addressee of the statement)."""
    from weasyprint import CSS, HTML  # here: the rest of the site runs without Pango

    with translation.override(language):
        style = CSS(
            string=_STYLE
            % {
                "paper": PAPERS[paper],
                "fonts": FONTS,
                "start": "right" if get_language_bidi() else "left",
            }
        )
        entries = [
            {key: row[key] for key in ("number", "kind_code", "name", "acronym", "country",
                                       "affiliation", "contact_name", "contact_email")
             if key in row}
            for row in rows(statement, scope, language, progress)
        ]  # fmt: skip
        head = _head(statement, language, texts, addressees)
        opening: dict[str, int] = {}
        for index, entry in enumerate(entries):
            opening.setdefault(entry["kind_code"], index)
        writer = PdfWriter()
        start, first = 0, True
        while first or start < len(entries):
            part = entries[start : start + PART_ROWS]
            html = render_to_string(
                "deliveries/letter.html",
                head | {"first": first, "start": start, "scope": scope,
                        "groups": _groups(part, start, opening)},
            )  # fmt: skip
            document = HTML(string=html, base_url=None).render(stylesheets=[style])
            pages = document.pages
            end = start + len(part)
            if end < len(entries) and len(pages) > 1:
                on_last = [int(a[1:]) for a in pages[-1].anchors if a.startswith("r")]
                if on_last and min(on_last) > start:
                    pages, end = pages[:-1], min(on_last)
            writer.append(PdfReader(io.BytesIO(document.copy(pages).write_pdf())))
            start, first = end, False
        _number_pages(writer, paper, statement)
        writer.write(handle)


def _head(statement: Statement, language: str, texts: Iterable[str], addressees) -> dict:
    available = {t.language: t for t in statement.texts.all()}
    chosen = [available[code] for code in texts if code in available]
    if not chosen:
        fallback = language if language in available else statement.default_language
        chosen = [available[fallback]] if fallback in available else list(available.values())[:1]
    if addressees is None:
        addressees = [a.label for a in statement.addressees.order_by("id")]
    tally = tally_for(statement)
    return {
        "statement": statement,
        "language": language,
        "direction": "rtl" if get_language_bidi() else "ltr",
        "texts": [
            {
                "language": t.language,
                "title": t.title,
                "html": t.body_html,
                "direction": "rtl" if translation.get_language_info(t.language)["bidi"] else "ltr",
            }
            for t in chosen
        ],  # fmt: skip
        "addressees": list(addressees),
        "date": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        "tally": tally,
    }


def _groups(part: list[dict], start: int, opening: dict[str, int]) -> list[dict]:
    """The part's rows by kind (organizations come first), each with its index in the whole
    list, which becomes its id; a group that starts its kind's list opens with its heading."""
    groups: list[dict] = []
    for offset, entry in enumerate(part, start):
        kind = entry["kind_code"]
        if not groups or groups[-1]["kind"] != kind:
            groups.append({"kind": kind, "rows": [], "opens": opening[kind] == offset})
        entry["dir"] = text_direction(entry["name"])
        entry["affiliation_dir"] = text_direction(entry.get("affiliation", ""))
        groups[-1]["rows"].append((offset, entry))
    return groups


def _number_pages(writer: PdfWriter, paper: str, statement: Statement) -> None:
    """Stamp "reference · page X of Y" at the foot of every page."""
    from weasyprint import CSS, HTML

    label = _("%(reference)s · page %(page)s of %(pages)s")
    content = " ".join(_css_content(label, statement.reference))
    footer = HTML(string="<html><body>" + "<div></div>" * len(writer.pages) + "</body></html>")
    stamp = footer.render(stylesheets=[CSS(string=_FOOTER % {
        "paper": PAPERS[paper], "content": content, "fonts": FONTS,
        "direction": "rtl" if get_language_bidi() else "ltr",
    })]).write_pdf()  # fmt: skip
    for page, numbers in zip(writer.pages, PdfReader(io.BytesIO(stamp)).pages, strict=True):
        page.merge_page(numbers)


def _css_content(label: str, reference: str) -> list[str]:
    """A translated "… %(page)s of %(pages)s" as the tokens of a CSS `content` value."""
    values = {"reference": _css_string(reference), "page": "counter(page)",
              "pages": "counter(pages)"}  # fmt: skip
    return [
        values[piece] if n % 2 else _css_string(piece)
        for n, piece in enumerate(re.split(r"%\((reference|page|pages)\)s", label))
        if piece
    ]


def _css_string(text: str) -> str:
    """`text` as a CSS string, every character but letters, digits and spaces escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
