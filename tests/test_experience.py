"""Every page as people meet it, in a real browser (Playwright driving Debian's chromium), in
English and Arabic: axe-core finds nothing at 1280 and 390 px, nothing scrolls sideways at
320 px or at 200% text, and a screenshot of each is saved in test-output/ to look at."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import axe_violations, overflow
from tests.factories import (
    confirm_token,
    individual,
    make_statement,
    organization,
    sign,
    sign_and_confirm,
)
from undersigned.core.mail import written_messages
from undersigned.deliveries.updates import stop_token
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.services import signature_remove
from undersigned.signatures.models import Signature
from undersigned.signatures.services import signature_withdraw, signatures_approve
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Addressee, Statement, TextRevision
from undersigned.statements.services import (
    invitation_create,
    invitation_token,
    preview_rotate,
    preview_token,
    statement_text_save,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
PARAGRAPH_EN = (
    "Public libraries are the one place in many towns where anyone may sit, read and learn "
    "without paying. We ask the councils that fund them to keep their doors open in the "
    "evening, when people who work during the day can come."
)
PARAGRAPH_AR = (
    "المكتبات العامة هي المكان الوحيد في مدن كثيرة الذي يستطيع فيه أي شخص أن يجلس ويقرأ "
    "ويتعلم دون أن يدفع. نطلب من المجالس التي تموّلها أن تبقي أبوابها مفتوحة في المساء."
)
CHANGE = {
    "en": "On Sundays too.",
    "ar": "وأيام الأحد أيضاً.",
}
CHANGE_NOTE = {"en": "Sundays added.", "ar": "أُضيفت أيام الأحد."}
LONG_TEXTS = {
    "en": (
        "Keep the libraries open in the evening",
        "\n\n".join(
            [PARAGRAPH_EN] * 8
            + ["See [the council's report](https://council.example.org/report)."]
            + [PARAGRAPH_EN] * 4
        ),
    ),
    "ar": ("أبقوا المكتبات مفتوحة في المساء", "\n\n".join([PARAGRAPH_AR] * 12)),
}


def manage_token(signature: Signature) -> str:
    signature.refresh_from_db()
    return make_token(purpose="manage", signature_id=signature.pk, nonce=signature.token_nonce)


@pytest.fixture
def world():
    """One statement with entries in every state, and its owner."""
    statement = make_statement(
        texts=LONG_TEXTS,
        goal=500,
        review_organizations=True,
        organizer="Evening Libraries Coalition",
        contact_email="coordination@example.org",
    )
    owner = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(owner)
    listed = [
        sign_and_confirm(
            statement,
            organization(
                name="Northern Readers' Federation of Independent Public Libraries",
                email="office@readers.example.org",
                website="https://readers.example.org",
            ),
        ),
        sign_and_confirm(statement, organization(name="جمعية أصدقاء المكتبة", country="JO")),
    ]
    signatures_approve(
        signatures=Signature.objects.filter(pk__in=[s.pk for s in listed]), user=None
    )
    Signature.objects.filter(pk=listed[0].pk).update(domain_confirmed=True)
    waiting = sign_and_confirm(
        statement,
        organization(name="Harbour Reading Circle", contact_name="Samira Haddad"),
    )
    person = sign_and_confirm(
        statement, individual(name="سارة الخطيب", affiliation="معلمة", country="LB")
    )
    sign_and_confirm(statement, individual(name="Lucía Fernández", affiliation="teacher"))
    leaving = sign_and_confirm(statement, individual(name="Second Thoughts"))
    signature_withdraw(token=manage_token(leaving))
    removed = sign_and_confirm(statement, individual(name="Removed By Mistake"))
    signature_remove(signature=removed, user=owner, reason="typed twice")
    pending = sign(statement, individual(name="Not Yet Confirmed"))
    Addressee.objects.create(
        statement=statement,
        name="Council of the City",
        role="Culture committee",
        institution="City Hall",
        language="en",
    )
    invitation = invitation_create(
        statement=statement,
        email="newcomer@example.org",
        role="editor",
        language="en",
        user=owner,
    )
    # A later version of each text, with a note: the person signed the earlier one.
    for text in statement.texts.all():
        first, rest = text.body.split("\n\n", 1)
        text.body = f"{first} {CHANGE[text.language]}\n\n{rest}"
        statement_text_save(text=text, user=owner, note=CHANGE_NOTE[text.language])
    draft = make_statement(texts=LONG_TEXTS, state=Statement.State.DRAFT)
    draft.owners.add(owner)
    preview_rotate(statement=draft, user=owner)
    jobs_run_pending()
    return {
        "draft": draft,
        "invitation": invitation,
        "statement": statement,
        "waiting": waiting,
        "person": person,
        "leaving": leaving,
        "removed": removed,
        "pending": pending,
    }


def public_pages(world, language: str) -> dict[str, str]:
    slug = world["statement"].slug
    p = f"/{language}"
    latest = (
        TextRevision.objects.filter(statement=world["statement"], language=language)
        .order_by("-public_since")
        .first()
    )
    return {
        "preview": f"{p}/preview/{preview_token(world['draft'])}/",
        "preview-broken": f"{p}/preview/1-not-a-real-token/",
        "history": f"{p}/s/{slug}/history/",
        "history-diff": f"{p}/s/{slug}/history/?to={latest.pk}",
        "home": f"{p}/",
        "statement": f"{p}/s/{slug}/",
        "sign-individual": f"{p}/s/{slug}/sign/individual/",
        "sign-organization": f"{p}/s/{slug}/sign/organization/",
        "sent": f"{p}/s/{slug}/sign/sent/",
        "confirm": f"{p}/confirm/{confirm_token(world['pending'])}/",
        "thanks": f"{p}/confirm/{confirm_token(world['person'])}/",
        "manage": f"{p}/manage/{manage_token(world['person'])}/",
        "manage-withdraw": f"{p}/manage/{manage_token(world['person'])}/?step=withdraw",
        "manage-withdrawn": f"{p}/manage/{manage_token(world['leaving'])}/",
        "list-organizations": f"{p}/s/{slug}/organizations/",
        "list-az": f"{p}/s/{slug}/organizations/?order=az",
        "list-by-country": f"{p}/s/{slug}/organizations/?order=country",
        "list-individuals": f"{p}/s/{slug}/individuals/",
        "privacy": f"{p}/privacy/",
        "sign-in": f"{p}/accounts/login/",
        "password-reset": f"{p}/accounts/password/reset/",
        "invitation": f"{p}/invite/{invitation_token(world['invitation'])}/",
        "invitation-broken": f"{p}/invite/1-not-a-real-token/",
        "broken-link": f"{p}/confirm/1-not-a-real-token/",
        "not-found": f"{p}/s/no-such-statement/",
        "verify": f"{p}/verify/",
        "embed": f"{p}/embed/s/{slug}/",
        "embed-sign": f"{p}/embed/s/{slug}/sign/",
        "share-mastodon": f"{p}/s/{slug}/share/mastodon/?instance=not+a+server",
        "stop-updates": f"{p}/updates/stop/{stop_token(world['person'])}/",
    }


def coordinator_pages(world, language: str) -> dict[str, str]:
    slug = world["statement"].slug
    base = f"/{language}/dashboard/s/{slug}"
    return {
        "dashboard": f"/{language}/dashboard/",
        "entries": f"{base}/entries/",
        "entries-removed": f"{base}/entries/?kinds=individuals&state=removed",
        "entries-search": f"{base}/entries/?q=harbour",
        "members": f"{base}/members/",
        "statement-new": f"/{language}/dashboard/new/",
        "statement-overview": f"{base}/",
        "statement-settings": f"{base}/settings/",
        "addressees": f"{base}/addressees/",
        "text-editor-ar": f"{base}/texts/ar/",
        "text-editor-en": f"{base}/texts/en/",
        "entry-waiting": f"{base}/entries/{world['waiting'].pk}/",
        "entry-removed": f"{base}/entries/{world['removed'].pk}/",
        "review": f"{base}/review/",
        "import": f"{base}/import/",
        "two-factor": f"/{language}/accounts/two-factor/",
        "export": f"{base}/export/",
        "deliver": f"{base}/deliver/",
        "share-material": f"{base}/share/",
        "tokens": f"{base}/tokens/",
    }


def check(page, name: str, language: str, axe_source: str, output_dir) -> list[str]:
    """axe at both sizes (with a screenshot of each), then the widths of WCAG 1.4.10."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(output_dir / f"{name}-{language}-{size}.png"), full_page=True)
        problems += [f"{name} {size}: {p}" for p in axe_violations(page, axe_source)]
    # The dark colours pass too (axe at desktop size, the system asking for dark).
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(output_dir / f"{name}-{language}-dark.png"))
    problems += [f"{name} dark: {p}" for p in axe_violations(page, axe_source)]
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 320, "height": 640})
    if overflow(page) > 0:
        problems.append(f"{name}: {overflow(page)} px too wide at 320 px")
    page.set_viewport_size({"width": 640, "height": 800})
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    if overflow(page) > 0:
        problems.append(f"{name}: {overflow(page)} px too wide at 200% text in 640 px")
    page.evaluate("document.documentElement.style.fontSize = ''")
    return problems


