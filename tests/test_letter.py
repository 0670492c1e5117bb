"""The print-ready letter (issue 19): a PDF made by WeasyPrint that holds the reference, the
date, the addressees, the text in the chosen languages and every name on the list, Arabic
shaped and right to left, with "page X of Y" on every page and the table headings repeated.
Read back with pypdf."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.deliveries import letter
from undersigned.deliveries.manifest import verify
from undersigned.deliveries.services import export_statement
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Addressee

from .test_exports import INJECTIONS, SAFE

INVISIBLE = dict.fromkeys(map(ord, "\u00a0\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                   "\u2066\u2067\u2068\u2069\ufeff"), " ")  # fmt: skip


DIRECTION_MARKS = set("\u200e\u200f\u202a\u202b\u202d\u202e\u2066\u2067\u2068")


def plain(text: str) -> str:
    """Text without invisible marks, every run of white space one space."""
    return " ".join(text.translate(INVISIBLE).split())


def pages_of(pdf: Path) -> list[str]:
    """Each page's text, as pypdf reads it (in logical order, Arabic included)."""
    return [page.extract_text() for page in PdfReader(pdf).pages]


def page_size(pdf: Path) -> tuple[int, int]:
    """The first page's width and height in points; every page is checked to be the same."""
    sizes = {(round(p.mediabox.width), round(p.mediabox.height)) for p in PdfReader(pdf).pages}
    assert len(sizes) == 1
    return sizes.pop()


@pytest.fixture
def signed(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    for name in INJECTIONS + SAFE:
        sign_and_confirm(statement, organization(name=name, country="EG"))
    sign_and_confirm(statement, individual(name="Ana Kovač", affiliation="جامعة القاهرة"))
    sign_and_confirm(statement, individual(name="سارة المصري", country="EG"))
    sign_and_confirm(statement, individual(name="Hidden One", show_name=False))
    sign(statement, organization(name="Still Pending"))
    Addressee.objects.create(statement=statement, name="Minister of Culture",
                             institution="Ministry of Culture", language="en")  # fmt: skip
    statement_list_refresh(statement_id=statement.pk)
    return statement


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_letter_holds_the_text_and_every_name_with_page_numbers(signed, tmp_path, language):
    out = tmp_path / f"letter-{language}.pdf"
    export_statement(statement=signed, fmt="pdf", scope="public", language=language, out=out,
                     texts=["en", "ar"])  # fmt: skip
    pages = pages_of(out)
    whole = plain(" ".join(pages))
    for name in INJECTIONS + SAFE + ["Ana Kovač", "سارة المصري", "جامعة القاهرة"]:
        # A name with a direction mark is shown as the mark orders it (the text is read in the
        # order on the page): "\u200f+1 Theta" reads "1+ Theta", as a browser shows it.
        assert plain(name) in whole or (
            DIRECTION_MARKS & set(name) and all(w in whole for w in re.findall(r"\w+", name))
        ), name
    assert "Hidden One" not in whole and "Still Pending" not in whole
    # Both texts, the reference, the addressee; headings and countries in the letter's language.
    assert "We ask for clean water." in whole and "نطالب بمياه نظيفة." in whole
    assert signed.reference in whole and "Minister of Culture" in whole
    assert plain("Signatories" if language == "en" else "الموقّعون") in whole
    assert ("Egypt" if language == "en" else "مصر") in whole
    # Every page says which it is, of how many; the count is the PDF's own. (The footer is
    # read in the order it is laid out; in Arabic, numbers and words come out of order.)
    word = "page" if language == "en" else "صفحة"
    for number, text in enumerate(pages, 1):
        footer = plain(text.strip().splitlines()[-1]).replace(signed.reference, "")
        assert word in footer, footer
        assert sorted(map(int, re.findall(r"\d+", footer))) == sorted([number, len(pages)])
    assert page_size(out) == (595, 842)  # A4


@pytest.mark.django_db
def test_a_long_list_is_laid_out_in_parts_that_join_without_a_gap(settings, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    """Parts of 40 rows (the real size is 1,000): every number appears once, in order, each list
    page repeats the table's heading, and no page is left half empty where two parts meet."""
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setattr(letter, "PART_ROWS", 40)
    statement = make_statement()
    for n in range(1, 131):
        sign_and_confirm(statement, individual(name=f"Reader {n:03d}", country="FR"))
    statement_list_refresh(statement_id=statement.pk)
    out = tmp_path / "long.pdf"
    export_statement(statement=statement, fmt="pdf", scope="public", language="en", out=out,
                     paper="letter")  # fmt: skip
    pages = pages_of(out)
    found = [int(n) for n in re.findall(r"Reader (\d{3})", " ".join(pages))]
    assert found == list(range(1, 131))
    list_pages = [p for p in pages if "Reader" in p]
    assert len(list_pages) >= 3
    assert all("No." in p and "Country" in p for p in list_pages)
    # A full page holds the same number of rows wherever the parts meet.
    per_page = [len(re.findall(r"Reader \d{3}", p)) for p in list_pages[1:-1]]
    assert len(set(per_page)) == 1, per_page
    assert page_size(out) == (612, 792)  # US Letter


@pytest.mark.django_db
def test_an_empty_statement_makes_a_letter_without_a_list(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    out = tmp_path / "empty.pdf"
    export_statement(statement=statement, fmt="pdf", scope="public", language="en", out=out)
    whole = plain(" ".join(pages_of(out)))
    assert "Nobody is on the list yet." in whole and "page 1 of 1" in whole


@pytest.mark.django_db
def test_the_command_writes_the_letter_and_its_manifest(signed, tmp_path, capsys):
    out = tmp_path / "letter.pdf"
    call_command(
        "export_statement",
        signed.slug,
        "--format",
        "pdf",
        "--language",
        "ar",
        "--texts",
        "ar",
        "--paper",
        "letter",
        "--scope",
        "owner",
        "--out",
        str(out),
    )
    manifest_path = tmp_path / "letter.pdf.manifest.json"
    assert verify(manifest_path.read_bytes(), {out.name: out})[0].ok
    whole = plain(" ".join(pages_of(out)))
    assert "نطالب بمياه نظيفة" in whole and "We ask for clean water." not in whole
    with pytest.raises(Exception, match="no text in"):
        call_command("export_statement", signed.slug, "--format", "pdf", "--texts", "xx",
                     "--out", str(out))  # fmt: skip
