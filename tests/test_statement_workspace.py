"""Statements made and run from the workspace (issue 17, points 2, 3 and 5): create a draft,
change its settings, write and preview each language's text, open, pause and close it, each for
the roles that may, with bad input refused beside its field."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from tests.factories import make_statement
from undersigned.core.audit import entries_for
from undersigned.statements.models import Membership, Statement, StatementText

PASSWORD = "a-long-test-password"

NEW = {
    "title": "Keep the swimming pools open in winter",
    "default_language": "en",
    "slug": "",
    "kind": "open_letter",
    "signers": "both",
    "time_zone": "Europe/Madrid",
    "proof_of_work": "auto",
    "opens_at": "",
    "closes_at": "",
    "goal": "",
}


def account(name: str):
    return get_user_model().objects.create_user(username=name, password=PASSWORD)


@pytest.fixture
def team():
    statement = make_statement(state=Statement.State.DRAFT)
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    Membership.objects.create(statement=make_statement(), user=people["outsider"], role="owner")
    return statement, people


def errors_of(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_a_coordinator_creates_a_draft_and_becomes_its_owner(client):
    user = account("maria")
    client.force_login(user)
    response = client.post("/en/dashboard/new/", {**NEW, "opens_at": "2026-12-01T10:00"})
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.slug == "keep-the-swimming-pools-open-in-winter"
    assert (statement.state, statement.kind) == ("draft", "open_letter")
    # 10:00 in Madrid (UTC+1 in December) is 09:00 UTC.
    assert statement.opens_at.isoformat() == "2026-12-01T09:00:00+00:00"
    assert Membership.objects.get(statement=statement).user == user
    assert statement.texts.get().title == NEW["title"]
    assert entries_for(statement).filter(action="statements.statement.created").exists()
    assert client.get(f"/en/s/{statement.slug}/").status_code == 404  # a draft is not public
    # The settings page shows the date as it was typed, in the statement's zone.
    page = client.get(f"/en/dashboard/s/{statement.slug}/settings/").content.decode()
    assert 'value="2026-12-01T10:00"' in page


@pytest.mark.django_db
def test_an_arabic_title_gets_a_dated_address_and_taken_ones_get_a_number(client):
    client.force_login(account("maria"))
    for _ in range(2):
        client.post(
            "/ar/dashboard/new/", {**NEW, "title": "أبقوا المسابح مفتوحة", "default_language": "ar"}
        )
    slugs = sorted(Statement.objects.values_list("slug", flat=True))
    today = timezone.localdate().isoformat()
    assert slugs == [f"statement-{today}", f"statement-{today}-2"]


@pytest.mark.django_db
def test_bad_settings_are_refused_beside_their_fields_in_the_page_language(client):
    make_statement(slug="taken")
    client.force_login(account("maria"))
    cases = {
        "slug": ({"slug": "taken"}, "Another statement has this address"),
        "slug ": ({"slug": "dashboard"}, "reserved by the platform"),
        "goal": ({"goal": "0"}, "A goal is at least 1 signature."),
        "closes_at": (
            {"opens_at": "2026-12-10T10:00", "closes_at": "2026-12-01T10:00"},
            "The closing date must come after the opening date.",
        ),
        "title": ({"title": "   "}, "This field is required."),
        "time_zone": ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
    }
    with translation.override("en"):
        for field, (change, message) in cases.items():
            response = client.post("/en/dashboard/new/", {**NEW, **change})
            page = errors_of(response)
            assert response.status_code == 200, field
            assert f'id="id_{field.strip()}_error"' in page and message in page, field
            assert "<title>Error:" in page
    assert Statement.objects.count() == 1
    arabic = client.post("/ar/dashboard/new/", {**NEW, "goal": "0"})
    assert "<title>خطأ:" in errors_of(arabic)


@pytest.mark.django_db
def test_each_role_reaches_only_what_it_may(client, team):
    statement, people = team
    base = f"/en/dashboard/s/{statement.slug}"
    rules = {
        f"{base}/": {"owner", "editor", "moderator"},
        f"{base}/settings/": {"owner", "editor"},
        f"{base}/texts/ar/": {"owner", "editor"},
    }
    for name, user in people.items():
        client.force_login(user)
        for path, roles in rules.items():
            assert client.get(path).status_code == (200 if name in roles else 404), (name, path)
        response = client.post(f"{base}/", {"action": "close"})
        expected = 302 if name in {"owner", "editor"} else 404
        assert response.status_code == expected, name
        statement.refresh_from_db()
        if expected == 404:
            assert statement.state == "draft"
        client.post(f"{base}/", {"action": "draft"}) if expected == 302 else None


@pytest.mark.django_db
def test_an_editor_previews_then_saves_a_sanitized_text(client, team):
    statement, people = team
    client.force_login(people["editor"])
    path = f"/en/dashboard/s/{statement.slug}/texts/ar/"
    form = {"title": "عنوان", "body": "نص **مهم** <script>alert(1)</script>"}
    preview = client.post(path, {**form, "action": "preview"}).content.decode()
    assert "<strong>مهم</strong>" in preview and "<script>alert" not in preview
    assert 'dir="rtl"' in preview
    assert not StatementText.objects.filter(statement=statement, language="ar", title="عنوان")
    assert client.post(path, {**form, "action": "save"}).status_code == 302
    text = StatementText.objects.get(statement=statement, language="ar")
    assert "<strong>مهم</strong>" in text.body_html and "<script" not in text.body_html


@pytest.mark.django_db
def test_empty_and_oversized_texts_are_refused(client, team, settings):
    statement, people = team
    settings.TEXT_MAX_CHARS = 1000
    client.force_login(people["owner"])
    path = f"/en/dashboard/s/{statement.slug}/texts/en/"
    with translation.override("en"):
        blank = errors_of(client.post(path, {"title": "T", "body": " \n\t ", "action": "save"}))
        assert 'id="id_body_error"' in blank and "Write the text." in blank
        long = errors_of(client.post(path, {"title": "T", "body": "x" * 1001, "action": "save"}))
        assert "the limit is 1000" in long
    assert client.get(f"/en/dashboard/s/{statement.slug}/texts/xx/").status_code == 404


@pytest.mark.django_db
def test_a_statement_opens_only_when_its_checklist_passes(client, team):
    statement, people = team
    client.force_login(people["owner"])
    base = f"/en/dashboard/s/{statement.slug}/"
    StatementText.objects.filter(statement=statement, language="ar").update(body="")
    with translation.override("en"):
        page = client.get(base).content.decode()
        assert "needs a title and a body" in page
        client.post(base, {"action": "open"})
        statement.refresh_from_db()
        assert statement.state == "draft"
        client.post(f"{base}texts/ar/", {"title": "عنوان", "body": "نص كامل.", "action": "save"})
        Statement.objects.filter(pk=statement.pk).update(
            closes_at=timezone.now() - timedelta(days=1)
        )
        assert "The closing date has passed" in client.get(base).content.decode()
        Statement.objects.filter(pk=statement.pk).update(closes_at=None)
    client.post(base, {"action": "open"})
    statement.refresh_from_db()
    assert statement.state == "open"
    assert client.get(f"/en/s/{statement.slug}/").status_code == 200
    client.post(base, {"action": "pause"})
    statement.refresh_from_db()
    assert statement.signing_paused
    client.post(base, {"action": "close"})
    statement.refresh_from_db()
    assert statement.state == "closed"
    actions = set(entries_for(statement).values_list("action", flat=True))
    assert {
        "statements.statement.open",
        "statements.statement.paused",
        "statements.statement.closed",
    } <= actions


@pytest.mark.django_db
def test_the_kind_changes_the_sign_box_wording(client):
    letter = make_statement(kind="open_letter")
    page = client.get(f"/en/s/{letter.slug}/").content.decode()
    assert "Sign this open letter" in page and "Sign this statement" not in page


class _FormFields(HTMLParser):
    """The fields of the first form named by `form_id`, as a browser would post them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self.fields[self._select] = a.get("value", "")
            return
        name = a["name"]
        if tag == "input" and a.get("type") not in ("submit", "checkbox", "radio"):
            self.fields[name] = a.get("value", "")
        elif tag == "input" and "checked" in a:
            self.fields[name] = a.get("value", "on")
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            # A browser drops the newline that follows <textarea>.
            name = self._textarea or ""
            self.fields[name] = self.fields[name].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self.inside = False


