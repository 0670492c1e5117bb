"""The owner's pages over HTTP: who may open them, importing a list (preview, correct,
import), the review queue (filters, bulk decisions with reasons, merges), and the public
organization list A–Z, by country and searched."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import Workbook

from tests.factories import (
    make_statement,
    make_superuser,
    organization,
    preview_data,
    sign_and_confirm,
)
from undersigned.core.audit import entries_for
from undersigned.imports.models import ImportBatch
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import DuplicateSuggestion, Signature
from undersigned.statements.models import Statement

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
MESSY = """Signatories:
1. Teachers Union of Xanadu – TUX
2) Friends of the River Association (FRA), Morocco
4. Réseau des Bibliothèques Libres 5. Green Kitchen Collective
6. Dr. Amina Haddad
7. Teachers' Union of Xanadu
"""


def owner_of(statement: Statement, username: str = "coordinator"):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    statement.owners.add(user)
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


def url(statement: Statement, page: str, language: str = "en") -> str:
    return f"/{language}/dashboard/s/{statement.slug}/{page}"


def row_notes(response) -> list[str]:
    return [form.initial.get("notes", "") for form in response.context["formset"]]


# --- Who may open the owner's pages -------------------------------------------------------


@pytest.mark.parametrize("page", ["import/", "review/"])
def test_owner_pages_need_a_login_and_are_hidden_from_other_users(client, page):
    statement = make_statement()
    owner = owner_of(statement)
    outsider = get_user_model().objects.create_user(username="outsider", password=PASSWORD)

    anonymous = client.get(url(statement, page))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert logged_in(client, outsider).get(url(statement, page)).status_code == 404
    assert logged_in(client, owner).get(url(statement, page)).status_code == 200
    assert logged_in(client, make_superuser()).get(url(statement, page)).status_code == 200
    # Nor can an outsider act: a POST is refused the same way, and nothing is stored.
    client.force_login(outsider)
    assert client.post(url(statement, "import/"), {"text": MESSY}).status_code == 404
    assert client.post(url(statement, "import/confirm/"), {}).status_code == 404


def test_the_dashboard_lists_only_the_users_statements_with_what_waits(client):
    mine = make_statement(review_organizations=True)
    other = make_statement()
    owner = owner_of(mine)
    sign_and_confirm(mine, organization())  # waits in review
    page = logged_in(client, owner).get("/en/dashboard/").content.decode()
    assert f"/dashboard/s/{mine.slug}/import/" in page
    assert f"/dashboard/s/{other.slug}/" not in page
    assert "1 in review" in page


def test_owners_sign_in_on_a_page_of_the_platform(client):
    statement = make_statement()
    owner_of(statement)
    wrong = client.post("/fr/accounts/login/", {"username": "coordinator", "password": "nope"})
    assert wrong.status_code == 200 and "Saisissez" in wrong.content.decode()
    right = client.post(
        "/en/accounts/login/?next=/en/dashboard/",
        {"username": "coordinator", "password": PASSWORD, "next": "/en/dashboard/"},
    )
    assert right.status_code == 302 and right["Location"] == "/en/dashboard/"


# --- Import: preview, correct, import -----------------------------------------------------


def test_the_preview_shows_every_entry_with_what_to_look_at_and_stores_nothing(client):
    statement = make_statement()
    client.force_login(owner_of(statement))
    response = client.post(url(statement, "import/"), {"text": MESSY, "country": "Spain"})
    assert response.status_code == 200
    rows = [form.initial for form in response.context["formset"]]
    assert [r["source_number"] for r in rows] == [1, 2, 4, 5, 6, 7]
    assert rows[0]["name"] == "Teachers Union of Xanadu" and rows[0]["acronym"] == "TUX"
    assert rows[1]["country"] == "Morocco"  # named in the list
    assert rows[0]["country"] == "Spain"  # the owner's default for the others
    assert rows[4]["kind"] == "individual"
    notes = row_notes(response)
    assert "numbering gap after 2" in notes[2] and "two entries on one line" in notes[3]
    assert "looks like a person" in notes[4]
    assert "possible duplicate of #1" in notes[5]
    # The exact duplicate (same name once the apostrophe is set aside) is left out by default.
    assert [r["include"] for r in rows] == [True, True, True, True, True, False]
    assert "6 entries found" in response.content.decode()
    assert Signature.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_the_owner_corrects_the_preview_and_imports_it(client):
    statement = make_statement()
    owner = owner_of(statement)
    client.force_login(owner)
    preview = client.post(url(statement, "import/"), {"text": MESSY})
    data = preview_data(preview)
    data["entry-2-name"] = "Réseau des Bibliothèques Libres du Nord"  # a correction
    data["entry-3-country"] = "FR"  # a code works as well as a name
    data["entry-4-kind"] = "individual"
    del data["entry-1-include"]  # the owner leaves one out

    done = client.post(url(statement, "import/confirm/"), data)
    assert done.status_code == 302 and done["Location"] == url(statement, "review/")
    [batch] = ImportBatch.objects.all()
    assert batch.created_by == owner and batch.count == 4
    names = set(Signature.objects.values_list("name", flat=True))
    assert names == {
        "Teachers Union of Xanadu",
        "Réseau des Bibliothèques Libres du Nord",
        "Green Kitchen Collective",
        "Dr. Amina Haddad",
    }
    kitchen = Signature.objects.get(name="Green Kitchen Collective")
    assert kitchen.country == "FR" and kitchen.source == Signature.Source.IMPORT
    assert kitchen.status == Signature.Status.PUBLISHED and kitchen.email == ""
    [entry] = entries_for(kitchen)
    assert entry.action == "signatures.signature.imported" and entry.actor == owner
    message = client.get(done["Location"]).content.decode()
    assert "4 entries imported" in message

    jobs_run_pending()
    listed = client.get(f"/en/s/{statement.slug}/organizations/").content.decode()
    assert listed.count("<li value=") == 3  # the person is on the other list


def test_bad_rows_get_messages_beside_them_in_the_pages_language_and_nothing_is_imported(
    client,
):
    statement = make_statement()
    client.force_login(owner_of(statement))
    preview = client.post(url(statement, "import/", "fr"), {"text": MESSY})
    data = preview_data(preview)
    data["entry-0-name"] = ""
    data["entry-1-country"] = "Atlantis"
    data["entry-3-name"] = data["entry-2-name"]  # now twice the same organization
    data["entry-3-country"] = data["entry-2-country"]
    response = client.post(url(statement, "import/confirm/", "fr"), data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[0].errors["name"] == ["Saisissez un nom, ou décochez cette ligne."]
    assert "Pays inconnu" in forms[1].errors["country"][0]
    assert "ligne 3" in forms[3].errors["name"][0]
    page = response.content.decode()
    assert 'class="field-errors" id="id_entry-0-name_error"' in page
    assert Signature.objects.count() == 0

    nothing = {k: v for k, v in data.items() if not k.endswith("-include")}
    empty = client.post(url(statement, "import/confirm/", "fr"), nothing)
    assert "Cochez au moins une entrée" in empty.content.decode()
    assert Signature.objects.count() == 0


def test_the_start_form_says_what_is_wrong_with_the_list_beside_the_field(client):
    statement = make_statement()
    client.force_login(owner_of(statement))
    cases = [
        ({"text": ""}, "text", "Paste a list or choose a file."),
        ({"text": "1.\n2.\n3.\n"}, "text", "No names were found in this list."),
        ({"text": "x" * 5000}, "text", "too long to be names"),
        ({"file": io.BytesIO(b"\x00\x01\x02" * 100)}, "file", ""),
        ({"text": "", "country": "Atlantis"}, "country", "Unknown country"),
    ]
    for data, field, says in cases:
        if "file" in data:
            data["file"].name = "list.txt"
        response = client.post(url(statement, "import/"), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors and says in errors[field][0], (data, errors)
    assert Signature.objects.count() == 0


def test_a_csv_or_xlsx_file_gives_the_same_preview(client):
    statement = make_statement()
    client.force_login(owner_of(statement))
    csv = io.BytesIO("name;acronym;country\nFriends of the Valley;FOV;Chile\n".encode("cp1252"))
    csv.name = "list.csv"
    response = client.post(url(statement, "import/"), {"file": csv})
    [row] = [form.initial for form in response.context["formset"]]
    assert (row["name"], row["acronym"], row["country"]) == (
        "Friends of the Valley",
        "FOV",
        "Chile",
    )
    book = Workbook()
    book.active.append(["Name", "Country"])
    book.active.append(["Cooperativa Agrícola del Sur", "Uruguay"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "list.xlsx"
    response = client.post(url(statement, "import/"), {"file": data})
    [row] = [form.initial for form in response.context["formset"]]
    assert row["name"] == "Cooperativa Agrícola del Sur" and row["country"] == "Uruguay"
    imported = client.post(url(statement, "import/confirm/"), preview_data(response))
    assert imported.status_code == 302
    assert ImportBatch.objects.get().source_name == "list.xlsx"


def test_importing_the_same_list_again_leaves_out_what_is_listed(client):
    statement = make_statement()
    client.force_login(owner_of(statement))
    first = client.post(url(statement, "import/"), {"text": MESSY})
    client.post(url(statement, "import/confirm/"), preview_data(first))
    jobs_run_pending()
    again = client.post(url(statement, "import/"), {"text": MESSY})
    rows = [form.initial for form in again.context["formset"]]
    assert not any(r["include"] for r in rows)  # organizations and the imported person
    assert all("already on the list as #" in notes for notes in row_notes(again))
    # Ticking one anyway is refused by the database, with the row named, and nothing stored.
    data = preview_data(again)
    data["entry-0-include"] = "on"
    for key in [k for k in data if k.endswith("-include") and k != "entry-0-include"]:
        del data[key]
    refused = client.post(url(statement, "import/confirm/"), data)
    assert refused.status_code == 200
    assert "Nothing was imported" in refused.context["formset"].forms[0].errors["name"][0]
    assert Signature.objects.count() == 5


# --- The review queue --------------------------------------------------------------------


def _queue_world():
    statement = make_statement(review_organizations=True)
    plain = sign_and_confirm(statement, organization(name="Harbour Workers Network"))
    free = sign_and_confirm(
        statement, organization(name="Mountain Guides Society", email="guides@gmail.com")
    )
    return statement, plain, free


def test_the_queue_shows_why_each_signature_waits_and_filters_by_reason(client):
    statement, plain, free = _queue_world()
    client.force_login(owner_of(statement))
    page = client.get(url(statement, "review/")).content.decode()
    assert "Harbour Workers Network" in page and "Mountain Guides Society" in page
    assert "confirmed from a free-mail address" in page
    assert "the statement has every organization reviewed" in page
    filtered = client.get(url(statement, "review/") + "?flag=free_mail").content.decode()
    assert "Mountain Guides Society" in filtered and "Harbour Workers Network" not in filtered
    arabic = client.get(url(statement, "review/", "ar") + "?flag=free_mail").content.decode()
    assert 'dir="rtl"' in arabic and "confirmed from a free-mail address" not in arabic


def test_bulk_decisions_need_a_choice_and_a_reason_and_are_audited_with_it(client):
    statement, plain, free = _queue_world()
    owner = owner_of(statement)
    client.force_login(owner)
    missing = client.post(url(statement, "review/"), {"decision": "approve", "reason": ""})
    errors = missing.context["form"].errors
    assert errors["signatures"] == ["Tick at least one signature."]
    assert errors["reason"] == ["Say why: the reason is kept with the decision."]
    assert 'id="id_reason_error"' in missing.content.decode()

    approved = client.post(
        url(statement, "review/"),
        {"signatures": [plain.pk], "decision": "approve", "reason": "phoned their office"},
    )
    assert approved.status_code == 302
    rejected = client.post(
        url(statement, "review/") + "?flag=free_mail",
        {"signatures": [free.pk], "decision": "reject", "reason": "nobody there knows it"},
    )
    assert rejected.status_code == 302 and rejected["Location"].endswith("?flag=free_mail")
    plain.refresh_from_db(), free.refresh_from_db()
    assert plain.status == Signature.Status.PUBLISHED and free.status == Signature.Status.REJECTED
    approval = entries_for(plain).get(action="signatures.signature.approved")
    assert approval.reason == "phoned their office" and approval.actor == owner
    assert entries_for(free).get(action="signatures.signature.rejected").reason == (
        "nobody there knows it"
    )
    # A signature of another statement cannot be slipped in.
    stranger = sign_and_confirm(make_statement(review_organizations=True), organization())
    sneaky = client.post(
        url(statement, "review/"),
        {"signatures": [stranger.pk], "decision": "approve", "reason": "x"},
    )
    assert sneaky.status_code == 200
    stranger.refresh_from_db()
    assert stranger.status == Signature.Status.IN_REVIEW


def test_the_owner_merges_a_suggested_pair_or_keeps_both(client):
    statement = make_statement()
    owner = owner_of(statement)
    listed = sign_and_confirm(
        statement, organization(name="Teachers Union of Xanadu", acronym="TUX")
    )
    near = sign_and_confirm(
        statement, organization(name="Teachers Union Association of Xanadu", acronym="")
    )
    assert near.status == Signature.Status.IN_REVIEW
    suggestion = DuplicateSuggestion.objects.get(signature=near)
    client.force_login(owner)
    page = client.get(url(statement, "review/")).content.decode()
    assert f'id="pair-{suggestion.pk}"' in page
    merged = client.post(
        url(statement, f"review/duplicates/{suggestion.pk}/"),
        {"decision": "keep_second", "reason": "same union, confirmed by phone"},
    )
    assert merged.status_code == 302
    near.refresh_from_db(), listed.refresh_from_db()
    assert listed.status == Signature.Status.PUBLISHED
    assert near.status == Signature.Status.MERGED and near.merged_into == listed
    merge = entries_for(near).get(action="signatures.signature.merged")
    assert merge.reason == "same union, confirmed by phone" and merge.actor == owner
    assert merge.data["merged"]["name"] == "Teachers Union Association of Xanadu"
    assert entries_for(listed).filter(action="signatures.signature.merged").exists()
    again = client.post(
        url(statement, f"review/duplicates/{suggestion.pk}/"), {"decision": "distinct"}
    )
    assert again.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.decision == DuplicateSuggestion.Decision.MERGED  # not changed twice
    jobs_run_pending()
    listed_page = client.get(f"/en/s/{statement.slug}/organizations/").content.decode()
    assert listed_page.count("<li value=") == 1


def test_a_pair_whose_entry_left_the_list_cannot_be_merged(client):
    statement = make_statement()
    listed = sign_and_confirm(
        statement, organization(name="Teachers Union of Xanadu", acronym="TUX")
    )
    near = sign_and_confirm(
        statement, organization(name="Teachers Union Association of Xanadu", acronym="")
    )
    suggestion = DuplicateSuggestion.objects.get(signature=near)
    Signature.objects.filter(pk=near.pk).update(status=Signature.Status.WITHDRAWN)
    client.force_login(owner_of(statement))
    assert (
        f'id="pair-{suggestion.pk}"' not in client.get(url(statement, "review/")).content.decode()
    )
    response = client.post(
        url(statement, f"review/duplicates/{suggestion.pk}/"), {"decision": "keep_second"}
    )
    assert response.status_code == 302
    near.refresh_from_db(), listed.refresh_from_db()
    assert near.status == Signature.Status.WITHDRAWN and near.merged_into is None


# --- The public organization list -----------------------------------------------------------


def _imported(statement, lines: str, client, owner):
    client.force_login(owner)
    preview = client.post(url(statement, "import/"), {"text": lines})
    assert client.post(url(statement, "import/confirm/"), preview_data(preview)).status_code == 302
    client.logout()
    jobs_run_pending()


def _numbers_and_names(html: str) -> list[tuple[int, str]]:
    result = []
    for ol in re.finditer(r'<ol class="signatories" start="(\d+)">(.*?)</ol>', html, re.S):
        names = re.findall(r'<bdi class="name">(.*?)</bdi>', ol.group(2))
        result += [(int(ol.group(1)) + i, name) for i, name in enumerate(names)]
    return result


def test_the_public_list_reads_a_z_by_country_and_searched_numbered_without_gaps(client, settings):
    settings.LIST_PAGE_SIZE = 3
    statement = make_statement()
    _imported(
        statement,
        "1. Zebra Conservation Trust, Kenya\n3. Alpine Rescue Society, Chile\n"
        "4. Bakers Guild Cooperative, Kenya\n7. Ocean Friends Network, Chile\n"
        "8. Élan Youth Club, France\n",
        client,
        owner_of(statement),
    )
    base = f"/en/s/{statement.slug}/organizations/"
    by_number = _numbers_and_names(client.get(base).content.decode())
    assert [n for n, _name in by_number] == [1, 2, 3]  # the source's 3, 4 and 7 are gone

    first = client.get(base + "?order=az")
    assert first["Cache-Control"].startswith("public")
    assert _numbers_and_names(first.content.decode()) == [
        (1, "Alpine Rescue Society"),
        (2, "Bakers Guild Cooperative"),
        (3, "Élan Youth Club"),
    ]
    next_link = re.search(r'href="\?order=az&amp;after=(\d+)"', first.content.decode())
    second = client.get(base + f"?order=az&after={next_link.group(1)}").content.decode()
    assert _numbers_and_names(second) == [
        (4, "Ocean Friends Network"),
        (5, "Zebra Conservation Trust"),
    ]

    grouped = client.get(base + "?order=country").content.decode()
    assert re.findall(r'<h2 class="country-group">(.*?)</h2>', grouped) == ["Chile", "France"]
    assert _numbers_and_names(grouped) == [
        (1, "Alpine Rescue Society"),
        (2, "Ocean Friends Network"),
        (3, "Élan Youth Club"),
    ]
    found = client.get(base + "?q=elan").content.decode()
    assert re.findall(r'<li value="(\d+)"><bdi class="name">(.*?)</bdi>', found) == [
        ("5", "Élan Youth Club")
    ]
    assert "Zebra" not in found
    nothing = client.get(base + "?q=" + "%00<script>" * 30)
    assert nothing.status_code == 200 and "<script>" not in nothing.content.decode()


# --- Rows from before name keys -----------------------------------------------------------


def test_old_organization_rows_get_their_name_key_and_clashes_go_to_the_owner():
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    backfill = import_module("undersigned.signatures.migrations.0006_backfill_name_key").backfill
    statement = make_statement()
    first = sign_and_confirm(statement, organization(name="Harbour Workers Network", country="CL"))
    other = sign_and_confirm(statement, organization(name="Valley Choir", country="CL"))
    clash = sign_and_confirm(statement, organization(name="Mountain Guides", country="CL"))
    # As rows from before the migration: no keys, and one published twice under one name.
    Signature.objects.filter(pk=clash.pk).update(name="Harbour Workers' Network")
    Signature.objects.filter(statement=statement).update(name_key="")

    # The models as the migration saw them (duplicate suggestions were moderation's then).
    state = MigrationLoader(connection).project_state(("signatures", "0006_backfill_name_key"))
    backfill(state.apps, None)
    keys = dict(Signature.objects.values_list("pk", "name_key"))
    assert keys[first.pk] == "harbour workers network" and keys[other.pk] == "valley choir"
    assert keys[clash.pk] == ""
    assert DuplicateSuggestion.objects.filter(signature=clash, other=first).exists()


# --- Correcting and removing an entry ----------------------------------------------------------


def test_the_owner_corrects_or_removes_an_imported_entry_and_both_are_audited(client):
    statement = make_statement()
    owner = owner_of(statement)
    _imported(
        statement, "1. Valley Choir, Chile\n2. Harbour Workers Network, Chile\n", client, owner
    )
    client.force_login(owner)
    listing = client.get(url(statement, "entries/")).content.decode()
    assert "imported from a list on" in listing and "by coordinator" in listing
    choir = Signature.objects.get(name="Valley Choir")
    page = url(statement, f"entries/{choir.pk}/")

    missing = client.post(page, {"action": "edit", "name": "", "country": "CL", "reason": ""})
    assert missing.context["edit"].errors.keys() == {"name", "reason"}
    clash = client.post(
        page,
        {"action": "edit", "name": "Harbour Workers' Network", "country": "CL", "reason": "typo"},
    )
    assert "on the list already" in clash.context["edit"].errors["name"][0]
    fixed = client.post(
        page,
        {"action": "edit", "name": "Valley Choir of Los Andes", "acronym": "VCLA", "country": "CL",
         "reason": "the choir's own spelling"},
    )  # fmt: skip
    assert fixed.status_code == 302
    choir.refresh_from_db()
    assert choir.name == "Valley Choir of Los Andes" and choir.acronym == "VCLA"
    edit = entries_for(choir).get(action="signatures.signature.edited")
    assert edit.data["before"]["name"] == "Valley Choir" and edit.actor == owner
    assert edit.reason == "the choir's own spelling"

    no_reason = client.post(page, {"action": "remove", "remove-reason": ""})
    assert "reason" in no_reason.context["remove"].errors
    assert client.get(url(statement, "entries/") + "?q=%00choir").status_code == 200
    removed = client.post(page, {"action": "remove", "remove-reason": "signed by mistake"})
    assert removed.status_code == 302
    choir.refresh_from_db()
    assert choir.status == Signature.Status.INVALIDATED
    history = client.get(page).content.decode()
    assert "signatures.signature.removed" in history and "signed by mistake" in history
    jobs_run_pending()
    public = client.get(f"/en/s/{statement.slug}/organizations/").content.decode()
    assert "Valley Choir" not in public and '<li value="1">' in public
    outsider = get_user_model().objects.create_user(username="outsider", password=PASSWORD)
    client.force_login(outsider)
    assert client.post(page, {"action": "remove", "remove-reason": "x"}).status_code == 404


def test_an_import_kept_off_the_list_is_published_later_in_one_audited_action(client):
    statement = make_statement()
    owner = owner_of(statement)
    client.force_login(owner)
    preview = client.post(url(statement, "import/"), {"text": MESSY})
    data = {**preview_data(preview), "publish": "later"}
    done = client.post(url(statement, "import/confirm/"), data)
    assert done.status_code == 302 and done["Location"] == url(statement, "import/")
    [batch] = ImportBatch.objects.all()
    assert batch.published_at is None
    held = Signature.objects.filter(import_batch=batch)
    assert {s.status for s in held} == {Signature.Status.IN_REVIEW}
    jobs_run_pending()
    public = client.get(f"/en/s/{statement.slug}/organizations/").content.decode()
    assert "Green Kitchen Collective" not in public
    page = client.get(done["Location"]).content.decode()
    assert "kept off the public list" in page and f"Publish import #{batch.pk}" in page

    # Another owner cannot publish it.
    other = Client()
    other.force_login(owner_of(make_statement(), "someone-else"))
    assert other.post(url(statement, f"import/{batch.pk}/publish/")).status_code == 404

    published = client.post(url(statement, f"import/{batch.pk}/publish/"))
    assert published.status_code == 302
    batch.refresh_from_db()
    assert batch.published_at is not None and batch.published_by == owner
    assert held.filter(status=Signature.Status.PUBLISHED).count() == held.count() == batch.count
    assert entries_for(statement).filter(action="imports.batch.published").count() == 1
    assert client.post(url(statement, f"import/{batch.pk}/publish/")).status_code == 302
    assert entries_for(statement).filter(action="imports.batch.published").count() == 1
    jobs_run_pending()
    public = client.get(f"/en/s/{statement.slug}/organizations/").content.decode()
    assert "Green Kitchen Collective" in public
