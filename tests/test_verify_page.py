"""The public page /<lang>/verify/ (issue 19): anyone uploads a manifest and files and learns
whether each is genuine and unaltered, in the page's language; oversized uploads are refused,
and nothing is stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.deliveries.services import export_statement
from undersigned.signatures.services import statement_list_refresh


@pytest.fixture
def exported(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    sign_and_confirm(statement, organization(name="Friends of the Library", country="FR"))
    statement_list_refresh(statement_id=statement.pk)
    out = tmp_path / "list.csv"
    manifest = export_statement(statement=statement, fmt="csv", scope="public", language="en",
                                out=out)  # fmt: skip
    return statement, out, manifest


def upload(client, language, manifest: bytes, *files: tuple[str, bytes]):
    return client.post(
        f"/{language}/verify/",
        {
            "manifest": SimpleUploadedFile("list.csv.manifest.json", manifest),
            "files": [SimpleUploadedFile(name, content) for name, content in files],
        },
    )


def stored_files(root: Path) -> set[Path]:
    return {Path(folder, name) for folder, _dirs, names in os.walk(root) for name in names}


@pytest.mark.django_db
def test_anyone_checks_files_against_their_manifest(client, exported, tmp_path, settings):
    statement, out, manifest = exported
    before = stored_files(settings.DATA_DIR)
    page = client.get("/en/verify/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    # Genuine, even renamed after download.
    response = upload(client, "en", manifest.read_bytes(), ("renamed.csv", out.read_bytes()))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Every file is genuine and unaltered." in body and statement.reference in body
    # One byte changed.
    altered = bytearray(out.read_bytes())
    altered[-2] ^= 1
    body = upload(client, "en", manifest.read_bytes(), ("list.csv", bytes(altered))).content
    assert "altered: its SHA-256 differs" in body.decode()
    # A manifest edited by one byte, in Arabic: the message is in Arabic.
    edited = manifest.read_bytes().replace(b'"organizations": 1', b'"organizations": 2')
    body = upload(client, "ar", edited, ("list.csv", out.read_bytes())).content.decode()
    assert "لا يمكن الوثوق بالبيان" in body
    # JSON nested deeper than any manifest (a parser's recursion): a clear answer, no 500.
    body = upload(client, "en", b"[" * 500_000, ("list.csv", out.read_bytes())).content
    assert "not an export manifest" in body.decode()
    # Junk where the manifest goes.
    body = upload(client, "fr", b"\x00\xff" * 10, ("list.csv", out.read_bytes())).content
    assert "pas un manifeste" in body.decode()
    # Nothing was written anywhere.
    assert stored_files(settings.DATA_DIR) == before


@pytest.mark.django_db
def test_missing_or_oversized_uploads_get_a_clear_error(client, exported, settings):
    _statement, out, manifest = exported
    response = client.post("/en/verify/", {})
    body = response.content.decode()
    assert response.status_code == 200 and body.count("This field is required.") == 2
    body = upload(client, "en", b"{" + b" " * (1 << 20), ("list.csv", b"x")).content.decode()
    assert "larger than a manifest can be" in body
    settings.VERIFY_MAX_BYTES = 4096
    body = upload(client, "en", manifest.read_bytes(), ("big.csv", b"x" * 5000)).content.decode()
    assert "big.csv is larger than 4.0" in body
    many = [(f"f{n}.csv", b"x") for n in range(6)]
    body = upload(client, "en", manifest.read_bytes(), *many).content.decode()
    assert "Choose at most 5 files." in body
    # A body over the page's limit is refused before anything reads it.
    response = client.post("/en/verify/", data=b"x" * (4096 + 2 * (1 << 20)),
                           content_type="application/octet-stream")  # fmt: skip
    assert response.status_code == 413
