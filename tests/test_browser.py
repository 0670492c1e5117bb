"""The whole path in a real browser: Playwright driving Debian's chromium."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_statement, make_superuser, record_submissions
from undersigned.core.mail import written_messages
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def confirmation_link(mail_dir) -> str:
    message = written_messages(mail_dir)[-1]
    return re.search(r"https?://\S+/confirm/\S+/", message.get_content()).group(0)


def open_link(page, live_server, link: str) -> None:
    # Links use the configured base URL; the test server listens on another port.
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))


def sign_as_individual(page, statement, *, name: str, email_address: str, show: bool) -> None:
    page.goto(f"/en/s/{statement.slug}/")
    page.get_by_role("link", name="Sign as an individual").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Country").select_option("ES")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Show my name" if show else "Count me without showing my name").check()
    page.get_by_role("button", name="Sign").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()


def test_an_individual_signs_confirms_from_the_eml_and_is_listed(page, live_server, mail_dir):
    statement = make_statement()
    sign_as_individual(
        page, statement, name="Lucía Fernández", email_address="lucia@example.org", show=True
    )
    jobs_run_pending()  # the worker writes the email
    open_link(page, live_server, confirmation_link(mail_dir))
    page.get_by_role("heading", name="Confirm your signature").wait_for()
    assert Signature.objects.get().status == Signature.Status.PENDING  # opening changed nothing
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    jobs_run_pending()  # the worker refreshes counts and numbers
    page.goto(f"/en/s/{statement.slug}/")
    entry = page.locator("ol.signatories li").first
    assert entry.inner_text().startswith("Lucía Fernández")
    assert entry.locator("bdi.name").count() == 1
    assert page.locator('[data-count="individuals"]').inner_text() == "1"


def test_an_unnamed_signer_is_counted_but_not_listed(page, live_server, mail_dir):
    statement = make_statement()
    sign_as_individual(
        page, statement, name="Hidden Signer", email_address="hidden@example.org", show=False
    )
    jobs_run_pending()
    open_link(page, live_server, confirmation_link(mail_dir))
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    jobs_run_pending()
    page.goto(f"/en/s/{statement.slug}/")
    assert page.locator('[data-count="individuals"]').inner_text() == "1"
    assert "Hidden Signer" not in page.content()
    assert "1 person signed without showing their name." in page.content()


def test_a_signer_withdraws_from_the_link_in_the_email(page, live_server, mail_dir):
    statement = make_statement()
    sign_as_individual(
        page, statement, name="Second Thoughts", email_address="st@example.org", show=True
    )
    jobs_run_pending()
    [message] = written_messages(mail_dir)
    body = message.get_content()
    confirm_url = re.search(r"https?://\S+/confirm/\S+/", body).group(0)
    manage_url = re.search(r"https?://\S+/manage/\S+/", body).group(0)
    open_link(page, live_server, confirm_url)
    page.get_by_role("button", name="Confirm my signature").click()
    jobs_run_pending()
    page.goto(f"/en/s/{statement.slug}/")
    assert "Second Thoughts" in page.content()
    open_link(page, live_server, manage_url)
    page.get_by_role("button", name="Withdraw my signature…").click()
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    page.get_by_text("Your signature is withdrawn").wait_for()
    jobs_run_pending()
    page.goto(f"/en/s/{statement.slug}/")
    assert "Second Thoughts" not in page.content()
    assert page.locator('[data-count="individuals"]').inner_text() == "0"


def test_an_organization_signs_is_approved_in_the_admin_and_is_listed(page, live_server, mail_dir):
    statement = make_statement(review_organizations=True)
    make_superuser("coordinator", "a-long-test-password")
    page.goto(f"/en/s/{statement.slug}/")
    page.get_by_role("link", name="Sign on behalf of an organization").click()
    page.get_by_label("Organization name").fill("Reading Circles Network")
    page.get_by_label("Acronym (optional)").fill("RCN")
    page.get_by_label("Country").select_option("MA")
    page.get_by_label("Website (optional)").fill("rcn.example.org")
    page.get_by_label("Contact person", exact=True).fill("Samira Haddad")
    page.get_by_label("Contact person's role").fill("Secretary")
    page.get_by_label("Email").fill("office@rcn.example.org")
    page.get_by_role("button", name="Sign").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    jobs_run_pending()
    open_link(page, live_server, confirmation_link(mail_dir))
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_text("it will be listed once they have approved it").wait_for()
    jobs_run_pending()
    page.goto(f"/en/s/{statement.slug}/")
    assert "Reading Circles Network" not in page.content()  # waits in review

    page.goto("/admin/login/?next=/admin/")  # the platform's own sign-in page answers
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.goto("/admin/signatures/signature/?status__exact=in_review")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("1 signature(s) approved and published.").wait_for()
    jobs_run_pending()

    page.goto(f"/en/s/{statement.slug}/")
    entry = page.locator("ol.signatories li").first
    assert entry.inner_text().startswith("Reading Circles Network (RCN)")
    assert page.locator('[data-count="organizations"]').inner_text() == "1"
    assert "Samira Haddad" not in page.content() and "office@rcn" not in page.content()


def test_bad_input_shows_messages_beside_the_fields(page, live_server):
    statement = make_statement()
    page.goto(f"/en/s/{statement.slug}/sign/individual/")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_role("button", name="Sign").click()
    assert page.locator("#field-name .field-errors").inner_text() == "This field is required."
    assert page.locator("#field-email .field-errors").inner_text() == "Enter a valid email address."
    assert "Choose whether your name is shown." in page.locator("#field-visibility").inner_text()
    assert page.get_by_label("Email").input_value() == "not-an-address"  # nothing typed is lost
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


def test_the_arabic_text_is_right_to_left(page, live_server, output_dir):
    statement = make_statement(goal=500)
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.goto(f"/ar/s/{statement.slug}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert statement.texts.get(language="ar").title in page.locator("h1").inner_text()
    page.get_by_role("link", name="وقّع بصفتك فرداً").wait_for()
    # In a right-to-left page the statement text starts at the right edge.
    box = page.locator(".statement-head h1").bounding_box()
    width = page.viewport_size["width"]
    assert box["x"] + box["width"] > width / 2
    shot = output_dir / "arabic-statement.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 1000
    assert problems == []  # no Content-Security-Policy violation, nothing failed to load
    assert (
        page.evaluate("getComputedStyle(document.body).margin") == "0px"
    )  # the stylesheet applied


def test_pages_work_without_javascript(browser, live_server, mail_dir):
    statement = make_statement()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_as_individual(
            page, statement, name="No Script", email_address="noscript@example.org", show=True
        )
        record_submissions()
        assert Signature.objects.filter(name="No Script").exists()
    finally:
        context.close()
