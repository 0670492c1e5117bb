"""Owner API tokens (issue 20, point 6): an owner makes a scoped token for one statement,
shown once and stored hashed; it reads that statement's exports or imports lists into it
(kept off the list until published), nothing else; every use is audited; revoked, it stops.
Coordinators who are not owners, and owners of other statements, can do none of this."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.api.models import ApiToken
from undersigned.core.audit import AuditEntry
from undersigned.deliveries.services import export_request
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Membership

from .test_statement_workspace import account


@pytest.fixture
def team(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    sign_and_confirm(statement, organization(name="Friends of the Library"))
    statement_list_refresh(statement_id=statement.pk)
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    other = make_statement()
    Membership.objects.create(statement=other, user=people["outsider"], role="owner")
    return statement, other, people


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def make_token(client, slug: str, *scopes: str) -> str:
    page = client.post(f"/en/dashboard/s/{slug}/tokens/",
                       {"action": "create", "name": "our CRM", "scopes": list(scopes)})  # fmt: skip
    assert page.status_code == 200
    return re.search(r'id="new-token" value="(us_[^"]+)"', page.content.decode()).group(1)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_a_token_reads_exports_and_imports_lists_within_its_scope(team):
    statement, other, people = team
    owner = signed_in(people["owner"])
    reader = make_token(owner, statement.slug, "exports:read")
    importer = make_token(owner, statement.slug, "imports:write")
    # Shown once, kept as a fingerprint only.
    assert reader not in owner.get(f"/en/dashboard/s/{statement.slug}/tokens/").content.decode()
    stored = ApiToken.objects.get(name="our CRM", scopes=["exports:read"])
    assert stored.digest == hashlib.sha256(reader.encode()).hexdigest()
    assert reader not in repr(list(ApiToken.objects.values()))
    export = export_request(statement=statement, fmt="csv", scope="owner", language="en",
                            bom=False, user=people["owner"])  # fmt: skip
    jobs_run_pending()
    api = Client()
    base = f"/api/v1/owner/statements/{statement.slug}"
    [listed] = api.get(f"{base}/exports", **bearer(reader)).json()
    assert listed["id"] == export.pk and listed["status"] == "done"
    content = b"".join(api.get(listed["file"], **bearer(reader)).streaming_content)
    assert hashlib.sha256(content).hexdigest() == listed["sha256"]
    assert b"Friends of the Library" in content
    manifest = b"".join(api.get(listed["manifest"], **bearer(reader)).streaming_content)
    assert listed["sha256"].encode() in manifest
    # Outside its scope, its statement, or without a token: nothing.
    assert api.get(f"{base}/exports", **bearer(importer)).status_code == 401
    assert api.get(f"{base}/exports").status_code == 401
    assert api.get(f"{base}/exports", **bearer(reader[:-1] + "x")).status_code == 401
    other_base = f"/api/v1/owner/statements/{other.slug}"
    assert api.get(f"{other_base}/exports", **bearer(reader)).status_code == 404
    # Importing: kept off the list until an owner publishes it.
    listing = SimpleUploadedFile(
        "partners.csv", b"name,country\nHarbour Readers,FR\nValley Club,EG\n"
    )
    response = api.post(f"{base}/imports", {"file": listing}, **bearer(importer))
    assert response.status_code == 201, response.content
    assert (response.json()["count"], response.json()["published"]) == (2, False)
    imported = Signature.objects.filter(statement=statement, source="import")
    assert set(imported.values_list("status", flat=True)) == {Signature.Status.IN_REVIEW}
    bad = api.post(f"{base}/imports", {"file": SimpleUploadedFile("x.csv", b"\x00\x01" * 50)},
                   **bearer(importer))  # fmt: skip
    assert bad.status_code == 400 and bad.json()["detail"]
    assert api.post(f"{base}/imports", {"file": listing}, **bearer(reader)).status_code == 401
    # Every use is in the log, with the token.
    uses = AuditEntry.objects.filter(action="api.token.used")
    assert uses.count() >= 6 and {e.data["token"] for e in uses} == {
        stored.pk, ApiToken.objects.get(scopes=["imports:write"]).pk
    }  # fmt: skip
    # Revoked, it stops at once.
    owner.post(
        f"/en/dashboard/s/{statement.slug}/tokens/", {"action": "revoke", "token": stored.pk}
    )
    assert api.get(f"{base}/exports", **bearer(reader)).status_code == 401
    assert AuditEntry.objects.filter(action="api.token.revoked").count() == 1


@pytest.mark.django_db
def test_only_owners_make_and_revoke_tokens_of_their_statement(team):
    statement, other, people = team
    url = f"/en/dashboard/s/{statement.slug}/tokens/"
    for role in ("editor", "moderator", "outsider"):
        client = signed_in(people[role])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "create", "name": "x",
                                 "scopes": ["exports:read"]}).status_code == 404  # fmt: skip
    token = make_token(signed_in(people["owner"]), statement.slug, "exports:read")
    made = ApiToken.objects.get()
    # The owner of another statement posts this token's id on their own page: nothing happens.
    outsider = signed_in(people["outsider"])
    outsider.post(f"/en/dashboard/s/{other.slug}/tokens/", {"action": "revoke", "token": made.pk})
    made.refresh_from_db()
    assert made.revoked is None
    assert Client().get(f"/api/v1/owner/statements/{statement.slug}/exports",
                        **bearer(token)).status_code == 200  # fmt: skip
    # A form without a scope gets an error beside the field.
    page = signed_in(people["owner"]).post(url, {"action": "create", "name": "x"})
    assert "Choose at least one thing the token may do." in page.content.decode()
