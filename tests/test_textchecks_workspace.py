"""The text check in the workspace (issue 18): findings beside the text on every save, with the
line and the words marked; acknowledging one with a reason (audited, the reason required
beside its field); opening with findings left asks first; the worker's link check after a
save. Each for the roles that may, and nothing of it on the public pages."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation

from tests.factories import make_statement
from undersigned.core.audit import entries_for
from undersigned.jobs.models import Job
from undersigned.jobs.services import jobs_run_pending
from undersigned.statements.models import Membership, Statement
from undersigned.textchecks.models import Acknowledgment, LinkAnswer

from .test_statement_workspace import account

BODY = (
    "Some 400 people were displaced.\n\n"
    "See [the report](#) and [the map](https://maps.example.org/area).\n\n"
    "We meet on 31 April 2027.\n"
)


@pytest.fixture
def team():
    statement = make_statement(
        state=Statement.State.DRAFT, texts={"en": ("Water now", BODY), "ar": ("الماء", "نطالب.")}
    )
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    Membership.objects.create(statement=make_statement(), user=people["outsider"], role="owner")
    return statement, people


def editor(client, statement, language="en"):
    return client.get(f"/{language}/dashboard/s/{statement.slug}/texts/en/")


@pytest.mark.django_db
def test_findings_show_beside_the_text_with_the_line_and_words_marked(client, team):
    statement, people = team
    client.force_login(people["editor"])
    page = editor(client, statement).content.decode()
    assert "Text check" in page
    assert "Figure without a source" in page and "line 1" in page
    assert "<mark>400 people were</mark>" in page or "<mark>400 people were" in page
    assert "Placeholder link" in page and "<mark>[the report](#)</mark>" in page
    assert "Impossible date" in page and "<mark>31 April 2027</mark>" in page
    with translation.override("ar"):
        arabic = editor(client, statement, "ar").content.decode()
    assert "فحص النص" in arabic and "رقم بلا مصدر" in arabic
    # Saving a fixed text makes its finding go.
    client.post(
        f"/en/dashboard/s/{statement.slug}/texts/en/",
        {"action": "save", "title": "Water now", "body": BODY.replace("31 April", "30 April")},
    )
    assert "Impossible date" not in editor(client, statement).content.decode()


@pytest.mark.django_db
def test_a_finding_is_acknowledged_with_a_reason_and_audited(client, team):
    statement, people = team
    client.force_login(people["owner"])
    path = f"/en/dashboard/s/{statement.slug}/texts/en/"
    refused = client.post(path, {"action": "acknowledge", "finding": "1", "reason": "  "})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'aria-invalid="true"' in html and 'id="reason-1-error"' in html
    assert "Say why the text is right as it is." in html
    assert not Acknowledgment.objects.exists()
    with translation.override("ar"):
        arabic = client.post(
            f"/ar/dashboard/s/{statement.slug}/texts/en/",
            {"action": "acknowledge", "finding": "1", "reason": ""},
        ).content.decode()
    assert 'id="reason-1-error"' in arabic and "اذكر" in arabic
    done = client.post(
        path, {"action": "acknowledge", "finding": "1", "reason": "The census is cited below."}
    )
    assert done.status_code == 302
    [acknowledgment] = Acknowledgment.objects.all()
    assert acknowledgment.kind == "unsourced_figure" and acknowledgment.user == people["owner"]
    entry = entries_for(statement).get(action="textchecks.finding.acknowledged")
    assert entry.reason == "The census is cited below."
    assert "Acknowledged: The census is cited below." in editor(client, statement).content.decode()
    # Out-of-range and malformed finding numbers change nothing, and never fail.
    for bad in ("0", "99", "x", ""):
        assert (
            client.post(path, {"action": "acknowledge", "finding": bad, "reason": "r"}).status_code
            == 302
        )
    assert Acknowledgment.objects.count() == 1


@pytest.mark.django_db
def test_only_those_who_write_the_texts_see_and_acknowledge_findings(client, team):
    statement, people = team
    path = f"/en/dashboard/s/{statement.slug}/texts/en/"
    for name in ("moderator", "outsider"):
        client.force_login(people[name])
        assert client.get(path).status_code == 404, name
        response = client.post(path, {"action": "acknowledge", "finding": "1", "reason": "x"})
        assert response.status_code == 404, name
    assert not Acknowledgment.objects.exists()


@pytest.mark.django_db
def test_opening_with_findings_left_asks_first(client, team):
    statement, people = team
    client.force_login(people["owner"])
    base = f"/en/dashboard/s/{statement.slug}/"
    overview = client.get(base).content.decode()
    assert "The text check has 5 findings neither fixed nor acknowledged" in overview
    asked = client.post(base, {"action": "open"})
    assert asked.status_code == 200
    assert "Open the statement anyway?" in asked.content.decode()
    statement.refresh_from_db()
    assert statement.state == "draft"
    assert client.post(base, {"action": "open", "confirm": "yes"}).status_code == 302
    statement.refresh_from_db()
    assert statement.state == "open"
    # Readers see nothing of the check.
    client.logout()
    public = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert "Text check" not in public and "finding" not in public.lower()


@pytest.mark.django_db
def test_an_acknowledged_or_clean_statement_opens_without_asking(client):
    statement = make_statement(
        state=Statement.State.DRAFT, texts={"en": ("Water", "We ask for clean water.")}
    )
    owner = account("owner")
    Membership.objects.create(statement=statement, user=owner, role="owner")
    client.force_login(owner)
    assert client.post(f"/en/dashboard/s/{statement.slug}/", {"action": "open"}).status_code == 302
    statement.refresh_from_db()
    assert statement.state == "open"


class Answers(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        status = 200 if self.path == "/fine" else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.django_db
def test_the_worker_checks_links_after_a_save_never_the_request(client, team, site):
    statement, people = team
    client.force_login(people["editor"])
    body = f"Read [this]({site}/fine) and [that]({site}/gone).\n"
    Job.objects.all().delete()
    client.post(
        f"/en/dashboard/s/{statement.slug}/texts/en/",
        {"action": "save", "title": "Water now", "body": body},
    )
    assert not LinkAnswer.objects.exists()  # the request fetched nothing
    assert Job.objects.filter(kind="textchecks.check_links").count() == 1
    jobs_run_pending()
    answers = dict(LinkAnswer.objects.values_list("url", "reason"))
    assert answers == {f"{site}/fine": "", f"{site}/gone": "404"}
    page = editor(client, statement).content.decode()
    check = page[page.index('id="check-heading"') :]
    assert "Link that does not answer" in check and f"[that]({site}/gone)" in check
    assert f"<mark>[this]({site}/fine)</mark>" not in check
    assert check.count("<mark>") == 1
    # A link taken out of the text is forgotten at the next check.
    client.post(
        f"/en/dashboard/s/{statement.slug}/texts/en/",
        {"action": "save", "title": "Water now", "body": f"Read [this]({site}/fine).\n"},
    )
    jobs_run_pending()
    assert list(LinkAnswer.objects.values_list("url", flat=True)) == [f"{site}/fine"]
