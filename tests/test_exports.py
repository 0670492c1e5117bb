"""Exports of a statement's list and their signed manifests (issue 19, parts 1 and 2): CSV
safe against formula injection, XLSX with every cell text, JSON valid against its schema, the
public and owner scopes, the manifest and its tamper cases, the commands, and the workspace's
export (a worker job) for owners only."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.deliveries import manifest
from undersigned.deliveries.exports import defuse
from undersigned.deliveries.manifest import ManifestProblem, verify
from undersigned.deliveries.services import export_statement
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Membership
from undersigned.statements.services import statement_settings_save

from .test_statement_workspace import account

SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "docs" / "export.schema.json").read_text()
)
# Names a spreadsheet would run, and names in every script with direction marks: each must come
# out intact (after the one quote a dangerous cell gets) and never as a formula.
# (Each a different name: two organizations of the same name would wait for review.)
INJECTIONS = [
    "=1+1 Alpha", "=HYPERLINK(\"http://x.example\",\"click\")", "+SUM(A1:A9) Beta",
    "-2+3 Gamma", "@SUM(A1) Delta", " =cmd|' /C calc'!A0", "\t=1+1 Epsilon", "\u00a0=1+1 Zeta",
    "\u200f+1 Theta", "\ufeff@x Iota", "=IMPORTXML(A1,\"//a\") Kappa",
    "Workers' Union =1",
]  # fmt: skip
SAFE = [
    "جمعية أصدقاء المكتبة",
    "Lucía Fernández",
    "Société ‎Québec‎",
    "株式会社テスト",
    "O'Brien & Co.",
]


@pytest.fixture
def listed(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    for name in INJECTIONS + SAFE:
        sign_and_confirm(statement, organization(name=name, country="FR"))
    person = sign_and_confirm(statement, individual(name="Ana Kovač", email="ana@private.example"))
    sign_and_confirm(statement, individual(name="Hidden One", show_name=False))
    sign(statement, organization(name="Still Pending"))
    statement_list_refresh(statement_id=statement.pk)
    return statement, person


def dangerous(cell: str) -> bool:
    stripped = cell.lstrip(" \u00a0\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff")
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") or stripped[:1] in ("=", "+", "-", "@")


@pytest.mark.django_db
def test_csv_cells_are_never_formulas_and_names_come_out_intact(listed, tmp_path):
    statement, _person = listed
    out = tmp_path / "list.csv"
    export_statement(statement=statement, fmt="csv", scope="public", language="en", out=out)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    header, entries = rows[0], rows[1:]
    assert header[:3] == ["No.", "Kind", "Name"]
    names = [row[2] for row in entries]
    for cell in (c for row in rows for c in row):
        assert not dangerous(cell), repr(cell)
    for name in INJECTIONS:
        written = defuse(name)
        assert written in names, name
        assert written.removeprefix("'") == name
    for name in SAFE:
        assert name in names
    assert "Still Pending" not in names and "Hidden One" not in names
    bom = tmp_path / "bom.csv"
    export_statement(
        statement=statement, fmt="csv", scope="public", language="en", out=bom, bom=True
    )
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_owasp_rule_quotes_formulas_behind_any_invisible_mark():
    # A name with a direction override waits for review and never reaches a list; the rule
    # still holds for it, and for every other way a formula can hide.
    for cell in ("\u202e=1+1", "\u2066@x", "\u200b-1", "\ufeff+1", "\r=1", "\t=1", " \u00a0=1"):
        assert defuse(cell) == "'" + cell
    for cell in ("Ana", "1-2", "O'Brien", "Québec =1", "", "'=already"):
        assert defuse(cell) == cell


@pytest.mark.django_db
def test_xlsx_stores_every_cell_as_text(listed, tmp_path):
    statement, _person = listed
    out = tmp_path / "list.xlsx"
    export_statement(statement=statement, fmt="xlsx", scope="public", language="ar", out=out)
    sheet = load_workbook(out).active
    values = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", (cell.coordinate, cell.value)
                values.append(cell.value)
    for name in INJECTIONS + SAFE:
        assert name in values
    assert "الاسم" in values  # headings in the export's language


@pytest.mark.django_db
def test_json_follows_its_schema_and_scopes_keep_private_data_private(listed, tmp_path):
    statement, person = listed
    for scope in ("public", "owner"):
        out = tmp_path / f"{scope}.json"
        export_statement(statement=statement, fmt="json", scope=scope, language="fr", out=out)
        data = json.loads(out.read_text())
        jsonschema.validate(data, SCHEMA)
        assert data["scope"] == scope
        text = out.read_text()
        # An individual's email is never exported, whatever the scope.
        assert person.email not in text
        orgs = [e for e in data["entries"] if e["kind"] == "organisation"]
        assert orgs and all(("contact_email" in e) == (scope == "owner") for e in data["entries"])
        if scope == "owner":
            assert all(e["contact_email"] for e in orgs)
        assert [int(e["number"]) for e in orgs] == list(range(1, len(orgs) + 1))


@pytest.mark.django_db
def test_a_statement_with_no_signatures_exports_headers_only(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    out = tmp_path / "empty.csv"
    export_statement(statement=statement, fmt="csv", scope="owner", language="es", out=out)
    [header] = list(csv.reader(io.StringIO(out.read_text())))
    assert header[0] == "N.º" or header[0]
    assert json.loads((tmp_path / "empty.csv.manifest.json").read_text())["counts"] == {
        "organizations": 0, "individuals_named": 0, "individuals_unnamed": 0,
    }  # fmt: skip


@pytest.mark.django_db
def test_the_manifest_proves_files_genuine_and_catches_every_tampering(listed, tmp_path):
    statement, _person = listed
    out = tmp_path / "list.csv"
    manifest_path = export_statement(
        statement=statement, fmt="csv", scope="public", language="en", out=out
    )
    body = json.loads(manifest_path.read_text())
    assert body["files"][0]["name"] == "list.csv" and len(body["files"][0]["sha256"]) == 64
    assert {t["language"] for t in body["texts"]} == {"en", "ar"}
    assert body["counts"]["organizations"] == len(INJECTIONS + SAFE)
    [check] = verify(manifest_path.read_bytes(), {"list.csv": out})
    assert check.ok
    # A file altered by one byte.
    altered = bytearray(out.read_bytes())
    altered[-3] ^= 1
    [check] = verify(manifest_path.read_bytes(), {"list.csv": bytes(altered)})
    assert not check.ok and "altered" in check.message
    # A file the manifest does not list.
    [check] = verify(manifest_path.read_bytes(), {"other.csv": b"x"})
    assert not check.ok
    # A manifest edited by one byte: every byte of it matters.
    raw = manifest_path.read_bytes()
    changed = raw.replace(b'"organizations": ', b'"organizations": 1', 1)
    with pytest.raises(ManifestProblem, match="altered"):
        verify(changed, {"list.csv": out})
    for position in (10, len(raw) // 2, len(raw) - 20):
        flipped = bytearray(raw)
        flipped[position] ^= 1
        with pytest.raises(ManifestProblem):
            verify(bytes(flipped), {"list.csv": out})
    # A manifest signed by another key, with a made-up fingerprint or the other key's own.
    other = Ed25519PrivateKey.generate()
    forged = {k: v for k, v in body.items() if k != "signature"}
    forged["key"] = manifest.fingerprint(other.public_key())
    forged["signature"] = (
        __import__("base64").b64encode(other.sign(manifest._canonical(forged))).decode()
    )
    with pytest.raises(ManifestProblem, match="another key"):
        verify(json.dumps(forged).encode(), {"list.csv": out})
    assert verify(json.dumps(forged).encode(), {"list.csv": out}, key=other.public_key())[0].ok
    for junk in (b"", b"not json", b"[]", b'{"signature": "***"}'):
        with pytest.raises(ManifestProblem):
            verify(junk, {"list.csv": out})


@pytest.mark.django_db
def test_the_commands_export_and_verify(listed, tmp_path, capsys):
    statement, _person = listed
    out = tmp_path / "list.xlsx"
    call_command("export_statement", statement.slug, "--format", "xlsx", "--out", str(out))
    manifest_path = tmp_path / "list.xlsx.manifest.json"
    assert out.exists() and manifest_path.exists()
    call_command("verify_export", str(manifest_path), str(out))
    assert "OK" in capsys.readouterr().out
    out.write_bytes(out.read_bytes() + b"\0")
    with pytest.raises(CommandError) as failed:
        call_command("verify_export", str(manifest_path), str(out))
    assert failed.value.returncode == 1
    assert "altered" in capsys.readouterr().out
    for args in (
        ["no-such-statement", "--format", "csv", "--out", str(out)],
        [statement.slug, "--format", "csv", "--language", "xx", "--out", str(out)],
        [statement.slug, "--format", "csv", "--out", str(tmp_path / "missing" / "x.csv")],
    ):
        with pytest.raises(CommandError) as refused:
            call_command("export_statement", *args)
        assert refused.value.returncode == 2
    with pytest.raises(CommandError) as unreadable:
        call_command("verify_export", str(tmp_path / "none.json"), str(out))
    assert unreadable.value.returncode == 2


@pytest.mark.django_db
def test_owners_export_from_the_workspace_and_nobody_else_can(client, listed):
    statement, person = listed
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    Membership.objects.create(statement=make_statement(), user=people["outsider"], role="owner")
    path = f"/en/dashboard/s/{statement.slug}/export/"
    for name in ("editor", "moderator", "outsider"):
        client.force_login(people[name])
        assert client.get(path).status_code == 404, name
        assert (
            client.post(path, {"format": "csv", "scope": "owner", "language": "en"}).status_code
            == 404
        )
    client.force_login(people["owner"])
    refused = client.post(path, {"format": "pdfx", "scope": "everything", "language": "xx"})
    assert refused.status_code == 200
    assert 'id="error-summary"' in refused.content.decode()
    assert (
        client.post(path, {"format": "csv", "scope": "owner", "language": "en"}).status_code == 302
    )
    page = client.get(path).content.decode()
    assert 'class="check-again"' in page and "<progress" in page  # until the worker is done
    jobs_run_pending()
    page = client.get(path).content.decode()
    assert "Signed manifest" in page and 'class="check-again"' not in page
    from undersigned.deliveries.models import Export

    export = Export.objects.get()
    data = client.get(f"{path}{export.pk}/")
    content = b"".join(data.streaming_content)
    signed = b"".join(client.get(f"{path}{export.pk}/?manifest=1").streaming_content)
    assert "attachment" in data["Content-Disposition"]
    assert verify(signed, {export.file_name: content})[0].ok
    assert person.email.encode() not in content
    for name in ("editor", "outsider"):
        client.force_login(people[name])
        assert client.get(f"{path}{export.pk}/").status_code == 404
    client.force_login(people["owner"])
    assert client.get(f"{path}99999/").status_code == 404


@pytest.mark.django_db
def test_the_public_key_is_published_and_linked_from_every_statement_page(client, listed):
    statement, _person = listed
    key = client.get("/keys/export-ed25519.pub")
    assert key.status_code == 200 and key.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert key.content == manifest.public_pem()
    assert "/keys/export-ed25519.pub" in client.get(f"/en/s/{statement.slug}/").content.decode()


@pytest.mark.django_db
def test_owners_may_offer_the_public_list_as_files_on_the_statement_page(client, listed):
    statement, person = listed
    path = f"/en/s/{statement.slug}/list.csv"
    assert client.get(path).status_code == 404  # not offered
    assert "list.csv" not in client.get(f"/en/s/{statement.slug}/").content.decode()
    statement.public_downloads = True
    statement_settings_save(statement=statement, changed=["public_downloads"], user=account("o"))
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert f"/en/s/{statement.slug}/list.csv" in page and "list.json?manifest=1" in page
    first = client.get(path)
    assert first.status_code == 200 and "attachment" in first["Content-Disposition"]
    content = b"".join(first.streaming_content)
    signed = b"".join(client.get(path + "?manifest=1").streaming_content)
    name = first["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert verify(signed, {name: content})[0].ok
    assert b"@" not in content.replace(b"@SUM", b"").replace(b"@x", b"")  # no email at all
    assert person.email.encode() not in content
    # The same file until the list changes; a new one after.
    assert b"".join(client.get(path).streaming_content) == content
    sign_and_confirm(statement, organization(name="Late Joiners Collective"))
    statement_list_refresh(statement_id=statement.pk)
    assert b"Late Joiners Collective" in b"".join(client.get(path).streaming_content)
    data = json.loads(b"".join(client.get(f"/ar/s/{statement.slug}/list.json").streaming_content))
    jsonschema.validate(data, SCHEMA)
    assert data["language"] == "ar" and data["scope"] == "public"
