"""The text check in the editor, in a real browser (Playwright driving Debian's chromium), in
English and Arabic: findings show beside the text after a save with their line and words
marked, one is acknowledged with a reason (refused first without one), and opening asks for
confirmation while findings are left. axe-core checks the pages; screenshots are saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import look, sign_in
from tests.factories import make_statement
from undersigned.statements.models import Statement
from undersigned.textchecks.models import Acknowledgment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
TEXTS = {
    "en": "Some 400 families were displaced.\n\nRead [the report](#).\n\nWe meet on 31 April 2027.",
    "ar": "نزحت ٤٠٠ عائلة.\n\nاقرأ [التقرير](#).\n\nنلتقي في ٣١ نيسان ٢٠٢٧.",
}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_coordinator_sees_acknowledges_and_opens_with_findings(
    page, language, axe_source, output_dir
):
    statement = make_statement(
        state=Statement.State.DRAFT,
        default_language=language,
        texts={language: ("Title" if language == "en" else "عنوان", "Clean text.")},
    )
    owner = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(owner)
    sign_in(page, language)
    page.goto(f"/{language}/dashboard/s/{statement.slug}/texts/{language}/")
    page.locator("textarea#id_body").fill(TEXTS[language])
    page.locator("button[value=save]").click()
    page.locator(".messages").wait_for()
    findings = page.locator("ol.findings > li")
    assert findings.count() == 3
    assert findings.nth(0).locator("mark").count() == 1
    problems = look(page, "text-check", language, axe_source, output_dir)

    # A reason is required; the error sits beside its field, in the page's language.
    first = findings.nth(0)
    first.locator("button[type=submit]").click()
    page.locator("#reason-1-error").wait_for()
    assert page.locator("#reason-1").get_attribute("aria-invalid") == "true"
    problems += look(page, "text-check-error", language, axe_source, output_dir)
    page.locator("#reason-1").fill("The figure comes from our own count.")
    page.locator("#finding-1 button[type=submit]").click()
    page.locator("#finding-1.acknowledged").wait_for()
    assert Acknowledgment.objects.count() == 1

    # Opening with two findings left asks first.
    page.goto(f"/{language}/dashboard/s/{statement.slug}/")
    page.locator("button[value=open]").click()
    page.locator(".confirm-open").wait_for()
    problems += look(page, "open-confirm", language, axe_source, output_dir)
    statement.refresh_from_db()
    assert statement.state == "draft"
    page.locator(".confirm-open button[value=open]").click()
    page.locator(".messages").wait_for()
    statement.refresh_from_db()
    assert statement.state == "open"
    assert not problems, "\n".join(problems)