def sign_in(page, language: str) -> None:
    page.goto(f"/{language}/accounts/login/")
    page.locator("input[name=username]").fill("coordinator")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_passes_axe_and_fits_phones_and_zoom(
    page, world, language, axe_source, output_dir
):
    problems: list[str] = []
    for name, path in public_pages(world, language).items():
        page.goto(path)
        problems += check(page, name, language, axe_source, output_dir)
    # A form sent empty: the page with its error summary.
    page.goto(public_pages(world, language)["sign-organization"])
    page.locator(".sign-form form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    problems += check(page, "sign-errors", language, axe_source, output_dir)

    sign_in(page, language)
    for name, path in coordinator_pages(world, language).items():
        page.goto(path)
        problems += check(page, name, language, axe_source, output_dir)
    page.goto(coordinator_pages(world, language)["import"])
    page.locator("textarea[name=text]").fill(
        "1. Harbour Workers Network (HWN), Chile\n2. Valley Choir of the Southern Lakes Region\n"
        "3. Sofía Martínez\n"
    )
    page.locator("main form[enctype] button[type=submit]").click()
    page.locator("table.preview").wait_for()
    problems += check(page, "import-preview", language, axe_source, output_dir)
    page.goto(coordinator_pages(world, language)["entry-waiting"])
    page.locator("form:has(input[value=remove]) button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    problems += check(page, "entry-errors", language, axe_source, output_dir)
    page.goto(coordinator_pages(world, language)["statement-new"])
    page.locator("main form[novalidate] button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    problems += check(page, "statement-new-errors", language, axe_source, output_dir)
    assert not problems, "\n".join(problems)


# --- The paths people take ----------------------------------------------------------------

TITLE_ERROR = {"en": "Error:", "ar": "خطأ:"}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_failed_sign_focuses_a_summary_linking_each_error(page, language):
    statement = make_statement()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/{language}/s/{statement.slug}/sign/individual/")
    page.locator("#id_email").fill("not-an-address")
    page.locator(".sign-form form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.title().startswith(TITLE_ERROR[language])
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = page.locator("#error-summary").bounding_box()
    assert box["y"] < 844  # on a phone's first screen, not below the text
    links = page.locator("#error-summary a")
    assert links.count() == 4  # name, country, email, and the choice about the name
    # Every aria-describedby names elements that exist, and the email's carries its error.
    broken = page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(el =>
            el.getAttribute('aria-describedby').split(/\\s+/)
              .filter(id => !document.getElementById(id)).map(id => el.id + ' -> ' + id))"""
    )
    assert broken == []
    described = page.evaluate(
        """() => document.querySelector('#id_email').getAttribute('aria-describedby')
            .split(' ').map(id => document.getElementById(id).textContent).join(' | ')"""
    )
    message = "Enter a valid email address." if language == "en" else "عنوان بريد"
    assert message in described
    page.locator('#error-summary a[href="#id_email"]').click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert page.locator("#id_email").input_value() == "not-an-address"  # nothing typed is lost
    assert Signature.objects.count() == 0


def test_the_sign_box_sits_beside_the_text_and_stays_reachable_on_phones(page):
    statement = make_statement(texts=LONG_TEXTS)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/en/s/{statement.slug}/")
    text = page.locator("article.statement-text").bounding_box()
    side = page.locator("aside.side").bounding_box()
    assert side["x"] > text["x"] + text["width"] - 1  # beside the text, not under it
    assert page.get_by_role("link", name="Sign as an individual").bounding_box()["y"] < 800
    assert not page.locator(".sign-jump").is_visible()
    page.goto(f"/ar/s/{statement.slug}/")
    side = page.locator("aside.side").bounding_box()
    assert side["x"] < page.locator("article.statement-text").bounding_box()["x"]  # its left

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/en/s/{statement.slug}/")
    jump = page.locator(".sign-jump")
    assert jump.is_visible() and jump.bounding_box()["y"] + jump.bounding_box()["height"] <= 844
    page.evaluate("window.scrollTo(0, 1500)")  # in the middle of the text
    assert -1 <= jump.bounding_box()["y"] <= 1  # stuck at the top of the screen
    # A link in the text, reached with the keyboard, is scrolled clear of the bar (2.4.11).
    # The link sits just under the bar when the keyboard reaches it (from the bar's own link).
    link_top = page.evaluate(
        "document.querySelector('.body a').getBoundingClientRect().top + window.scrollY"
    )
    page.evaluate(f"window.scrollTo(0, {link_top} - 10)")
    page.locator(".sign-jump a").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert page.evaluate("document.activeElement.textContent") == "the council's report"
    assert focused >= jump.bounding_box()["y"] + jump.bounding_box()["height"]
    jump.get_by_role("link").click()
    page.wait_for_function("document.querySelector('#sign').getBoundingClientRect().top < 844")
    page.get_by_role("link", name="Sign as an individual").click()
    name = page.locator("#id_name").bounding_box()
    assert name["y"] + name["height"] < 844  # the first field on the first screen


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page):
    statement = make_statement()
    page.goto(f"/en/s/{statement.slug}/sign/individual/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_thank_you_page_says_what_happens_now_and_what_next(page, live_server, settings):
    statement = make_statement()
    signature = sign(statement, individual(name="Amal Nasser"))
    page.goto(f"/en/confirm/{confirm_token(signature)}/")
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    main = page.locator("main").inner_text()
    assert "being added to the list and the counts: that takes up to 60 seconds" in main
    assert "Amal Nasser" in page.locator(".own-entry").inner_text()
    assert "(being added)" in page.locator(".own-entry").inner_text()
    # No stale counts of 0 beside "confirmed": they show once the signer is in them.
    assert "Nobody is listed" not in main and page.locator("[data-count]").count() == 0
    assert page.locator("#share-url").input_value() == (
        f"{settings.BASE_URL}/en/s/{statement.slug}/"
    )
    assert (
        page.get_by_role("link", name="WhatsApp")
        .get_attribute("href")
        .startswith("https://wa.me/?text=")
    )
    jobs_run_pending()  # the list refresh
    page.reload()
    assert "You are number 1 on the list." in page.locator(".your-entry").inner_text()
    assert page.locator('[data-count="individuals"]').inner_text() == "1"
    page.get_by_role("link", name="Manage your signature").click()
    page.get_by_role("heading", name="Your signature").wait_for()


def test_withdrawing_asks_first_and_is_undone_with_one_button_without_an_email(page, mail_dir):
    statement = make_statement()
    signature = sign_and_confirm(statement, individual(name="Second Thoughts"))
    jobs_run_pending()
    signature.refresh_from_db()
    number, mails = signature.position, len(list(mail_dir.glob("*")))
    page.goto(f"/en/manage/{manage_token(signature)}/")
    page.get_by_role("button", name="Withdraw my signature…").click()
    page.get_by_role("heading", name="Withdraw your signature?").wait_for()
    assert "For 48 hours afterwards you can undo it" in page.locator("main").inner_text()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PUBLISHED  # asking changed nothing
    page.get_by_role("link", name="No, keep my signature").click()
    page.get_by_role("button", name="Withdraw my signature…").click()
    page.get_by_role("button", name="Yes, withdraw my signature").click()
    page.get_by_text("Your signature is withdrawn").wait_for()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    jobs_run_pending()
    page.goto(f"/en/s/{statement.slug}/")
    assert "Second Thoughts" not in page.content()

    page.goto(f"/en/manage/{manage_token(signature)}/")
    page.get_by_role("button", name="Sign again").click()
    page.get_by_text("Your signature is back, as it was.").wait_for()
    jobs_run_pending()
    signature.refresh_from_db()
    assert (signature.status, signature.position) == (Signature.Status.PUBLISHED, number)
    assert len(list(mail_dir.glob("*"))) == mails  # no new email
    page.goto(f"/en/s/{statement.slug}/")
    assert page.locator("ol.signatories li").first.inner_text().startswith("Second Thoughts")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_owner_removes_an_entry_then_restores_it_from_the_entries_page(page, language):
    statement = make_statement()
    owner = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(owner)
    entry = sign_and_confirm(statement, organization(name="Valley Choir"))
    jobs_run_pending()
    sign_in(page, language)
    base = f"/{language}/dashboard/s/{statement.slug}/entries/"
    page.goto(f"{base}{entry.pk}/")
    page.locator("#id_remove-reason").fill("signed by mistake")
    page.locator("form:has(input[value=remove]) button[type=submit]").click()
    page.locator(".messages").wait_for()
    entry.refresh_from_db()
    assert entry.status == Signature.Status.INVALIDATED
    page.goto(base)
    assert "Valley Choir" not in page.locator("main").inner_text()
    page.locator("nav.filters a[href*='state=removed']").click()
    page.get_by_role("link", name="Valley Choir").click()
    page.locator("#id_restore-reason").fill("they confirmed by phone")
    page.locator("form:has(input[value=restore]) button[type=submit]").click()
    page.locator(".messages").wait_for()
    entry.refresh_from_db()
    assert entry.status == Signature.Status.PUBLISHED
    history = page.locator("ol.history").inner_text()
    assert "signatures.signature" not in history  # labels, not codes
    if language == "en":
        assert "taken off the list" in history and "put back on the list" in history
    else:
        assert "أُزيل من القائمة" in history and "أُعيد إلى القائمة" in history
        assert "signer" not in history  # who acted is a label too
    jobs_run_pending()
    page.goto(f"/{language}/s/{statement.slug}/")
    assert "Valley Choir" in page.locator("ol.signatories").inner_text()


def test_the_statement_prints_without_navigation_or_buttons(page):
    statement = make_statement()
    sign_and_confirm(statement, individual(name="Printed Person"))
    jobs_run_pending()
    page.goto(f"/en/s/{statement.slug}/")
    page.emulate_media(media="print")
    for hidden in ("header.site", "footer.site", "#sign", ".other-orders", "a.skip"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("h1").is_visible()
    assert page.locator("ol.signatories").first.inner_text().startswith("Printed Person")
    assert page.locator("article.statement-text").is_visible()


def test_an_owner_invites_a_moderator_who_creates_an_account_and_reviews(
    browser, page, live_server, mail_dir, output_dir
):
    statement = make_statement(review_organizations=True)
    owner = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(owner)
    sign_and_confirm(statement, organization(name="Harbour Reading Circle"))
    sign_in(page, "en")
    page.goto(f"/en/dashboard/s/{statement.slug}/members/")
    page.get_by_label("Email of the person you invite").fill("nadia@example.org")
    page.get_by_label("moderator").check()
    page.get_by_label("Language of the invitation email").select_option("ar")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("The invitation is on its way to nadia@example.org.").wait_for()
    jobs_run_pending()
    [message] = [m for m in written_messages(mail_dir) if m["To"] == "nadia@example.org"]
    link = re.search(r"https?://\S+/invite/\S+/", message.get_content()).group(0)

    newcomer = browser.new_context(base_url=live_server.url)
    try:
        invited = newcomer.new_page()
        invited.goto(re.sub(r"^https?://[^/]+", "", link))  # the Arabic page, as mailed
        invited.locator("#id_username").fill("nadia")
        invited.locator("#id_password1").fill("a-long-new-password-7")
        invited.locator("#id_password2").fill("a-long-new-password-7")
        for size, (width, height) in SIZES.items():
            invited.set_viewport_size({"width": width, "height": height})
            invited.screenshot(path=str(output_dir / f"invitation-filled-ar-{size}.png"))
        invited.locator("form:has(input[value=create]) button[type=submit]").click()
        invited.wait_for_url("**/dashboard/")
        row = invited.locator("table.owner-table tbody tr").first
        assert "مشرف" in row.inner_text()  # moderator, in Arabic
        invited.goto(f"/ar/dashboard/s/{statement.slug}/review/")
        assert "Harbour Reading Circle" in invited.locator("main").inner_text()
        assert invited.goto(f"/ar/dashboard/s/{statement.slug}/members/").status == 404
    finally:
        newcomer.close()
    page.goto(f"/en/dashboard/s/{statement.slug}/members/")
    assert "nadia" in page.locator("table.owner-table").inner_text()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_coordinator_creates_writes_previews_and_opens_a_statement_then_it_is_signed(
    page, language, output_dir
):
    get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    titles = {
        "en": "Keep the swimming pools open in winter",
        "ar": "أبقوا المسابح مفتوحة في الشتاء",
    }
    bodies = {
        "en": "We ask the city to keep **every** public pool open from November to March.",
        "ar": "نطلب من المدينة أن تبقي **كل** المسابح العامة مفتوحة من نوفمبر إلى مارس.",
    }
    sign_in(page, language)
    page.locator("a.button[href$='/dashboard/new/']").click()
    page.locator("#id_title").fill(titles[language])
    page.locator("#id_default_language").select_option(language)
    page.locator("#id_kind_1").check()  # open letter
    page.locator("#id_signers_0").check()  # organizations and individuals
    page.locator("main form[novalidate] button[type=submit]").click()
    page.locator("textarea#id_body").wait_for()
    assert page.locator("textarea#id_body").get_attribute("dir") == (
        "rtl" if language == "ar" else "ltr"
    )
    page.locator("textarea#id_body").fill(bodies[language])
    page.locator("button[value=preview]").click()
    page.locator(".preview .body strong").wait_for()
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(
            path=str(output_dir / f"text-preview-{language}-{size}.png"), full_page=True
        )
    statement = Statement.objects.get()
    assert statement.texts.get().body == ""  # a preview saves nothing
    page.locator("button[value=save]").click()
    page.locator(".messages").wait_for()
    page.locator(f"nav.owner a[href$='/dashboard/s/{statement.slug}/']").click()
    page.locator("button[value=open]").click()
    page.locator(".messages").wait_for()
    statement.refresh_from_db()
    assert statement.state == Statement.State.OPEN and statement.kind == "open_letter"
    page.goto(f"/{language}/s/{statement.slug}/")
    assert titles[language] in page.locator("h1").inner_text()
    assert page.locator("#sign-heading").inner_text() == (
        "Sign this open letter" if language == "en" else "وقّع على هذه الرسالة المفتوحة"
    )
    page.locator("#sign a.button").last.click()
    page.locator("#id_name").wait_for()
