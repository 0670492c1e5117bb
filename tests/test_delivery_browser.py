"""An owner makes the letter and delivers the statement from the workspace, in a real browser
(Playwright driving Debian's chromium), in English and Arabic: the PDF letter exported and
checked on the public /verify/ page, then a delivery to three addressees through a real SMTP
server (one refused, then sent again), the statement page saying it was delivered, and the
page a signer reaches to stop update emails. axe-core checks every page at phone and desktop
width; the screenshots are in test-output/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import look, overflow, sign_in, smtp_server
from tests.factories import individual, make_statement, organization, sign_and_confirm
from tests.test_delivery import REFUSED, Sink
from undersigned.deliveries.models import Recipient
from undersigned.deliveries.updates import stop_token
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Addressee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_owner_exports_the_letter_and_delivers_the_statement(
    page, language, axe_source, output_dir, tmp_path, settings
):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    for name in ("Harbour Readers Network", "جمعية أصدقاء المكتبة"):
        sign_and_confirm(statement, organization(name=name))
    fan = sign_and_confirm(statement, individual(name="Ana Kovač", wants_updates=True))
    statement_list_refresh(statement_id=statement.pk)
    for name, email, lang in (("Minister of Culture", "minister@gov.example", "en"),
                              ("رئيسة البلدية", "mayor@city.example", "en"),
                              ("Gone Office", REFUSED, "en")):  # fmt: skip
        Addressee.objects.create(statement=statement, name=name, email=email, language=lang)
    owner = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(owner)
    sink = Sink()
    problems: list[str] = []
    with smtp_server(sink, settings):
        sign_in(page, language)
        # The letter: PDF, US Letter, both texts.
        page.goto(f"/{language}/dashboard/s/{statement.slug}/export/")
        page.locator("#id_format").select_option("pdf")
        page.locator("#id_paper").select_option("letter")
        page.locator("input[name=texts][value=en]").check()
        page.locator("input[name=texts][value=ar]").check()
        page.locator("main form[novalidate] button[type=submit]").click()
        page.locator("progress").wait_for()
        jobs_run_pending()
        page.locator("a.check-again").click()
        page.locator("a[href*='?manifest=1']").wait_for()
        with page.expect_download() as pdf_download:
            page.locator("td a[download]").first.click()
        with page.expect_download() as manifest_download:
            page.locator("a[href*='?manifest=1']").click()
        pdf = tmp_path / pdf_download.value.suggested_filename
        pdf_download.value.save_as(pdf)
        manifest = tmp_path / manifest_download.value.suggested_filename
        manifest_download.value.save_as(manifest)
        assert pdf.read_bytes().startswith(b"%PDF")
        # Anyone checks it on the public page.
        page.goto(f"/{language}/verify/")
        page.locator("input[name=manifest]").set_input_files(str(manifest))
        page.locator("input[name=files]").set_input_files(str(pdf))
        page.locator("main form button[type=submit]").click()
        page.locator("#verify-result.passed").wait_for()
        problems += look(page, "verify-ok", language, axe_source, output_dir)
        # Deliver: two addressees in English, the mayor in Arabic, named on the page.
        page.goto(f"/{language}/dashboard/s/{statement.slug}/")
        page.locator(f"nav.owner a[href$='/dashboard/s/{statement.slug}/deliver/']").click()
        problems += look(page, "deliver-form", language, axe_source, output_dir)
        for addressee in Addressee.objects.filter(statement=statement):
            page.locator(f"#id_to_{addressee.pk}").check()
        mayor = Addressee.objects.get(email="mayor@city.example")
        page.locator(f"#id_language_{mayor.pk}").select_option("ar")
        page.locator("#id_public_names").check()
        page.locator("form[novalidate] button[type=submit]").first.click()
        page.locator(".messages li").wait_for()
        jobs_run_pending()
        page.reload()
        page.locator("text=550 5.1.1 No such mailbox here").wait_for()
        problems += look(page, "deliver-sent", language, axe_source, output_dir)
        assert overflow(page) == 0
        sink.refuse.clear()
        page.locator("td form button[type=submit]").click()
        jobs_run_pending()
        page.reload()
        assert Recipient.objects.filter(status="sent").count() == 3
        assert len(sink.parsed("mayor@city.example")) == 1
        # The statement page says so, with the names.
        page.goto(f"/{language}/s/{statement.slug}/")
        delivered = page.locator("section.delivered").inner_text()
        assert "Minister of Culture" in delivered and "رئيسة البلدية" in delivered
        problems += look(page, "statement-delivered", language, axe_source, output_dir)
        # The signer who asked got one email; its link shows a button, which stops them.
        assert len([m for m in sink.parsed(fan.email) if m["List-Unsubscribe"]]) == 1
        page.goto(f"/{language}/updates/stop/{stop_token(fan)}/")
        problems += look(page, "stop-updates", language, axe_source, output_dir)
        page.locator("main form button[type=submit]").click()
        page.locator(".notice.passed").wait_for()
        fan.refresh_from_db()
        assert not fan.wants_updates
    assert not problems, "\n".join(problems)
