"""Every page as people meet it, in a real browser (Playwright driving Debian's chromium), in
English and Arabic: axe-core finds nothing at 1280 and 390 px, nothing scrolls sideways at
320 px or at 200% text, and a screenshot of each is saved in test-output/ to look at."""

from __future__ import annotations

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
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.services import signature_remove
from undersigned.signatures.models import Signature
from undersigned.signatures.services import signature_withdraw, signatures_approve
from undersigned.signatures.tokens import make_token

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
LONG_TEXTS = {
    "en": ("Keep the libraries open in the evening", "\n\n".join([PARAGRAPH_EN] * 12)),
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
    jobs_run_pending()
    return {
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
    return {
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
        "not-found": f"{p}/s/no-such-statement/",
    }


def coordinator_pages(world, language: str) -> dict[str, str]:
    slug = world["statement"].slug
    base = f"/{language}/dashboard/s/{slug}"
    return {
        "dashboard": f"/{language}/dashboard/",
        "entries": f"{base}/entries/",
        "entries-removed": f"{base}/entries/?kinds=individuals&state=removed",
        "entry-waiting": f"{base}/entries/{world['waiting'].pk}/",
        "entry-removed": f"{base}/entries/{world['removed'].pk}/",
        "review": f"{base}/review/",
        "import": f"{base}/import/",
        "two-factor": f"/{language}/accounts/two-factor/",
    }


def check(page, name: str, language: str, axe_source: str, output_dir) -> list[str]:
    """axe at both sizes (with a screenshot of each), then the widths of WCAG 1.4.10."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(output_dir / f"{name}-{language}-{size}.png"), full_page=True)
        problems += [f"{name} {size}: {p}" for p in axe_violations(page, axe_source)]
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
    assert not problems, "\n".join(problems)
