"""The experience rules that need no browser: over HTTP with Django's test client."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.core.audit import ACTION_LABELS
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.services import signature_remove
from undersigned.signatures.models import Signature
from undersigned.signatures.services import (
    SignAgainRefused,
    signature_sign_again,
    signature_withdraw,
)
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Statement

ROOT = Path(__file__).resolve().parent.parent


def manage_token(signature: Signature) -> str:
    signature.refresh_from_db()
    return make_token(purpose="manage", signature_id=signature.pk, nonce=signature.token_nonce)


def owner(statement: Statement, name: str = "coordinator"):
    user = get_user_model().objects.create_user(username=name, password="a-long-password-1")
    statement.owners.add(user)
    return user


# --- Undo: signing again after withdrawing ----------------------------------------------


@pytest.mark.django_db
def test_signing_again_is_refused_late_when_closed_and_when_the_mailbox_signed_anew(settings):
    statement = make_statement()
    late = sign_and_confirm(statement, individual())
    signature_withdraw(token=manage_token(late))
    Signature.objects.filter(pk=late.pk).update(
        withdrawn_at=timezone.now() - timedelta(hours=settings.SIGN_AGAIN_HOURS, seconds=1)
    )
    with pytest.raises(SignAgainRefused) as refused:
        signature_sign_again(token=manage_token(late))
    assert refused.value.code == "late"

    taken = sign_and_confirm(statement, individual(email="twice@example.org"))
    signature_withdraw(token=manage_token(taken))
    sign_and_confirm(statement, individual(email="twice@example.org"))  # a new signature
    with pytest.raises(SignAgainRefused) as refused:
        signature_sign_again(token=manage_token(taken))
    assert refused.value.code == "taken"

    closing = sign_and_confirm(statement, individual())
    signature_withdraw(token=manage_token(closing))
    Statement.objects.filter(pk=statement.pk).update(state=Statement.State.CLOSED)
    with pytest.raises(SignAgainRefused) as refused:
        signature_sign_again(token=manage_token(closing))
    assert refused.value.code == "closed"
    for signature in (late, taken, closing):
        signature.refresh_from_db()
        assert signature.status == Signature.Status.WITHDRAWN


@pytest.mark.django_db
def test_the_manage_page_says_why_signing_again_is_refused_in_the_page_language(client):
    statement = make_statement()
    signature = sign_and_confirm(statement, individual())
    signature_withdraw(token=manage_token(signature))
    Signature.objects.filter(pk=signature.pk).update(
        withdrawn_at=timezone.now() - timedelta(days=9)
    )
    page = client.get(f"/ar/manage/{manage_token(signature)}/").content.decode()
    assert 'value="sign_again"' not in page  # past the window: no button
    response = client.post(f"/ar/manage/{manage_token(signature)}/", {"action": "sign_again"})
    assert response.status_code == 200
    assert "انقضى وقت التراجع عن السحب" in response.content.decode()


@pytest.mark.django_db
def test_a_pending_signature_withdrawn_comes_back_pending(client):
    statement = make_statement()
    signature = sign(statement, individual())
    signature_withdraw(token=manage_token(signature))
    response = client.post(f"/en/manage/{manage_token(signature)}/", {"action": "sign_again"})
    assert "Your signature is back, as it was." in response.content.decode()
    signature.refresh_from_db()
    assert (signature.status, signature.withdrawn_at) == (Signature.Status.PENDING, None)


# --- Coordinators: contacts, restore, states, labels ----------------------------------------


@pytest.mark.django_db
def test_owners_see_contacts_on_entry_and_review_pages_and_nobody_else_does(client):
    statement = make_statement(review_organizations=True)
    other = make_statement()
    mine = owner(statement)
    owner(other, "other-owner")
    waiting = sign_and_confirm(
        statement,
        organization(
            name="Harbour Reading Circle",
            contact_name="Samira Haddad",
            contact_role="Secretary",
            email="samira@harbour.example.org",
            website="https://harbour.example.org",
        ),
    )
    client.force_login(mine)
    for path in (
        f"/en/dashboard/s/{statement.slug}/entries/{waiting.pk}/",
        f"/en/dashboard/s/{statement.slug}/review/",
    ):
        page = client.get(path).content.decode()
        for shown in ("Samira Haddad", "Secretary", "samira@harbour.example.org"):
            assert shown in page, (path, shown)
    client.force_login(get_user_model().objects.get(username="other-owner"))
    for path in (
        f"/en/dashboard/s/{statement.slug}/entries/{waiting.pk}/",
        f"/en/dashboard/s/{statement.slug}/review/",
    ):
        assert client.get(path).status_code == 404
    client.logout()
    jobs_run_pending()
    for path in (f"/en/s/{statement.slug}/", f"/en/s/{statement.slug}/organizations/", "/en/"):
        page = client.get(path).content.decode()
        assert "Samira" not in page and "samira@" not in page


@pytest.mark.django_db
def test_restoring_goes_back_to_the_status_before_the_removal_and_only_for_owners(client):
    statement = make_statement(review_organizations=True)
    user = owner(statement)
    waiting = sign_and_confirm(statement, organization(name="Valley Choir"))
    signature_remove(signature=waiting, user=user, reason="looked like spam")
    page = f"/en/dashboard/s/{statement.slug}/entries/{waiting.pk}/"

    outsider = get_user_model().objects.create_user(username="outsider", password="x-long-pw-1")
    make_statement().owners.add(outsider)
    client.force_login(outsider)
    assert client.post(page, {"action": "restore", "restore-reason": "x"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Signature.Status.INVALIDATED

    client.force_login(user)
    missing = client.post(page, {"action": "restore", "restore-reason": ""})
    assert 'id="id_restore-reason_error"' in missing.content.decode()
    assert missing.content.decode().count('id="id_reason"') == 0  # no id shared by two forms
    client.post(page, {"action": "restore", "restore-reason": "they phoned"})
    waiting.refresh_from_db()
    assert waiting.status == Signature.Status.IN_REVIEW  # as it was, not "published"


@pytest.mark.django_db
def test_the_entries_page_shows_each_state_on_request(client):
    statement = make_statement()
    user = owner(statement)
    listed = sign_and_confirm(statement, individual(name="Listed Person"))
    sign(statement, individual(name="Pending Person"))
    leaving = sign_and_confirm(statement, individual(name="Leaving Person"))
    signature_withdraw(token=manage_token(leaving))
    removed = sign_and_confirm(statement, individual(name="Removed Person"))
    signature_remove(signature=removed, user=user, reason="duplicate")
    jobs_run_pending()
    client.force_login(user)
    base = f"/en/dashboard/s/{statement.slug}/entries/?kinds=individuals"
    expected = {
        "": "Listed Person",
        "&state=pending": "Pending Person",
        "&state=withdrawn": "Leaving Person",
        "&state=removed": "Removed Person",
    }
    names = ["Listed Person", "Pending Person", "Leaving Person", "Removed Person"]
    for query, name in expected.items():
        page = client.get(base + query).content.decode()
        assert [n for n in names if n in page] == [name], query
    assert listed.pk
    assert client.get(base + "&state=nonsense&after=%D9%A3").status_code == 200


def test_every_audit_action_the_code_writes_has_a_label():
    written = set()
    for path in (ROOT / "undersigned").rglob("*.py"):
        written |= set(re.findall(r'"((?:[a-z_]+)\.(?:[a-z_]+)\.(?:[a-z_]+))"', path.read_text()))
    actions = {
        a
        for a in written
        if a.split(".")[0]
        in {
            "accounts",
            "imports",
            "moderation",
            "signatures",
            "statements",
            "deliveries",
            "textchecks",
        }
    }
    actions = {a for a in actions if not a.startswith(("signatures.send", "signatures.refresh"))}
    assert actions - set(ACTION_LABELS) == set()


# --- Public pages ---------------------------------------------------------------------------


def autocomplete_tokens(page: str) -> dict[str, str]:
    """Each input or select's name and autocomplete token, from a page's HTML."""
    tokens = {}
    for tag in re.findall(r"<(?:input|select)\b[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        token = re.search(r'autocomplete="([^"]+)"', tag)
        if name:
            tokens[name.group(1)] = token.group(1) if token else ""
    return tokens


@pytest.mark.django_db
def test_the_sign_forms_carry_autofill_tokens(client):
    statement = make_statement()
    person = autocomplete_tokens(
        client.get(f"/en/s/{statement.slug}/sign/individual/").content.decode()
    )
    assert {k: person[k] for k in ("name", "country", "affiliation", "email")} == {
        "name": "name",
        "country": "country",
        "affiliation": "organization-title",
        "email": "email",
    }
    org = autocomplete_tokens(
        client.get(f"/en/s/{statement.slug}/sign/organization/").content.decode()
    )
    assert {k: org[k] for k in ("name", "website", "contact_name", "contact_role", "email")} == {
        "name": "organization",
        "website": "url",
        "contact_name": "name",
        "contact_role": "organization-title",
        "email": "email",
    }


@pytest.mark.django_db
def test_arabic_pages_use_arabic_punctuation_in_lists(client):
    statement = make_statement()
    sign_and_confirm(statement, individual(name="سارة الخطيب", affiliation="معلمة"))
    jobs_run_pending()
    arabic = client.get(f"/ar/s/{statement.slug}/").content.decode()
    assert re.search(r"سارة الخطيب</bdi>، <bdi", arabic)
    english = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert re.search(r"سارة الخطيب</bdi>, <bdi", english)


@pytest.mark.django_db
def test_the_privacy_page_is_written_from_the_settings(client, settings):
    settings.RETENTION_IP_DAYS = 11
    settings.RETENTION_CONTACT_MONTHS = 4
    settings.RETENTION_UNCONFIRMED_DAYS = 9
    with translation.override("en"):
        page = client.get("/en/privacy/").content.decode()
    assert "deleted after 11 days" in page
    assert "deleted 4 months after the statement closes" in page
    assert "deleted after 9 days" in page
    assert "keeps no log of visits" in page


@pytest.mark.django_db
def test_the_about_block_names_who_runs_the_statement_and_links_the_privacy_page(client):
    statement = make_statement(
        organizer="Evening Libraries Coalition", contact_email="coordination@example.org"
    )
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert "Run by <bdi>Evening Libraries Coalition</bdi>." in page
    assert 'href="mailto:coordination@example.org"' in page
    assert 'href="/en/privacy/"' in page


@pytest.mark.django_db
def test_the_home_page_lists_open_statements_with_counts_and_progress(client):
    shown = make_statement(goal=10)
    draft = make_statement(state=Statement.State.DRAFT)
    sign_and_confirm(shown, individual())
    jobs_run_pending()
    page = client.get("/en/").content.decode()
    assert shown.texts.get(language="en").title in page
    assert draft.texts.get(language="en").title not in page
    assert "1 of 10 signatures" in page and '<progress max="100" value="10"' in page


@pytest.mark.django_db
def test_robots_txt_and_favicon_ico_answer(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    assert "Disallow: /*/manage/" in robots.content.decode()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("/undersigned/favicon.ico")
    assert (ROOT / "undersigned/core/static/undersigned/favicon.ico").read_bytes()[:4] == (
        b"\x00\x00\x01\x00"
    )


def test_bin_start_links_point_to_its_bind_address_unless_a_base_url_is_set(tmp_path):
    def local_env(**env) -> list[str]:
        script = '. bin/_local_env.sh; echo "$UNDERSIGNED_BASE_URL|$UNDERSIGNED_ALLOWED_HOSTS"'
        environment = {
            "PATH": os.environ["PATH"],
            "UNDERSIGNED_DATA_DIR": str(tmp_path),
            "UNDERSIGNED_SECRET_KEY": "test",
            **env,
        }
        out = subprocess.run(
            ["bash", "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        return out.stdout.strip().split("|")

    assert local_env() == ["http://127.0.0.1:8000", "127.0.0.1,localhost,127.0.0.1"]
    assert local_env(UNDERSIGNED_BIND="127.0.0.1:8765")[0] == "http://127.0.0.1:8765"
    assert local_env(UNDERSIGNED_BIND="0.0.0.0:9000")[0] == "http://127.0.0.1:9000"
    assert local_env(UNDERSIGNED_BIND="[::]:8100")[0] == "http://[::1]:8100"
    assert (
        local_env(UNDERSIGNED_BIND="0.0.0.0:9000", UNDERSIGNED_BASE_URL="https://sign.example.org")[
            0
        ]
        == "https://sign.example.org"
    )
