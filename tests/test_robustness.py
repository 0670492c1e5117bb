"""No input gives a 500, and what owners write is sanitized."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_statement, make_superuser, record_submissions
from undersigned.core.sanitize import markdown_to_safe_html
from undersigned.signatures.models import Signature
from undersigned.statements.models import Statement, StatementText

FIELDS = ["name", "country", "affiliation", "email", "visibility", "text_version"]
ORG_FIELDS = ["name", "acronym", "country", "website", "contact_name", "contact_role", "email"]


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["individual", "organization"]),
    values=st.dictionaries(
        st.sampled_from(FIELDS + ORG_FIELDS), st.text(max_size=400), max_size=len(FIELDS)
    ),
)
def test_arbitrary_form_input_never_gives_a_server_error(kind, values):
    statement = Statement.objects.filter(slug="robust").first() or make_statement(slug="robust")
    response = Client().post(f"/en/s/{statement.slug}/sign/{kind}/", values)
    assert response.status_code in (200, 302)


OWNER_FIELDS = [
    "entry-TOTAL_FORMS", "entry-INITIAL_FORMS", "entry-0-include", "entry-0-name",
    "entry-0-acronym", "entry-0-kind", "entry-0-country", "entry-0-source_number",
    "entry-0-notes", "source_name", "encoding", "text", "country", "signatures", "reason",
    "decision", "action", "name", "affiliation",
]  # fmt: skip


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    page=st.sampled_from(["import/", "import/confirm/", "review/", "entries/1/"]),
    values=st.dictionaries(st.sampled_from(OWNER_FIELDS), st.text(max_size=300), max_size=8),
)
def test_arbitrary_input_to_the_owners_forms_never_gives_a_server_error(page, values):
    statement = Statement.objects.filter(slug="robust").first() or make_statement(slug="robust")
    owner = make_superuser() if not statement.owners.exists() else statement.owners.get()
    statement.owners.add(owner)
    client = Client()
    client.force_login(owner)
    response = client.post(f"/en/dashboard/s/{statement.slug}/{page}", values)
    assert response.status_code in (200, 302, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/confirm/" + "9" * 500 + "-x/",
        "/en/confirm/%00%ff/",
        "/en/confirm/1-" + "A" * 5000 + "/",
        "/en/s/%E2%82%AC/",
        "/en/s/robust/individuals/?from=%ff%fe",
        "/en/s/robust/individuals/?from=1e9",
        "/xx/s/robust/",
        "/en/s/robust/sign/person/",
        "/en/s/robust/organizations/?order=az&after=%ff",
        "/en/s/robust/organizations/?order=country&after=99999999999999999999",
        "/en/s/robust/organizations/?order=%00&q=%00%ff%fe",
        "/en/s/robust/organizations/?q=" + "%E2%80%AE" * 300,
    ],
)
def test_odd_addresses_are_answered_without_a_server_error(client, url):
    make_statement(slug="robust")
    assert client.get(url).status_code in (200, 404)


@pytest.mark.django_db
def test_non_utf8_and_oversized_posts_store_nothing(client):
    statement = make_statement()
    url = f"/en/s/{statement.slug}/sign/individual/"
    assert (
        client.post(
            url, b"name=\xff\xfe&email=\x80", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )
    # Over the public body limit: refused before the form is read.
    assert (
        client.post(url, {"name": "x" * 100_000, "email": "a@" + "b" * 100_000}).status_code == 413
    )
    assert client.post(url, {"name": "x" * 10_000, "email": "a@" + "b" * 10_000}).status_code == 200
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "payload,forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="data:text/html,x">x</a>', "data:"),
        ("<iframe src=//example.org></iframe>", "<iframe"),
        ('<svg onload="alert(1)">', "onload"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_bodies_lose_everything_that_could_run(payload, forbidden):
    assert forbidden not in markdown_to_safe_html(payload).lower()


def test_markdown_keeps_the_formatting_statements_need():
    html = markdown_to_safe_html(
        "## Demands\n\n1. **one**\n2. *two*\n\n> quoted\n\n[site](https://example.org)"
    )
    for tag in ["<h2>", "<ol>", "<strong>", "<em>", "<blockquote>", 'href="https://example.org"']:
        assert tag in html


@pytest.mark.django_db
def test_a_statement_created_in_the_admin_has_its_text_sanitized_and_audited(client):
    make_superuser("owner", "a-long-test-password")
    client.force_login(get_user_model().objects.get(username="owner"))
    response = client.post(
        "/admin/statements/statement/add/",
        {
            "slug": "from-admin",
            "reference": "AD-001-2026",
            "state": "draft",
            "default_language": "en",
            "signers": "both",
            "proof_of_work": "auto",
            "goal": "",
            "texts-TOTAL_FORMS": "1",
            "texts-INITIAL_FORMS": "0",
            "texts-MIN_NUM_FORMS": "0",
            "texts-MAX_NUM_FORMS": "1000",
            "texts-0-language": "en",
            "texts-0-title": "From the admin",
            "texts-0-body": "Hello <script>alert(1)</script> **world**",
            # The coordinators inline (superusers only), left empty.
            "membership_set-TOTAL_FORMS": "0",
            "membership_set-INITIAL_FORMS": "0",
            "membership_set-MIN_NUM_FORMS": "0",
            "membership_set-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    text = StatementText.objects.get(statement__slug="from-admin")
    assert "<strong>world</strong>" in text.body_html and "<script" not in text.body_html
    assert text.version
    statement = text.statement
    from undersigned.core.audit import entries_for

    assert set(entries_for(statement).values_list("action", flat=True)) >= {
        "statements.statement.created",
        "statements.text.changed",
    }
    assert client.get("/en/s/from-admin/").status_code == 404  # a draft is not public
    response = client.post(
        "/admin/statements/statement/",
        {"action": "make_open", "_selected_action": [statement.pk]},
    )
    statement.refresh_from_db()
    assert statement.state == "open"
    assert entries_for(statement).filter(action="statements.statement.open").exists()
    assert client.get("/en/s/from-admin/").status_code == 200
