"""A statement from draft to changed text, in a real browser (Playwright driving Debian's
chromium), in English and Arabic: a coordinator writes it and circulates the draft's link, a
partner signs before launch, it opens and is signed publicly, the text changes with a note and
signers are told, the history shows the change word by word (right to left in Arabic), and the
signer's own page shows the version they signed. axe-core checks each new page, and
screenshots are saved in test-output/."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import look, sign_in
from tests.factories import record_submissions
from undersigned.core.mail import written_messages
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature
from undersigned.statements.models import Statement, TextRevision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
TEXTS = {
    "en": (
        "Light the cycle paths along the river",
        "The river paths are dark from five in the evening in winter.\n\n"
        "We ask the council to light them before the end of the year.",
        "We ask the council to light them before the end of January.",
    ),
    "ar": (
        "أنيروا مسارات الدراجات على ضفة النهر",
        "مسارات النهر مظلمة منذ الخامسة مساءً في الشتاء.\n\nنطلب من المجلس إنارتها قبل نهاية العام.",
        "نطلب من المجلس إنارتها قبل نهاية شهر كانون الثاني.",
    ),
}
NOTE = {"en": "The deadline is now the end of January.", "ar": "أصبح الموعد نهاية كانون الثاني."}


def path_of(link: str) -> str:
    parts = urlparse(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links_in(message, kind: str) -> list[str]:
    return re.findall(rf"https?://\S+/{kind}/\S+", message.get_content())


def mail_to(mail_dir, address: str):
    return [m for m in written_messages(mail_dir) if m["To"] == address]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_draft_circulates_opens_changes_and_each_signer_sees_their_version(
    page, browser, live_server, mail_dir, language, axe_source, output_dir
):
    title, body, changed_paragraph = TEXTS[language]
    get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    problems: list[str] = []

    # The coordinator creates the statement and writes its text.
    sign_in(page, language)
    page.goto(f"/{language}/dashboard/new/")
    page.locator("#id_title").fill(title)
    page.locator("#id_default_language").select_option(language)
    page.locator("main form[novalidate] button[type=submit]").click()
    page.locator("textarea#id_body").fill(body)
    page.locator("button[value=preview]").click()
    page.locator(".preview .body p").first.wait_for()
    page.locator("button[value=save]").click()
    page.locator(".messages").wait_for()
    statement = Statement.objects.get()

    # It circulates the draft's secret link.
    page.goto(f"/{language}/dashboard/s/{statement.slug}/")
    page.locator("button[value=preview_rotate]").click()
    page.locator("#preview-url").wait_for()
    problems += look(page, "workspace-circulate", language, axe_source, output_dir)
    preview = path_of(page.locator("#preview-url").input_value())

    # A partner opens it in their own browser and signs for their organization.
    partner = browser.new_context(base_url=live_server.url).new_page()
    partner.goto(preview)
    assert partner.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
    assert title in partner.locator("h1").inner_text()
    problems += look(partner, "preview", language, axe_source, output_dir)
    partner.locator("#id_name").fill("Riverside Cyclists Association")
    partner.locator("#id_acronym").fill("RCA")
    partner.locator("#id_country").select_option("NL")
    partner.locator("#id_website").fill("riverside-cyclists.example.org")
    partner.locator("#id_contact_name").fill("Joost de Vries")
    partner.locator("#id_contact_role").fill("Chair")
    partner.locator("#id_email").fill("board@riverside-cyclists.example.org")
    partner.locator("form[novalidate] button[type=submit]").click()
    partner.wait_for_load_state()
    assert "/sent/" in partner.url, partner.locator("main").inner_text()
    record_submissions()
    jobs_run_pending()
    [confirmation] = mail_to(mail_dir, "board@riverside-cyclists.example.org")
    partner.goto(path_of(links_in(confirmation, "confirm")[0]))
    partner.locator("main form button[type=submit]").click()
    partner.locator(".your-entry").wait_for()
    assert Signature.objects.get().initial

    # The statement opens, and a reader signs it publicly.
    page.goto(f"/{language}/dashboard/s/{statement.slug}/")
    page.locator("button[value=open]").click()
    page.locator(".messages").wait_for()
    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(f"/{language}/s/{statement.slug}/sign/individual/")
    reader.locator("#id_name").fill("Ana Kovač")
    reader.locator("#id_country").select_option("HR")
    reader.locator("#id_email").fill("ana@example.org")
    reader.locator("input[name=visibility][value=show]").check()
    reader.locator("form[novalidate] button[type=submit]").click()
    reader.wait_for_url("**/sent/")
    record_submissions()
    jobs_run_pending()
    [confirmation] = mail_to(mail_dir, "ana@example.org")
    reader.goto(path_of(links_in(confirmation, "confirm")[0]))
    reader.locator("main form button[type=submit]").click()
    reader.locator(".your-entry").wait_for()
    jobs_run_pending()
    reader.goto(f"/{language}/s/{statement.slug}/")
    lists = reader.locator("main").inner_text()
    initial_heading = "Initial signatories" if language == "en" else "الموقّعون الأوائل"
    assert lists.index(initial_heading) < lists.index("Riverside Cyclists Association")
    assert lists.index("Riverside Cyclists Association") < lists.index("Ana Kovač")

    # The coordinator changes the text: a note is required, then signers are told.
    page.goto(f"/{language}/dashboard/s/{statement.slug}/texts/{language}/")
    first, _second = body.split("\n\n")
    page.locator("textarea#id_body").fill(f"{first}\n\n{changed_paragraph}")
    page.locator("button[value=save]").click()
    page.locator("#error-summary").wait_for()
    assert page.locator("#id_note_error").is_visible()
    problems += look(page, "text-change-note-error", language, axe_source, output_dir)
    page.locator("#id_note").fill(NOTE[language])
    page.locator("#id_notify").check()
    page.locator("button[value=save]").click()
    page.locator(".messages").wait_for()
    assert TextRevision.objects.filter(note=NOTE[language]).count() == 1
    while jobs_run_pending():
        pass
    [told] = mail_to(mail_dir, "ana@example.org")[1:]
    assert NOTE[language] in told.get_content()
    assert len(mail_to(mail_dir, "board@riverside-cyclists.example.org")) == 2

    # The public page says the text changed; the reader follows the email to the changes.
    reader.goto(f"/{language}/s/{statement.slug}/")
    assert reader.locator(".text-changed a").count() == 1
    [changes] = [
        link for link in re.findall(r"https?://\S+", told.get_content()) if "/history/" in link
    ]
    reader.goto(path_of(changes))
    diff = reader.locator(".compare .diff")
    assert diff.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    added = " ".join(diff.locator("ins").all_inner_texts())
    assert ("January" if language == "en" else "كانون") in added
    assert diff.locator("del").count() >= 1
    if language == "ar":
        # Right to left: the paragraph's first words sit at the right.
        box = diff.locator("p").last.bounding_box()
        first_word = diff.locator("p").last.evaluate(
            "p => { const r = document.createRange(); r.setStart(p.firstChild, 0);"
            " r.setEnd(p.firstChild, 3); return r.getBoundingClientRect().right; }"
        )
        assert first_word > box["x"] + box["width"] * 0.7
    problems += look(reader, "history-diff", language, axe_source, output_dir)

    # Their own page shows the version they signed, and what changed since.
    [manage] = links_in(told, "manage")
    reader.goto(path_of(manage))
    signed = reader.locator(".signed-text")
    assert signed.locator(".diff ins").count() >= 1
    signed.locator("summary").click()
    assert "end of the year" in signed.inner_text() or "نهاية العام" in signed.inner_text()
    problems += look(reader, "manage-signed-version", language, axe_source, output_dir)
    assert not problems, "\n".join(problems)
