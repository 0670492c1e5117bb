"""Proof of work: asked per statement or by the surge watch, checked once per challenge, and,
like every abuse sign, classified rather than announced."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.factories import (
    individual,
    make_statement,
    record_submissions,
    record_submissions_in_parallel,
    sign,
)
from tests.test_races import Signer
from tests.test_views import individual_form, sign_url
from undersigned.core.models import AuditEntry
from undersigned.signatures.models import Signature, SpentChallenge
from undersigned.signatures.pow import (
    challenge_issue,
    leading_zero_bits,
    solution_check,
    surge_watch_run,
)
from undersigned.statements.models import Statement

ALWAYS = Statement.ProofOfWork.ALWAYS


def solve(challenge: str) -> str:
    """What the browser does, in Python."""
    n = 0
    while True:
        digest = hashlib.sha256(f"{challenge}:{n}".encode()).digest()
        if leading_zero_bits(digest) >= DIFFICULTY:
            return str(n)
        n += 1


DIFFICULTY = 10


@pytest.fixture(autouse=True)
def _small_difficulty(settings):
    settings.POW_DIFFICULTY = DIFFICULTY


def challenge_in(html: str) -> str:
    return re.search(r'name="challenge" value="([^"]+)"', html).group(1)


def flags_of(email: str) -> list[str]:
    record_submissions()
    return Signature.objects.get(email=email).flags.split()


@pytest.mark.django_db
def test_a_solution_counts_only_for_its_statement_its_difficulty_and_its_time(settings):
    challenge = challenge_issue(7)
    solution = solve(challenge)
    assert solution_check(challenge=challenge, solution=solution, statement_id=7)
    assert solution_check(challenge=challenge, solution=solution, statement_id=8) is None
    wrong = next(
        str(n)
        for n in range(1000)
        if leading_zero_bits(hashlib.sha256(f"{challenge}:{n}".encode()).digest()) < DIFFICULTY
    )
    assert solution_check(challenge=challenge, solution=wrong, statement_id=7) is None
    assert solution_check(challenge=challenge + "x", solution=solution, statement_id=7) is None
    assert solution_check(challenge=challenge, solution="-1", statement_id=7) is None
    # The operator raises the difficulty: challenges issued before are no longer enough.
    settings.POW_DIFFICULTY = DIFFICULTY + 1
    assert solution_check(challenge=challenge, solution=solution, statement_id=7) is None
    settings.POW_DIFFICULTY = DIFFICULTY
    later = timezone.now() + timedelta(minutes=settings.POW_CHALLENGE_MINUTES, seconds=5)
    with time_machine.travel(later):
        assert solution_check(challenge=challenge, solution=solution, statement_id=7) is None


@pytest.mark.django_db
def test_statements_that_do_not_ask_send_no_challenge_and_flag_nothing():
    statement = make_statement()  # automatic, and no surge
    html = Client().get(sign_url(statement)).content.decode()
    assert "data-pow" not in html and "pow.js" not in html and "challenge-slot" not in html
    Client().post(sign_url(statement), individual_form(statement, email="calm@example.org"))
    assert flags_of("calm@example.org") == []


@pytest.mark.django_db
def test_the_form_carries_a_fresh_challenge_per_visitor_and_explains_the_wait():
    statement = make_statement(proof_of_work=ALWAYS)
    first = Client().get(sign_url(statement)).content.decode()
    second = Client().get(sign_url(statement)).content.decode()
    assert challenge_in(first) != challenge_in(second)
    assert f'data-pow="{DIFFICULTY}"' in first and "challenge-slot" not in first
    assert 'role="status"' in first and "a few seconds" in first
    assert "<noscript>" in first
    # In the page's language.
    arabic = Client().get(sign_url(statement, lang="ar")).content.decode()
    assert "a few seconds" not in arabic and 'id="pow-status"' in arabic


@pytest.mark.django_db
def test_missing_wrong_and_reused_work_is_stored_flagged_and_answered_the_same():
    statement = make_statement(proof_of_work=ALWAYS)
    client = Client()
    challenge = challenge_in(client.get(sign_url(statement)).content.decode())
    solution = solve(challenge)
    answers = [
        client.post(
            sign_url(statement),
            individual_form(statement, email=email, challenge=challenge, work=work),
        )
        for email, work in [
            ("solved@example.org", solution),
            ("reused@example.org", solution),  # the same challenge again
            ("wrong@example.org", str(int(solution) + 1)),
        ]
    ]
    answers.append(
        client.post(sign_url(statement), individual_form(statement, email="none@example.org"))
    )
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, f"/en/s/{statement.slug}/sign/sent/")
    }
    assert flags_of("solved@example.org") == []
    for email in ("reused@example.org", "none@example.org"):
        assert flags_of(email) == ["no_pow"]
    # A wrong solution may still solve the puzzle by chance; a correct one never is flagged.
    wrong = str(int(solution) + 1)
    if not solution_check(challenge=challenge, solution=wrong, statement_id=statement.pk):
        assert flags_of("wrong@example.org") == ["no_pow"]
    assert SpentChallenge.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_submissions_racing_with_one_solved_challenge_get_one_clean_signature(
    live_server,
):
    statement = make_statement(proof_of_work=ALWAYS)
    path = sign_url(statement)
    signers = [Signer(live_server.url, path) for _ in range(20)]
    forms = [s.get_form() for s in signers]
    challenge = challenge_issue(statement.pk)
    solution = solve(challenge)
    barrier = threading.Barrier(len(signers))
    statuses = []

    def run(i):
        fields = {
            **individual_form(statement, email=f"racer{i}@example.org"),
            **forms[i],
            "challenge": challenge,
            "work": solution,
        }
        barrier.wait()
        statuses.append(signers[i].post(fields)[0])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(signers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20  # redirected to the same page
    record_submissions_in_parallel()
    flags = sorted(s.flags for s in Signature.objects.filter(statement=statement))
    assert flags == [""] + ["no_pow"] * 19


@pytest.mark.django_db
def test_the_surge_watch_asks_for_work_while_a_statement_surges(settings):
    settings.POW_AUTO_PER_MINUTE = 10
    calm, surging = make_statement(), make_statement()
    fixed = make_statement(proof_of_work=Statement.ProofOfWork.NEVER)
    start = timezone.now()
    surge_watch_run(now=start)  # the first run only marks where counting starts
    for _ in range(25):
        sign(surging, individual())
        sign(fixed, individual())
    sign(calm, individual())
    rates = surge_watch_run(now=start + timedelta(minutes=2))
    assert rates == {surging.pk: 12, fixed.pk: 12, calm.pk: 0}
    for statement, asks in ((surging, True), (calm, False), (fixed, False)):
        statement.refresh_from_db()
        assert statement.asks_proof_of_work is asks
    assert 'data-pow="' in Client().get(sign_url(surging)).content.decode()
    [entry] = AuditEntry.objects.filter(action="statements.statement.proof_of_work_on")
    assert (entry.object_id, entry.data["per_minute"]) == (surging.pk, 12)

    # Quiet again: it stays on for the hold period, then goes off.
    surge_watch_run(now=start + timedelta(minutes=10))
    surging.refresh_from_db()
    assert surging.asks_proof_of_work
    surge_watch_run(now=start + timedelta(minutes=40))
    surging.refresh_from_db()
    assert not surging.asks_proof_of_work
    assert 'data-pow="' not in Client().get(sign_url(surging)).content.decode()
    assert AuditEntry.objects.filter(action="statements.statement.proof_of_work_off").count() == 1


@pytest.mark.django_db
def test_spent_challenges_are_forgotten_once_they_expire(settings):
    statement = make_statement(proof_of_work=ALWAYS)
    challenge = challenge_issue(statement.pk)
    Client().post(
        sign_url(statement),
        individual_form(statement, challenge=challenge, work=solve(challenge)),
    )
    record_submissions()
    assert SpentChallenge.objects.count() == 1
    surge_watch_run()
    assert SpentChallenge.objects.count() == 1
    surge_watch_run(now=timezone.now() + timedelta(minutes=settings.POW_CHALLENGE_MINUTES + 1))
    assert SpentChallenge.objects.count() == 0


# Holds every digest of the page's proof of work until the test releases it.
GATE = """
const gate = new Promise((resolve) => { window.releaseWork = resolve; });
const digest = crypto.subtle.digest.bind(crypto.subtle);
crypto.subtle.digest = async (...args) => { await gate; return digest(...args); };
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_keyboard_only_signer_is_told_about_the_wait_and_signed_when_it_ends(page, settings):
    settings.POW_DIFFICULTY = 16  # the default
    statement = make_statement(proof_of_work=ALWAYS)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.add_init_script(GATE)
    page.goto(sign_url(statement))
    status = page.get_by_role("status")
    assert "takes a few seconds" in status.inner_text()

    # Keyboard only: type, Tab from field to field, Space on the radio, past the updates box,
    # Enter on the button.
    page.get_by_label("Your name").focus()
    page.keyboard.type("Keyboard User")
    page.keyboard.press("Tab")
    page.keyboard.type("Spain")
    for text in ("", "keys@example.org"):  # affiliation (left empty), then email
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # a radio group is one stop
    page.keyboard.press("Tab")  # the box asking for updates, left unticked
    assert page.evaluate("document.activeElement.textContent") == "Sign"
    page.keyboard.press("Enter")

    # Sent before the work is done: held back, and the page says why.
    page.wait_for_function(
        "document.getElementById('pow-status').textContent.startsWith('Almost there')"
    )
    assert "/sign/individual/" in page.url
    assert record_submissions() == 0  # nothing was even submitted
    assert not Signature.objects.exists()

    page.evaluate("window.releaseWork()")
    page.get_by_role("heading", name="Check your inbox").wait_for()
    record_submissions()
    signature = Signature.objects.get()
    assert (signature.name, signature.country, signature.show_name) == ("Keyboard User", "ES", True)
    assert signature.flags == ""  # the work was done and checked
    assert not signature.wants_updates  # never ticked for them
    assert SpentChallenge.objects.count() == 1
    assert problems == []
