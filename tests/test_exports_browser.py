"""An owner exports the list from the workspace, in a real browser (Playwright driving Debian's
chromium), in English and Arabic: the form, the progress while the worker makes it, then the
file and its signed manifest, downloaded and verified. axe-core checks the page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import look, sign_in
from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.deliveries.manifest import verify
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.services import statement_list_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_owner_exports_and_downloads_a_verifiable_file(
    page, language, axe_source, output_dir, tmp_path
):
    statement = make_statement()
    for name in ("Harbour Readers Network", "=1+1 Formula Club", "جمعية أصدقاء المكتبة"):
        sign_and_confirm(statement, organization(name=name))
    statement_list_refresh(statement_id=statement.pk)
    owner = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(owner)
    sign_in(page, language)
    page.goto(f"/{language}/dashboard/s/{statement.slug}/")
    page.locator(f"nav.owner a[href$='/dashboard/s/{statement.slug}/export/']").click()
    page.locator("#id_format").select_option("csv")
    page.locator("input[name=scope][value=owner]").check()
    page.locator("main form[novalidate] button[type=submit]").click()
    page.locator("progress").wait_for()
    problems = look(page, "export-progress", language, axe_source, output_dir)
    jobs_run_pending()
    page.locator("a.check-again").click()
    page.locator("a[href*='?manifest=1']").wait_for()
    problems += look(page, "export-ready", language, axe_source, output_dir)
    with page.expect_download() as file_download:
        page.locator("td a[download]").first.click()
    with page.expect_download() as manifest_download:
        page.locator("a[href*='?manifest=1']").click()
    data = tmp_path / file_download.value.suggested_filename
    file_download.value.save_as(data)
    signed = tmp_path / manifest_download.value.suggested_filename
    manifest_download.value.save_as(signed)
    assert signed.name == data.name + ".manifest.json"
    [check] = verify(signed.read_bytes(), {data.name: data})
    assert check.ok
    text = data.read_text()
    assert "'=1+1 Formula Club" in text and "جمعية أصدقاء المكتبة" in text
    assert not problems, "\n".join(problems)
