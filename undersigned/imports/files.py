"""Files people send as signatory lists: plain text in whatever encoding, CSV, or XLSX.

`read_list` turns bytes into a `Parsed` list or raises `UnreadableList` with a message for the
owner; it never raises anything else on any input."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as DefusedET
from django.conf import settings
from django.utils.translation import gettext as _
from django_countries import countries

from undersigned.core.countries import country_code, fold
from undersigned.core.numbers import ascii_int
from undersigned.imports.parser import (
    INDIVIDUAL,
    MAX_ENTRIES,
    MAX_LINE_CHARS,
    ORGANIZATION,
    Parsed,
    entry_from,
    parse_text,
)


class UnreadableList(ValueError):
    """The file cannot be read as a list; `message` says why, in the page's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


HEADERS = {
    "name": {
        "name", "names", "organization", "organisation", "organization name", "signatory",
        "signatories", "nom", "organisme", "signataire", "nombre", "organizacion", "firmante",
        "الاسم", "المنظمة", "الموقع",
    },
    "acronym": {"acronym", "abbreviation", "sigle", "acronyme", "sigla", "siglas", "acronimo"},
    "country": {"country", "pays", "pais", "البلد", "الدولة"},
    "kind": {"type", "kind", "tipo", "النوع"},
    "number": {"no", "n", "nº", "n°", "#", "number", "numero", "num", "الرقم"},
}  # fmt: skip


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding used): UTF-8, then UTF-16 with a byte-order mark, then cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text, encoding
    raise UnreadableList(
        _(
            "This file is not text we can read (we tried UTF-8, UTF-16 with a byte-order mark "
            "and Windows-1252). Save it as UTF-8 text, CSV or XLSX."
        )
    )


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return controls > 0


def too_big_message() -> str:
    return _("The list is larger than %(size)d kB. Split it and import it in parts.") % {
        "size": settings.IMPORT_MAX_BYTES // 1024
    }


def read_list(data: bytes, filename: str = "", *, max_entries: int = MAX_ENTRIES) -> Parsed:
    if not data or not data.strip():
        raise UnreadableList(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise UnreadableList(too_big_message())
    name = filename.lower()
    if name.endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        parsed = _from_rows(_xlsx_rows(data), max_entries=max_entries)
        parsed.encoding = "xlsx"
    else:
        text, encoding = decode(data)
        if name.endswith((".csv", ".tsv")):
            parsed = _from_rows(_csv_rows(text), max_entries=max_entries)
        else:
            parsed = parse_text(text, max_entries=max_entries)
        parsed.encoding = encoding
    return check_parsed(parsed)


def check_parsed(parsed: Parsed) -> Parsed:
    """A list with no names in it, or with more than the import takes, is refused, whatever it
    came from."""
    if parsed.over_limit is not None:
        raise UnreadableList(
            _(
                "This list has more than %(max)d entries: one import takes at most that many. "
                "Split it."
            )
            % {"max": parsed.over_limit}
        )
    if any(note.code == "long_line" for note in parsed.notes):
        raise UnreadableList(
            _("Some lines are too long to be names (over %(n)d characters): is this a list?")
            % {"n": MAX_LINE_CHARS}
        )
    if not parsed.entries:
        raise UnreadableList(_("No names were found in this list."))
    return parsed


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as error:
        raise UnreadableList(
            _("This CSV file cannot be read: %(error)s") % {"error": error}
        ) from None


# What an XLSX list may hold once unpacked. A list of a thousand names is well under 1 MB; the
# limits stop a small file that unpacks to gigabytes (one huge or millions of tiny strings).
XLSX_MAX_UNPACKED_BYTES = 8 * 1024 * 1024
XLSX_MAX_PARTS = 200
XLSX_MAX_ROWS = 10_000


def _unreadable_spreadsheet(reason: str) -> UnreadableList:
    return UnreadableList(
        _("This spreadsheet cannot be read: %(reason)s Save it again as XLSX or CSV.")
        % {"reason": reason}
    )


def _check_xlsx(data: bytes) -> None:
    """Refuse an XLSX before openpyxl unpacks it: too many parts, too much data once unpacked
    (the sizes the archive declares: reading stops there, and a part that holds more fails its
    checksum), or an XML part with a document type declaration (entities, external
    references)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        if len(parts) > XLSX_MAX_PARTS:
            raise _unreadable_spreadsheet(_("it has too many parts."))
        if sum(part.file_size for part in parts) > XLSX_MAX_UNPACKED_BYTES:
            raise _unreadable_spreadsheet(
                _("it holds more than %(mb)d MB once unpacked.")
                % {"mb": XLSX_MAX_UNPACKED_BYTES // (1024 * 1024)}
            )
        for part in parts:
            if part.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(part) as stream:
                    # The declaration can only come before the first element.
                    next(iter(DefusedET.iterparse(stream, events=("start",), forbid_dtd=True)))
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise _unreadable_spreadsheet(
            _("it declares a document type (DTD), which a list never needs.")
        ) from None
    except UnreadableList:
        raise
    except Exception:  # not a zip, a broken part, bad XML: all the same to the owner
        raise _unreadable_spreadsheet(_("it is damaged or not an XLSX file.")) from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    _check_xlsx(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True, max_row=XLSX_MAX_ROWS)
        ]
        book.close()
    except Exception:  # whatever openpyxl raises on a file that passed the checks above
        raise _unreadable_spreadsheet(_("it is damaged or not an XLSX file.")) from None
    return [row for row in rows if any(cell.strip() for cell in row)]


def _columns(header: list[str]) -> dict[str, int] | None:
    found = {}
    for index, cell in enumerate(header):
        key = fold(cell)
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    return found if "name" in found else None


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _from_rows(rows: list[list[str]], *, max_entries: int = MAX_ENTRIES) -> Parsed:
    """Entries from a table: a header row names the columns (name, acronym, country, type,
    number); without one, the first column holds the names."""
    if not rows:
        return Parsed()
    columns = _columns(rows[0])
    body = rows[1:] if columns else rows
    columns = columns or {"name": 0}
    parsed = Parsed()
    for line, row in enumerate(body, start=2 if len(body) < len(rows) else 1):
        if parsed.over_limit is not None:
            break
        cells = {column: _cell(row, index) for column, index in columns.items()}

        def cell(column: str, cells=cells) -> str:
            return cells.get(column, "")

        raw = cell("name")
        if len(raw) > MAX_LINE_CHARS:
            raise UnreadableList(
                _("Some lines are too long to be names (over %(n)d characters): is this a list?")
                % {"n": MAX_LINE_CHARS}
            )
        if not any(ch.isalpha() for ch in raw):
            continue
        number = cell("number")
        kind_cell = fold(cell("kind"))
        section = None
        if kind_cell[:3] in ("ind", "per", "par", "فرد"):
            section = INDIVIDUAL
        elif kind_cell[:3] in ("org", "ass", "ong", "ngo", "منظ"):
            section = ORGANIZATION
        entry = entry_from(
            raw,
            number=ascii_int(number, max_digits=5),
            line=line,
            section=section,
        )
        if section == ORGANIZATION and entry.kind == INDIVIDUAL:
            entry.kind = ORGANIZATION
            entry.notes = [n for n in entry.notes if n.code != "person"]
        if cell("acronym"):
            entry.acronym = cell("acronym")[:30]
        if cell("country"):
            code = cell("country").upper()
            entry.country = country_code(cell("country")) or (
                code if code in countries else entry.country
            )
        parsed.add(entry, limit=max_entries)
    return parsed.finish()