@pytest.mark.django_db
def test_a_settings_change_in_the_admin_is_audited_like_one_in_the_workspace(client):
    statement = make_statement(goal=100)
    operator = get_user_model().objects.create_superuser("operator", "op@example.org", PASSWORD)
    client.force_login(operator)
    path = f"/admin/statements/statement/{statement.pk}/change/"
    fields = _FormFields("statement_form")
    fields.feed(client.get(path).content.decode())
    data = {**fields.fields, "goal": "250"}
    response = client.post(path, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    statement.refresh_from_db()
    assert statement.goal == 250
    entry = entries_for(statement).get(action="statements.statement.settings_changed")
    assert entry.data == {"fields": ["goal"]} and entry.actor == operator


@pytest.mark.django_db
def test_a_translation_needs_update_when_the_first_language_changes_and_shows_where(client, team):
    statement, people = team
    client.force_login(people["editor"])
    base = f"/en/dashboard/s/{statement.slug}"
    save = {"action": "save"}
    client.post(f"{base}/texts/en/", {**save, "title": "Title", "body": "One.\n\nTwo.\n\nThree."})
    client.post(
        f"{base}/texts/ar/", {**save, "title": "عنوان", "body": "واحد.\n\nاثنان.\n\nثلاثة."}
    )
    with translation.override("en"):
        overview = client.get(f"{base}/").content.decode()
        assert "needs update" not in overview and "up to date" in overview
        # The first language changes its second paragraph.
        client.post(
            f"{base}/texts/en/",
            {**save, "title": "Title", "body": "One.\n\nTwo, changed.\n\nThree."},
        )
        assert "needs update" in client.get(f"{base}/").content.decode()
        dashboard = client.get("/en/dashboard/").content.decode()
        assert 'data-label="Texts to update">Arabic</td>' in dashboard
        editor = client.get(f"{base}/texts/ar/").content.decode()
    rows = editor.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    marked = [i + 1 for i, row in enumerate(rows) if "needs update" in row]
    assert marked == [2]  # only the paragraph whose source changed
    # Saving the translation again makes it current.
    client.post(
        f"{base}/texts/ar/", {**save, "title": "عنوان", "body": "واحد.\n\nاثنان معدّل.\n\nثلاثة."}
    )
    with translation.override("en"):
        assert "needs update" not in client.get(f"{base}/").content.decode()


@pytest.mark.django_db
def test_addressees_are_kept_with_the_statement_and_shown_without_their_email(client, team):
    statement, people = team
    Statement.objects.filter(pk=statement.pk).update(state=Statement.State.OPEN)
    path = f"/en/dashboard/s/{statement.slug}/addressees/"
    client.force_login(people["moderator"])
    assert client.get(path).status_code == 404
    client.force_login(people["editor"])
    with translation.override("en"):
        bad = client.post(path, {"action": "add", "name": "  ", "email": "nope", "language": "xx"})
        page = bad.content.decode()
        for field in ("name", "email", "language"):
            assert f'id="id_{field}_error"' in page, field
    client.post(
        path,
        {
            "action": "add",
            "name": "Minister of Culture",
            "role": "Minister",
            "institution": "Ministry of Culture",
            "email": "minister@culture.example.org",
            "language": "ar",
        },
    )
    addressee = statement.addressees.get()
    assert addressee.language == "ar"
    public = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert "Minister of Culture" in public and "minister@culture" not in public
    client.force_login(people["outsider"])
    client.post(
        f"/en/dashboard/s/{statement.slug}/addressees/",
        {"action": "remove", "addressee": addressee.pk},
    )
    assert statement.addressees.exists()  # another statement's owner: 404, nothing removed
    client.force_login(people["owner"])
    client.post(path, {"action": "remove", "addressee": addressee.pk})
    assert not statement.addressees.exists()
    actions = list(entries_for(statement).values_list("action", flat=True))
    assert "statements.addressee.added" in actions and "statements.addressee.removed" in actions


@pytest.mark.django_db
def test_the_dashboard_counts_the_last_day_and_draws_signatures_per_day(client, team):
    from tests.factories import individual, sign_and_confirm
    from undersigned.signatures.services import signature_withdraw
    from undersigned.signatures.tokens import make_token

    statement, people = team
    Statement.objects.filter(pk=statement.pk).update(state=Statement.State.OPEN)
    statement.refresh_from_db()
    now = timezone.now()
    # Signed and confirmed on those days (confirmation times are evidence: never rewritten).
    for days_ago in (0, 0, 0, 3, 12, 20):
        with time_machine.travel(now - timedelta(days=days_ago, minutes=1), tick=False):
            sign_and_confirm(statement, individual())
    withdrawn = sign_and_confirm(statement, individual())
    signature_withdraw(
        token=make_token(purpose="manage", signature_id=withdrawn.pk, nonce=withdrawn.token_nonce)
    )
    client.force_login(people["moderator"])
    with translation.override("en"):
        page = client.get("/en/dashboard/").content.decode()
    assert 'data-label="Last 24 hours">3</td>' in page
    chart = page.split('<svg class="chart"')[1].split("</svg>")[0]
    heights = [int(h) for h in re.findall(r'<rect [^>]*height="(\d+)"', chart)]
    assert heights == [10, 10, 30]  # 12 and 3 days ago one each, today three
    assert "5 signatures in the last 14 days" in chart  # the one of 20 days ago is left out
    assert "style=" not in chart  # presentation attributes only (the CSP allows no inline style)
