"""Importing lists (files, the command, the service), organization trust, and merges."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tests.factories import confirm_token, make_statement, organization, sign
from undersigned.core.audit import entries_for
from undersigned.imports.files import UnreadableList, read_list
from undersigned.imports.services import ImportRefused, signatures_import
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.services import duplicate_distinct, duplicate_merge
from undersigned.signatures.models import DuplicateSuggestion, ListTally, Signature
from undersigned.signatures.services import signature_confirm

pytestmark = pytest.mark.django_db

LIST = "1. Teachers Union of Xland – TUX\n2. Friends of Reading (FoR), Morocco\n3. Maria Gómez\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LIST.encode("utf-8"), "utf-8"),
        (LIST.encode("utf-8-sig"), "utf-8-sig"),
        (LIST.encode("utf-16"), "utf-16"),
        (LIST.replace("ó", "é").encode("cp1252"), "cp1252"),
    ],
)
def test_text_files_are_read_in_the_encoding_they_came_in_and_say_which(data, encoding):
    parsed = read_list(data, "list.txt")
    assert parsed.encoding == encoding
    assert [e.source_number for e in parsed.entries] == [1, 2, 3]
    assert parsed.entries[0].acronym == "TUX"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 4, "not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
        (b"1.\n2.\n3.\n4\n", "No names"),
        (("1. " + "word " * 400 + "\n").encode(), "too long"),
        (b"x" * (1024 * 1024 + 1), "larger than"),
        (b"PK\x03\x04 broken zip", "spreadsheet cannot be read"),
    ],
)
def test_bad_files_get_a_clear_message(data, says):
    with pytest.raises(UnreadableList) as error:
        read_list(data, "list.txt")
    assert says in error.value.message


def test_csv_and_xlsx_lists_are_read_by_their_columns():
    csv_data = (
        "Nº;Organisation;Sigle;Pays\n"
        "1;Réseau des Éducatrices Populaires;REP;France\n"
        "2;Samira Benali;;\n"
    )
    parsed = read_list(csv_data.encode(), "list.csv")
    first = parsed.entries[0]
    assert (first.name, first.acronym, first.country, first.source_number) == (
        "Réseau des Éducatrices Populaires",
        "REP",
        "FR",
        1,
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Country", "Type"])
    sheet.append(["Coastal Fishers Cooperative", "Senegal", "organization"])
    sheet.append(["Lucía Fernández", "ES", "individual"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_list(buffer.getvalue(), "list.xlsx")
    assert parsed.encoding == "xlsx"
    assert [(e.name, e.kind, e.country) for e in parsed.entries] == [
        ("Coastal Fishers Cooperative", "organization", "SN"),
        ("Lucía Fernández", "individual", "ES"),
    ]


def test_the_command_prints_the_parse_as_json_and_stores_nothing_on_a_dry_run(tmp_path, capsys):
    statement = make_statement()
    path = tmp_path / "list.txt"
    path.write_text(LIST + "4. Teachers' Union Association of Xland\n6. Open Data Collective\n")
    call_command(
        "import_signatories", str(path), "--statement", statement.slug, "--dry-run", "--json"
    )
    document = json.loads(capsys.readouterr().out)
    assert document["entries"][0] == {
        "name": "Teachers Union of Xland",
        "acronym": "TUX",
        "kind": "organization",
        "source_number": 1,
        "country": None,
    }
    assert [e["kind"] for e in document["entries"]] == [
        "organization", "organization", "individual", "organization", "organization",
    ]  # fmt: skip
    assert document["possible_duplicates"] == [[0, 3]]
    assert any("numbering gap after 4" in w for w in document["warnings"])
    assert not Signature.objects.exists()


def test_an_import_is_all_or_nothing_and_a_second_one_finds_the_duplicates(tmp_path):
    statement = make_statement()
    path = tmp_path / "list.txt"
    path.write_text(LIST)
    call_command("import_signatories", str(path), "--statement", statement.slug)
    jobs_run_pending()
    imported = Signature.objects.filter(statement=statement)
    assert imported.count() == 3
    assert {s.status for s in imported} == {"published"} and {s.source for s in imported} == {
        "import"
    }
    first = imported.order_by("pk").first()
    assert first.import_batch.by == "import_signatories"
    assert [e.action for e in entries_for(first)] == ["signatures.signature.imported"]
    assert ListTally.objects.get(statement=statement).organizations == 2
    # Again: the same organizations under the same names are refused, and nothing is added.
    with pytest.raises(CommandError, match="appears twice"):
        call_command("import_signatories", str(path), "--statement", statement.slug)
    assert Signature.objects.filter(statement=statement).count() == 3


def test_an_import_suggests_near_duplicates_of_listed_organizations():
    statement = make_statement()
    parsed = read_list(LIST.encode(), "a.txt")
    signatures_import(statement=statement, entries=parsed.entries[:1], actor_label="test")
    near = read_list(b"1. Teachers' Union Association of Xland\n", "b.txt")
    batch = signatures_import(statement=statement, entries=near.entries, actor_label="test")
    [suggestion] = DuplicateSuggestion.objects.all()
    assert suggestion.signature.import_batch == batch
    assert (suggestion.reason, suggestion.score) == ("same_name", 95)
    with pytest.raises(ImportRefused):
        signatures_import(statement=statement, entries=[], actor_label="test")


def test_an_organization_confirmed_from_its_own_domain_is_marked_and_free_mail_is_reviewed():
    statement = make_statement()
    own = sign(
        statement,
        organization(
            website="https://www.tenants.example.org",
            email="office@tenants.example.org",
            name="Tenants Network",
        ),
    )
    free = sign(
        statement,
        organization(
            website="https://readers.example.org",
            email="readers.club@gmail.com",
            name="Readers Club",
        ),
    )
    assert own.domain_confirmed and not free.domain_confirmed
    assert free.flags.split() == ["free_mail"]
    signature_confirm(token=confirm_token(own))
    signature_confirm(token=confirm_token(free))
    own.refresh_from_db(), free.refresh_from_db()
    assert (own.status, free.status) == ("published", "in_review")


def test_a_near_duplicate_signature_goes_to_review_and_the_owner_merges_it(django_user_model):
    owner = django_user_model.objects.create_user("owner", password="x" * 20)
    statement = make_statement()
    first = sign(
        statement,
        organization(
            name="Teachers Union of Xland",
            acronym="TUX",
            email="a@tux.example.org",
            website="https://tux.example.org",
        ),
    )
    signature_confirm(token=confirm_token(first))
    second = sign(
        statement,
        organization(
            name="Teachers' Union Association of Xland", email="b@tux.example.org", acronym=""
        ),
    )
    assert second.flags.split() == ["possible_duplicate"]
    signature_confirm(token=confirm_token(second))
    [suggestion] = DuplicateSuggestion.objects.filter(signature=second)
    assert suggestion.other == first
    duplicate_merge(suggestion=suggestion, keep=first, user=owner, reason="same union")
    second.refresh_from_db()
    assert (second.status, second.merged_into) == ("merged", first)
    merged = [e for e in entries_for(second) if e.action == "signatures.signature.merged"]
    assert merged[0].data["merged"]["name"] == "Teachers' Union Association of Xland"
    assert merged[0].actor == owner and merged[0].reason == "same union"
    jobs_run_pending()
    assert ListTally.objects.get(statement=statement).organizations == 1


def test_similar_but_distinct_organizations_are_not_suggested_and_can_be_marked_distinct(
    django_user_model,
):
    owner = django_user_model.objects.create_user("owner", password="x" * 20)
    statement = make_statement()
    network = sign(statement, organization(name="Arab Network for Environment", acronym=""))
    signature_confirm(token=confirm_token(network))
    chapter = sign(
        statement, organization(name="Arab Network for Environment – Morocco Chapter", acronym="")
    )
    assert "possible_duplicate" not in chapter.flags
    signature_confirm(token=confirm_token(chapter))
    close = sign(statement, organization(name="Arab Network for the Environment", acronym=""))
    [suggestion] = DuplicateSuggestion.objects.filter(signature=close)
    duplicate_distinct(suggestion=suggestion, user=owner, reason="two bodies")
    suggestion.refresh_from_db()
    assert suggestion.decision == "distinct"


def test_the_public_list_shows_the_domain_mark(client):
    statement = make_statement()
    own = sign(
        statement,
        organization(
            name="Tenants Network",
            email="office@tenants.example.org",
            website="https://tenants.example.org",
        ),
    )
    other = sign(
        statement,
        organization(
            name="Readers Circle",
            email="x@elsewhere.example.net",
            website="https://readers.example.org",
        ),
    )
    for signature in (own, other):
        signature_confirm(token=confirm_token(signature))
    jobs_run_pending()
    html = client.get(f"/en/s/{statement.slug}/").content.decode()
    entries = html.split('class="signatories"')[1].split("</ol>")[0].split("<li")[1:]
    marked = {e.split('class="name">')[1].split("<")[0]: "domain-mark" in e for e in entries}
    assert marked == {"Tenants Network": True, "Readers Circle": False}
    assert "confirmed from the organization" in html
