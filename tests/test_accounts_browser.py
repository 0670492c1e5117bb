"""The sign-in, two-step and password pages in a real browser, in English and Arabic, on a phone
and a desktop: screenshots in test-output/ and no axe-core violation."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import axe_violations
from tests.factories import make_statement
from tests.test_accounts import _code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def look(page, output_dir, axe_source, name: str) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(output_dir / f"{name}-{size}.png"), full_page=True)
    assert axe_violations(page, axe_source) == [], name


@pytest.mark.parametrize("language", ["en", "ar"])
def test_signing_in_with_two_steps_in_a_browser(page, output_dir, axe_source, language):
    user = get_user_model().objects.create_user(
        "browser-owner", "browser-owner@example.org", "a-long-test-password"
    )
    make_statement().owners.add(user)
    labels = {
        "en": ("Username", "Password", "Sign in", "Set up two-step sign-in", "Code"),
        "ar": ("اسم المستخدم", "كلمة المرور", "تسجيل الدخول", "اضبط تسجيل الدخول بخطوتين", "الرمز"),
    }[language]
    username, password, sign_in, set_up, code = labels

    page.goto(f"/{language}/accounts/login/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    look(page, output_dir, axe_source, f"login-{language}")
    page.get_by_label(username).fill("browser-owner")
    page.get_by_label(password, exact=True).fill("a-long-test-password")
    page.get_by_role("button", name=sign_in).click()
    page.wait_for_url(re.compile(r".*/dashboard/$"))

    page.goto(f"/{language}/accounts/two-factor/")
    page.get_by_role("button", name=set_up).click()
    page.locator("img.qr").wait_for()
    look(page, output_dir, axe_source, f"two-factor-setup-{language}")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label(code, exact=True).fill("000000")
    page.locator("button[value=confirm]").click()
    page.locator("#id_code_error").wait_for()
    device.refresh_from_db()
    device.throttle_reset()
    page.get_by_label(code, exact=True).fill(_code(device))
    page.locator("button[value=confirm]").click()
    page.locator(".recovery-codes").wait_for()
    look(page, output_dir, axe_source, f"two-factor-codes-{language}")
    recovery = page.locator(".recovery-codes code").first.inner_text()

    page.context.clear_cookies()
    page.goto(f"/{language}/accounts/login/")
    page.get_by_label(username).fill("browser-owner")
    page.get_by_label(password, exact=True).fill("a-long-test-password")
    page.get_by_role("button", name=sign_in).click()
    page.wait_for_url(re.compile(r".*/accounts/verify/.*"))
    look(page, output_dir, axe_source, f"two-factor-verify-{language}")
    page.get_by_label(code, exact=True).fill(recovery)
    page.get_by_role("button", name=sign_in).click()
    page.wait_for_url(re.compile(r".*/dashboard/$"))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_password_reset_and_lockout_pages_in_a_browser(
    page, output_dir, axe_source, language, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    get_user_model().objects.create_user("locked", "locked@example.org", "a-long-test-password")
    page.goto(f"/{language}/accounts/password/reset/")
    look(page, output_dir, axe_source, f"password-reset-{language}")
    page.locator("input[name=email]").fill("not-an-address")
    page.locator("form button[type=submit]").click()
    page.locator("#id_email_error").wait_for()
    page.locator("input[name=email]").fill("locked@example.org")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/password/reset/sent/$"))
    look(page, output_dir, axe_source, f"password-reset-sent-{language}")

    for _ in range(3):
        page.goto(f"/{language}/accounts/login/")
        page.locator("input[name=username]").fill("locked")
        page.locator("input[name=password]").fill("wrong password")
        page.locator("form button[type=submit]").click()
    heading = {"en": "Too many attempts", "ar": "محاولات كثيرة جداً"}[language]
    assert page.locator("h1").inner_text() == heading
    look(page, output_dir, axe_source, f"locked-out-{language}")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_form_sent_too_large_gets_a_page_that_says_so(page, output_dir, axe_source, language):
    statement = make_statement()
    page.goto(f"/{language}/s/{statement.slug}/sign/individual/")
    # A script can put more in a field than its maxlength allows; the server refuses it unread.
    page.evaluate("document.querySelector('input[name=name]').value = 'x'.repeat(70000)")
    page.locator("input[name=name]").press("Enter")
    heading = {"en": "What was sent is too large", "ar": "ما أُرسل كبير جداً"}[language]
    page.get_by_role("heading", name=heading).wait_for()
    look(page, output_dir, axe_source, f"too-large-{language}")
