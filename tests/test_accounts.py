"""Coordinators' accounts over HTTP: throttled sign-in, password reset by email, two-step
sign-in with an authenticator app and recovery codes, each change audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_statement
from undersigned.accounts.models import RecoveryCode
from undersigned.core.audit import entries_for
from undersigned.core.mail import written_messages
from undersigned.jobs.services import jobs_run_pending

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOGIN = "/en/accounts/login/"


def coordinator(username: str = "coordinator", **fields):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **fields
    )
    make_statement().owners.add(user)
    return user


def sign_in(client, username: str, password: str = PASSWORD, language: str = "en"):
    return client.post(
        LOGIN.replace("/en/", f"/{language}/"), {"username": username, "password": password}
    )


def actions(user) -> list[str]:
    return list(entries_for(user).order_by("id").values_list("action", flat=True))


# --- Throttling ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(language):
    user = coordinator()
    client = Client(REMOTE_ADDR="198.51.100.20")
    statuses = [
        sign_in(client, "coordinator", f"wrong-{n}", language).status_code for n in range(50)
    ]
    assert statuses[:4] == [200] * 4 and set(statuses[5:]) == {429}
    right = sign_in(client, "coordinator", language=language)
    assert right.status_code == 429 and right["Retry-After"] == "3600"
    body = right.content.decode()
    assert ("محاولات كثيرة" in body) if language == "ar" else ("Too many attempts" in body)
    assert "_auth_user_id" not in client.session
    # Another network is refused too: the account itself is paused.
    assert sign_in(Client(REMOTE_ADDR="203.0.113.9"), "coordinator").status_code == 429
    assert actions(user).count("accounts.user.login_failed") >= 5


def test_one_network_trying_many_accounts_is_paused_and_others_are_not():
    for n in range(6):
        coordinator(f"user{n}")
    attacker = Client(REMOTE_ADDR="198.51.100.30")
    for n in range(5):
        sign_in(attacker, f"user{n}", "wrong")
    assert sign_in(attacker, "user5").status_code == 429  # right password, wrong network
    elsewhere = Client(REMOTE_ADDR="203.0.113.30")
    assert sign_in(elsewhere, "user5").status_code == 302
    assert "accounts.user.logged_in" in actions(get_user_model().objects.get(username="user5"))


def test_no_address_is_stored_for_failed_sign_ins():
    from axes.models import AccessAttempt

    coordinator()
    sign_in(Client(REMOTE_ADDR="198.51.100.40"), "coordinator", "wrong")
    stored = list(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert stored and all(ip.startswith("fd") and "198.51" not in ip for ip in stored)


def test_the_admin_login_goes_through_the_platforms_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- Password reset --------------------------------------------------------------------------


def test_a_password_reset_link_is_mailed_by_the_worker_and_works_once(client, mail_dir):
    user = coordinator()
    for n in range(5):
        sign_in(Client(REMOTE_ADDR="198.51.100.50"), "coordinator", f"wrong-{n}")
    asked = client.post("/ar/accounts/password/reset/", {"email": "coordinator@example.org"})
    unknown = client.post("/ar/accounts/password/reset/", {"email": "nobody@example.org"})
    assert asked.status_code == unknown.status_code == 302
    assert asked["Location"] == unknown["Location"]  # nobody learns who has an account
    jobs_run_pending()
    [message] = written_messages(mail_dir)
    assert message["To"] == "coordinator@example.org"
    text = message.get_content()
    assert "كلمة مرور" in message["Subject"] or "كلمة مرور" in text
    link = re.search(r"http://\S+/ar/accounts/password/reset/\S+/", text).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else "/" + link.split("/", 3)[3]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_password = form.redirect_chain[-1][0]
    new = "another-long-password-42"
    done = client.post(set_password, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    # The account's failed attempts are cleared with the reset; the new password signs in.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.51"), "coordinator", new).status_code == 302
    again = client.get(path, follow=True).content.decode()
    assert "استُخدم هذا الرابط" in again and 'name="new_password1"' not in again
    assert {"accounts.password.reset_requested", "accounts.password.reset"} <= set(actions(user))


# --- Two-step sign-in ----------------------------------------------------------------------


def _code(device: TOTPDevice, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():0{device.digits}d}"


def _turn_on(client, user) -> tuple[TOTPDevice, list[str]]:
    client.force_login(user)
    page = client.post("/en/accounts/two-factor/", {"action": "start"})
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/en/accounts/two-factor/", {"action": "confirm", "code": "000000"})
    assert 'id="id_code_error"' in wrong.content.decode()
    # django-otp makes the next try wait after a wrong code (1 s, doubling): wait it out.
    device.refresh_from_db()
    device.throttle_reset()
    shown = client.post("/en/accounts/two-factor/", {"action": "confirm", "code": _code(device)})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", shown.content.decode())
    assert len(codes) == 10
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


def test_two_step_sign_in_with_the_app_and_with_a_recovery_code_once(client):
    user = coordinator()
    device, codes = _turn_on(client, user)
    assert not any(c.code_hash in codes for c in RecoveryCode.objects.all())  # stored hashed
    client.logout()

    later = timezone.now() + timedelta(minutes=2)
    with time_machine.travel(later, tick=False) as clock:
        step = sign_in(client, "coordinator")
        assert step.status_code == 302 and "/accounts/verify/" in step["Location"]
        assert client.get("/en/dashboard/").status_code == 302  # not signed in yet
        wrong = client.post(step["Location"], {"code": "123456"})
        assert "That code is not right" in wrong.content.decode()
        clock.shift(5)  # past django-otp's wait after a wrong code
        right = client.post(step["Location"], {"code": _code(device, timezone.now())})
        assert right.status_code == 302
        assert client.get("/en/dashboard/").status_code == 200
    client.logout()

    step = sign_in(client, "coordinator")
    assert client.post(step["Location"], {"code": codes[0].upper()}).status_code == 302
    assert client.get("/en/dashboard/").status_code == 200
    client.logout()
    step = sign_in(client, "coordinator")
    reused = client.post(step["Location"], {"code": codes[0]})
    assert reused.status_code == 200 and "not right" in reused.content.decode()

    done = actions(user)
    assert "accounts.two_factor.enabled" in done and "accounts.recovery_code.used" in done
    logins = entries_for(user).filter(action="accounts.user.logged_in")
    assert {e.data["second_factor"] for e in logins} >= {"totp", "recovery_code"}


def test_five_wrong_codes_send_the_person_back_to_the_password(client):
    user = coordinator()
    _turn_on(client, user)
    client.logout()
    step = sign_in(client, "coordinator")
    for _ in range(5):
        client.post(step["Location"], {"code": "999999"})
    assert client.get(step["Location"])["Location"].startswith("/en/accounts/login/")


def test_turning_it_off_needs_a_code_and_is_audited(client):
    user = coordinator()
    device, codes = _turn_on(client, user)
    refused = client.post("/en/accounts/two-factor/", {"action": "disable", "code": "000000"})
    assert refused.status_code == 200 and TOTPDevice.objects.filter(user=user).exists()
    client.post("/en/accounts/two-factor/", {"action": "disable", "code": codes[1]})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert "accounts.two_factor.disabled" in actions(user)


def test_an_operator_can_require_two_step_sign_in_for_the_dashboard_and_admin(client, settings):
    settings.REQUIRE_TWO_FACTOR = True
    user = coordinator(is_staff=True)
    assert sign_in(client, "coordinator").status_code == 302
    for url in ("/en/dashboard/", "/ar/dashboard/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]
    device, _codes = _turn_on(client, user)
    assert client.get("/en/dashboard/").status_code == 200  # verified in this session
    # Turning it off is refused while the site requires it.
    client.post("/en/accounts/two-factor/", {"action": "disable", "code": _codes[2]})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not RecoveryCode.objects.filter(user=user, used__isnull=False).exists()  # not spent
