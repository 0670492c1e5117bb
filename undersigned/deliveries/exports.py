"""A statement's list as files: CSV, XLSX and JSON, with the same columns and rows.

Rows are the entries on the public list today (published and named), organizations first, in
list order, read in chunks so a list of any length is written in bounded memory. The public
scope holds only what the public pages show; the owner scope adds each organization's contact
person, role and email. An individual's email is never exported."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import defusedcsv.csv as safe_csv
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from undersigned.signatures.models import Signature
from undersigned.statements.models import Statement

SCOPES = ("public", "owner")
FORMATS = ("csv", "xlsx", "json", "pdf")  # PDF: letter.py
CHUNK = 2000

# Column keys, in order; their headings are translated into the export's language.
COLUMNS = [
    "number", "kind", "name", "acronym", "country_code", "country", "affiliation", "website",
    "domain_confirmed", "initial", "text_language", "text_version", "signed", "source",
]  # fmt: skip
OWNER_COLUMNS = ["contact_name", "contact_role", "contact_email"]


def headings() -> dict[str, str]:
    return {
        "number": _("No."),
        "kind": _("Kind"),
        "name": _("Name"),
        "acronym": _("Acronym"),
        "country_code": _("Country code"),
        "country": _("Country"),
        "affiliation": _("Affiliation"),
        "website": _("Website"),
        "domain_confirmed": _("Confirmed from the organization's domain"),
        "initial": _("Initial signatory"),
        "text_language": _("Language of the text signed"),
        "text_version": _("Version of the text signed"),
        "signed": _("Date signed"),
        "source": _("Source"),
        "contact_name": _("Contact person"),
        "contact_role": _("Contact person's role"),
        "contact_email": _("Email"),
    }


def columns(scope: str) -> list[str]:
    return COLUMNS + (OWNER_COLUMNS if scope == "owner" else [])


def listed(statement: Statement):
    """The entries on the public list today, organizations first, in list order."""
    return Signature.objects.filter(
        statement=statement,
        status=Signature.Status.PUBLISHED,
        show_name=True,
        position__isnull=False,
    ).order_by("-kind", "position", "id")  # "organization" sorts after "individual"


_FIELDS = (
    "position", "kind", "name", "acronym", "country", "affiliation", "website",
    "domain_confirmed", "initial", "text_language", "text_version", "confirmed_at", "created",
    "import_batch_id", "contact_name", "contact_role", "email",
)  # fmt: skip


def rows(
    statement: Statement, scope: str, language: str, progress=None
) -> Iterator[dict[str, str]]:
    """Each entry as {column: text}, in the export's language; `progress(n)` is told every
    CHUNK rows. Rows are read as tuples and every translated word is looked up once, not once
    a row: 100,000 rows take seconds (bench/export_timing.py)."""
    done = 0
    owner = scope == "owner"
    with translation.override(language):
        yes, no = _("yes"), _("no")
        kinds = {k: str(label) for k, label in Signature.Kind.choices}
        country_names = {code: str(name) for code, name in countries}
        online = _("signed online")
        batches: dict[int, str] = {}
        for (position, kind, name, acronym, country, affiliation, website, domain_confirmed,
             initial, text_language, text_version, confirmed_at, created, batch_id,
             contact_name, contact_role, email) in listed(statement).values_list(
                *_FIELDS).iterator(chunk_size=CHUNK):  # fmt: skip
            if batch_id and batch_id not in batches:
                batches[batch_id] = _("import %(batch)s") % {"batch": batch_id}
            row = {
                "number": str(position),
                "kind": kinds[kind],
                "kind_code": kind,  # not a column: what the letter groups by
                "name": name,
                "acronym": acronym,
                "country_code": country or "",
                "country": country_names.get(country, "") if country else "",
                "affiliation": affiliation,
                "website": website,
                "domain_confirmed": yes if domain_confirmed else no,
                "initial": yes if initial else no,
                "text_language": text_language,
                "text_version": text_version,
                "signed": (confirmed_at or created).date().isoformat(),
                "source": batches[batch_id] if batch_id else online,
            }
            if owner:
                organization = kind == Signature.Kind.ORGANIZATION
                row |= {
                    "contact_name": contact_name if organization else "",
                    "contact_role": contact_role if organization else "",
                    # An individual's email is never exported (README, privacy).
                    "contact_email": email if organization else "",
                }
            yield row
            done += 1
            if progress is not None and done % CHUNK == 0:
                progress(done)


# Cells a spreadsheet would run as a formula (OWASP, CSV injection): starting with = + - @, a
# tab or a carriage return, also after leading spaces or invisible direction marks.
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_INVISIBLE = (
    " \u00a0\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff"
)


def defuse(cell: str) -> str:
    """A cell as text no spreadsheet runs: a quote in front of a formula (OWASP's rule, for
    the cases defusedcsv leaves, such as a formula after spaces or a direction mark)."""
    if cell.startswith(_TRIGGERS) or cell.lstrip(_INVISIBLE).startswith(_TRIGGERS):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Written:
    name: str
    size: int


def write_csv(handle: IO[bytes], statement: Statement, scope: str, language: str,
              bom: bool = False, progress=None) -> None:  # fmt: skip
    text = io.TextIOWrapper(handle, encoding="utf-8-sig" if bom else "utf-8", newline="")
    writer = safe_csv.writer(text, quoting=csv.QUOTE_MINIMAL)
    keys = columns(scope)
    with translation.override(language):
        names = headings()
        writer.writerow([names[k] for k in keys])
    for row in rows(statement, scope, language, progress):
        writer.writerow([defuse(row[k]) for k in keys])
    text.flush()
    text.detach()


def write_xlsx(handle: IO[bytes], statement: Statement, scope: str, language: str,
               progress=None) -> None:  # fmt: skip
    """Every cell stored as text: a name that looks like a formula or a number stays a name."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    keys = columns(scope)

    def text_row(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.number_format = "@"
            cells.append(cell)
        return cells

    with translation.override(language):
        names = headings()
        sheet.title = _("Signatories")
    sheet.append(text_row([names[k] for k in keys]))
    for row in rows(statement, scope, language, progress):
        sheet.append(text_row([row[k] for k in keys]))
    book.save(handle)


def write_json(handle: IO[bytes], statement: Statement, scope: str, language: str,
               progress=None) -> None:  # fmt: skip
    """`{"statement": …, "columns": […], "entries": [{column: text}, …]}`, written as it goes
    (docs/export.schema.json)."""
    keys = columns(scope)
    head = {
        "statement": statement.slug,
        "reference": statement.reference,
        "language": language,
        "scope": scope,
        "columns": keys,
    }
    handle.write(json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "entries": [')
    first = True
    for row in rows(statement, scope, language, progress):
        handle.write((b"" if first else b",") + b"\n" + json.dumps(
            {k: row[k] for k in keys}, ensure_ascii=False).encode())  # fmt: skip
        first = False
    handle.write(b"\n]}\n")
