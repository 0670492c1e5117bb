"""The public API (issue 20, point 5 and the counts by country of point 7): what it serves,
paged by signed cursors; nothing private in any response (a crawl of every endpoint against
signatures in every state); ETag and 304, CORS, 429 with Retry-After per network; clear JSON
4xx for bad input; and a schemathesis run against its own OpenAPI schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.api.tokens import token_create
from undersigned.signatures import lifecycle
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Statement

ORGANIZATIONS = ["Harbour Readers", "Valley Book Club", "Night Owls Society", "Paper Lantern Trust",
                 "Quiet Corner Guild"]  # fmt: skip
PRIVATE = {
    "pending": "Pending Person",
    "hidden": "Hidden Person",
    "in_review": "Reviewed Org",
    "rejected": "Rejected Org",
    "withdrawn": "Withdrawn Person",
    "invalidated": "Invalidated Person",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(settings):
    settings.API_PER_MINUTE = 10_000
    statement = make_statement(goal=50)
    for n, name in enumerate(ORGANIZATIONS):
        sign_and_confirm(statement, organization(name=name, country="FR",
                                                 email=f"org{n}@friends{n}.example"))  # fmt: skip
    for n in range(3):
        sign_and_confirm(statement, individual(name=f"Reader {n}", country="EG",
                                               email=f"reader{n}@mail.example"))  # fmt: skip
    sign(statement, individual(name=PRIVATE["pending"], email="pending@mail.example"))
    sign_and_confirm(statement, individual(name=PRIVATE["hidden"], show_name=False,
                                           country="JO", email="hidden@mail.example"))  # fmt: skip
    for key, action in (("withdrawn", "withdraw"), ("invalidated", "invalidate")):
        details = individual(name=PRIVATE[key], email=f"{key}@mail.example")
        signature = sign_and_confirm(statement, details)
        lifecycle.transition(signature, action)
    for key, action in (("in_review", None), ("rejected", "reject")):
        signature = sign(statement, organization(name=PRIVATE[key], country="DE",
                                                 email=f"{key}@org.example"))  # fmt: skip
        lifecycle.transition(signature, "hold")
        if action:
            lifecycle.transition(signature, action)
    statement_list_refresh(statement_id=statement.pk)
    draft = make_statement(state=Statement.State.DRAFT, texts={"en": ("Secret Draft", "Hush.")})
    return statement, draft


def crawl(client, statement) -> list[str]:
    """Every API response about the statement, following every next_cursor to the end."""
    bodies = []
    urls = [
        "/api/v1/statements?limit=1",
        f"/api/v1/statements/{statement.slug}",
        f"/api/v1/statements/{statement.slug}/counts",
        f"/api/v1/statements/{statement.slug}/counts?language=ar",
        f"/api/v1/statements/{statement.slug}/deliveries",
        f"/api/v1/statements/{statement.slug}/versions",
        f"/api/v1/statements/{statement.slug}/signatories?kind=organization&limit=2",
        f"/api/v1/statements/{statement.slug}/signatories?kind=individual&limit=2",
    ]
    while urls:
        url = urls.pop()
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        bodies.append(response.content.decode())
        data = response.json()
        if isinstance(data, dict) and data.get("next_cursor"):
            base = url.split("&cursor=")[0].split("?cursor=")[0]
            joiner = "&" if "?" in base else "?"
            urls.append(f"{base}{joiner}cursor={data['next_cursor']}")
    return bodies


@pytest.mark.django_db
def test_the_api_serves_the_public_list_and_nothing_private(client, published):
    statement, draft = published
    bodies = crawl(client, statement)
    everything = "\n".join(bodies)
    for private in [*PRIVATE.values(), "@", "Secret Draft", draft.slug]:
        assert private not in everything, private
    counts = client.get(f"/api/v1/statements/{statement.slug}/counts").json()
    assert (counts["organizations"], counts["individuals_named"]) == (5, 3)
    assert counts["individuals_unnamed"] == 1 and counts["total"] == 9 and counts["goal"] == 50
    # By country: listed entries only; the unnamed signer from Jordan is in no row.
    assert counts["by_country"] == [
        {"country": "FR", "name": "France", "organizations": 5, "individuals_named": 0},
        {"country": "EG", "name": "Egypt", "organizations": 0, "individuals_named": 3},
    ]
    arabic = client.get(f"/api/v1/statements/{statement.slug}/counts?language=ar").json()
    assert arabic["by_country"][1]["name"] == "مصر"
    # The list, page by page, is the public list in order.
    names, cursor = [], ""
    while True:
        query = {"kind": "organization", "limit": 2, "cursor": cursor}
        page = client.get(f"/api/v1/statements/{statement.slug}/signatories", query).json()
        names += [(e["number"], e["name"]) for e in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert names == [(n + 1, name) for n, name in enumerate(ORGANIZATIONS)]
    # The statement, with its texts; a draft is not there.
    one = client.get(f"/api/v1/statements/{statement.slug}").json()
    assert {t["language"] for t in one["texts"]} == {"en", "ar"}
    assert (
        "<strong>clean</strong>"
        in next(t for t in one["texts"] if t["language"] == "en")["body_html"]
    )
    assert client.get(f"/api/v1/statements/{draft.slug}").status_code == 404


@pytest.mark.django_db
def test_the_public_page_shows_counts_by_country(client, published):
    statement, _draft = published
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    table = page[page.index('class="counts-by-country"') :]
    table = table[: table.index("</table>")]
    assert table.index("France") < table.index("Egypt") and "Jordan" not in table


@pytest.mark.django_db
def test_bad_input_gets_a_clear_json_error(client, published):
    statement, _draft = published
    base = f"/api/v1/statements/{statement.slug}"
    page = client.get(f"{base}/signatories?kind=organization&limit=2").json()
    cases = {
        "/api/v1/statements/no-such-statement": 404,
        f"{base}/signatories?cursor=not-a-cursor": 400,
        f"{base}/signatories?cursor={page['next_cursor'][:-2]}xx": 400,  # forged
        f"{base}/signatories?kind=individual&cursor={page['next_cursor']}": 400,  # another list
        f"{base}/signatories?limit=1000000": 422,
        f"{base}/signatories?limit=0": 422,
        f"{base}/signatories?kind=everyone": 422,
        f"{base}/counts?language=xx": 422,
        "/api/v1/statements?cursor=%00": 400,
    }
    for url, status in cases.items():
        response = client.get(url)
        assert response.status_code == status, (url, response.content)
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json()["detail"]
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{base}/counts")
        assert response.status_code == 405 and "detail" in response.json()


@pytest.mark.django_db
def test_caching_cors_and_the_limit_per_network(client, published, settings):
    statement, _draft = published
    url = f"/api/v1/statements/{statement.slug}/counts"
    first = client.get(url, HTTP_ORIGIN="https://partner.example")
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "max-age=15" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    preflight = client.options(url, HTTP_ORIGIN="https://partner.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")  # fmt: skip
    assert preflight["Access-Control-Allow-Origin"] == "*"
    # Other pages answer no other origin.
    assert "Access-Control-Allow-Origin" not in client.get(
        f"/en/s/{statement.slug}/", HTTP_ORIGIN="https://partner.example"
    )
    cache.clear()
    settings.API_PER_MINUTE = 3
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(url)
    assert int(limited["Retry-After"]) > 0 and limited.json()["detail"]
    # Another network is not held back by the first one's use.
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200


@pytest.mark.django_db
def test_the_documentation_is_served_from_this_server(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "https://" not in page.replace("https://swagger.io", "")
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")


@pytest.mark.django_db
def test_the_api_keeps_to_its_schema_and_never_fails(published):
    """schemathesis generates requests from /api/v1/openapi.json (40 per operation, 9
    operations: paths, query values, cursors, limits of every kind) and sends them through the
    WSGI application: no 5xx, and every response matches the schema (its status, headers and
    body). (Driven by hypothesis directly: schemathesis's pytest plugin does not load under
    this pytest.)"""
    from undersigned.wsgi import application

    # As Django's test client does: a request must not close the test's database connection.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    # The owners' operations are called with a token of both scopes for the statement (and
    # get 404 for any other slug); the public ones without.
    statement, _draft = published
    owner = get_user_model().objects.create_user(username="api-owner", password="x" * 20)
    _token, secret = token_create(statement=statement, user=owner, name="tests",
                                  scopes=["exports:read", "imports:write"])  # fmt: skip
    try:
        for operation in operations:
            owner_operation = operation.path.startswith("/api/v1/owner/")
            run_operation(operation, {"Authorization": f"Bearer {secret}"} if owner_operation
                          else {})  # fmt: skip
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


def run_operation(operation, headers: dict) -> None:
    """Generated cases of one operation, each checked by schemathesis's checks; all but
    "positive data acceptance": a cursor is a string the schema cannot describe further, and
    any other string rightly gets 400."""

    @hypothesis_settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def check(case):
        cache.clear()  # the limit per network is tested apart
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.django_db
def test_atom_feeds_of_open_statements_and_of_a_statements_news(client, published):
    from xml.etree import ElementTree

    statement, draft = published
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(client.get("/en/feeds/statements.atom").content)
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert statement.texts.get(language="en").title in titles and "Secret Draft" not in titles
    response = client.get(f"/ar/s/{statement.slug}/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    news = ElementTree.fromstring(response.content)
    assert news.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    ids = [e.findtext(f"{atom}id") for e in news.iter(f"{atom}entry")]
    assert len(ids) == 2 and all(
        i.startswith(f"urn:undersigned:{statement.slug}:text:") for i in ids
    )
    assert client.get(f"/en/s/{draft.slug}/feed.atom").status_code == 404
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert f'href="/en/s/{statement.slug}/feed.atom"' in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_documentation_page_works_in_a_browser_with_nothing_from_elsewhere(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/api/v1/docs")
    page.get_by_text("undersigned public API").first.wait_for()
    page.get_by_text("/api/v1/statements/{slug}/counts").first.wait_for()
    assert hosts == {live_server.url.split("/")[2]}
    assert not [e for e in errors if "Content Security Policy" in e]
