"""The signing request stores the form as sent (one row); the worker records it as a signature.
What the signer was told is received is recorded exactly once, whatever happens in between."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import individual, make_statement, record_submissions, sign
from tests.test_views import individual_form, sign_url
from undersigned.core.audit import entries_for
from undersigned.core.mail import written_messages
from undersigned.jobs.models import Job
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature, Submission
from undersigned.signatures.services import submissions_take
from undersigned.statements.models import Statement

pytestmark = pytest.mark.django_db


def submit(statement, email: str, remote: str = "198.51.100.7"):
    return Client(REMOTE_ADDR=remote).post(
        sign_url(statement), individual_form(statement, email=email)
    )


def test_the_signing_request_writes_one_row_and_reads_no_signature():
    statement = make_statement()
    sign(statement, individual(email="earlier@example.org"))
    client = Client()
    client.get(sign_url(statement))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(sign_url(statement), individual_form(statement))
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "signatures_signature" in s]  # nothing to learn from
    assert [s.split()[0] for s in sql if not s.startswith("SELECT")] == ["INSERT"]
    assert Submission.objects.count() == 1


def test_the_worker_records_submissions_with_audit_entry_and_email(mail_dir):
    statement = make_statement()
    assert submit(statement, "first@example.org").status_code == 302
    assert submit(statement, "First@Example.org").status_code == 302  # the same mailbox
    jobs_run_pending()  # one worker turn: record, then send
    assert not Submission.objects.exists()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and signature.sends == 2
    actions = sorted(entries_for(signature).values_list("action", flat=True))
    assert actions == ["signatures.signature.created", "signatures.signature.resent"]
    assert [m["To"] for m in written_messages(mail_dir)] == ["first@example.org"] * 2


def test_a_submission_is_recorded_even_if_signing_closed_after_it_was_received():
    statement = make_statement()
    submit(statement, "just-in-time@example.org")
    Statement.objects.filter(pk=statement.pk).update(state=Statement.State.CLOSED)
    assert record_submissions() == 1
    assert Signature.objects.get().email == "just-in-time@example.org"


def test_a_submission_that_cannot_be_recorded_is_kept_with_the_reason_and_holds_nobody_back():
    statement = make_statement()
    submit(statement, "before@example.org")
    submit(statement, "broken@example.org")
    submit(statement, "after@example.org")
    broken = Submission.objects.get(details__email="broken@example.org")
    broken.details = {**broken.details, "unknown": "field"}
    broken.save()
    assert record_submissions() == 3
    assert set(Signature.objects.values_list("email", flat=True)) == {
        "before@example.org",
        "after@example.org",
    }
    kept = Submission.objects.get()
    assert kept.pk == broken.pk and "unexpected keyword argument 'unknown'" in kept.failed
    assert submissions_take() == 0  # not tried again and again
    assert Job.objects.filter(kind="signatures.send_email").count() == 2


def test_a_batch_that_fails_as_a_whole_keeps_every_submission(monkeypatch):
    """A worker that dies mid-batch (here: its DELETE fails) commits nothing: every submission
    is still there for the next turn, and none was recorded twice."""
    statement = make_statement()
    for n in range(3):
        submit(statement, f"s{n}@example.org")
    real_filter = Submission.objects.filter

    def failing_filter(*args, **kwargs):
        if "pk__in" in kwargs:
            raise RuntimeError("killed")
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Submission.objects, "filter", failing_filter)
    with pytest.raises(RuntimeError):
        submissions_take()
    monkeypatch.undo()
    assert Submission.objects.count() == 3 and not Signature.objects.exists()
    assert record_submissions() == 3
    assert Signature.objects.count() == 3 and not Submission.objects.exists()


@pytest.fixture
def surge_clock(monkeypatch):
    """Moves the pacer's monotonic clock and the wall clock (submissions' `created`) together."""
    from undersigned.signatures import pacing

    clock = [1000.0]
    monkeypatch.setattr(pacing.time, "monotonic", lambda: clock[0])
    with time_machine.travel(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:

        def advance(seconds: float) -> None:
            clock[0] += seconds
            traveller.shift(seconds)

        yield advance


def test_during_a_surge_each_submission_is_recorded_about_the_hold_after_it_came(
    settings, surge_clock
):
    """Faster than SURGE_PER_SECOND, a submission waits SURGE_HOLD_SECONDS before the worker
    records it (the app servers keep the machine): a surge's first seconds all wait, and a long
    surge is recorded as it goes on, oldest first, with about a hold's worth waiting and none
    much longer than the hold. Once it ebbs, everything is recorded at once."""
    from undersigned.signatures import pacing

    settings.SURGE_PER_SECOND, settings.SURGE_HOLD_SECONDS = 20, 10
    statement = make_statement()
    pacer = pacing.Pacer()
    serial = iter(range(10**6))

    def arrive(count: int, seconds: float) -> None:
        for _ in range(count):
            Submission.objects.create(
                statement=statement, kind="individual", language="en", text_language="en",
                text_version="v", details=vars(individual(email=f"p{next(serial)}@example.org")),
            )  # fmt: skip
        surge_clock(seconds)

    def oldest_waited() -> float:
        oldest = Submission.objects.order_by("id").values_list("created", flat=True).first()
        return (timezone.now() - oldest).total_seconds() if oldest else 0.0

    assert not pacer.hold()  # nothing waits
    arrive(5, 1)
    assert not pacer.hold()  # a first look: no rate known yet
    assert submissions_take() == 5
    arrive(10, 1)
    assert not pacer.hold()  # 10 a second: no surge
    record_submissions()
    for _ in range(9):  # 100 a second: the first ten seconds all wait
        arrive(100, 1)
        assert pacer.hold()
    assert Submission.objects.count() == 900
    most_waiting = longest = 0.0
    for _ in range(400):  # the surge goes on for 40 s more, a worker's turn every 0.1 s
        arrive(10, 0.1)
        if not pacer.hold():
            submissions_take(limit=100)
        most_waiting = max(most_waiting, Submission.objects.count())
        longest = max(longest, oldest_waited())
    assert 900 <= most_waiting <= 1100 and 9.5 <= longest <= 11
    arrive(0, 1)
    assert not pacer.hold()  # it ebbed: recorded at once
    waiting = Submission.objects.count()
    assert waiting > 500 and record_submissions() == waiting


def test_a_surge_is_seen_while_the_worker_still_takes_everything_each_turn(settings, surge_clock):
    """The arrival rate comes from the ids given, not from what waits: a worker that empties
    the table on every turn still sees the surge start, and holds it."""
    from undersigned.signatures import pacing

    settings.SURGE_PER_SECOND, settings.SURGE_HOLD_SECONDS = 20, 10
    statement = make_statement()
    pacer = pacing.Pacer()
    held_after = None
    for turn in range(12):  # 200 a second, a turn every quarter of a second
        for n in range(50):
            submit(statement, f"turn{turn}-{n}@example.org")
        surge_clock(0.25)
        if pacer.hold():
            held_after = turn
            break
        submissions_take(limit=100)
        assert not Submission.objects.exists()
        surge_clock(0.01)
        assert not pacer.hold()  # the worker's next turn: nothing waits
    assert held_after is not None and held_after <= 5


def test_no_hold_when_the_operator_turns_it_off(settings):
    from undersigned.signatures.pacing import Pacer

    settings.SURGE_HOLD_SECONDS = 0
    statement = make_statement()
    pacer = Pacer()
    for n in range(50):
        submit(statement, f"quick{n}@example.org")
        assert not pacer.hold()


def test_the_admin_lists_a_submission_that_could_not_be_recorded_and_cannot_delete_it(client):
    from tests.factories import make_superuser

    statement = make_statement()
    submit(statement, "stuck@example.org")
    Submission.objects.update(details={"unknown": "field"})
    record_submissions()
    client.force_login(make_superuser())
    page = client.get("/admin/signatures/submission/")
    assert page.status_code == 200 and "unexpected keyword argument" in page.content.decode()
    pk = Submission.objects.get().pk
    assert client.post(f"/admin/signatures/submission/{pk}/delete/").status_code == 403
    assert Submission.objects.filter(pk=pk).exists()


def _submit_directly(statement, email: str, ip: str, nonce: str = ""):
    from undersigned.signatures.services import submission_create

    return submission_create(
        statement=statement,
        details=individual(email=email),
        text=statement.texts.get(language="en"),
        language="en",
        ip=ip,
        challenge_nonce=nonce,
    )


def _statements_to_record(count: int) -> int:
    statement = make_statement()
    for n in range(count):
        _submit_directly(statement, f"s{n}@host{n}.example", f"198.{n // 200}.{n % 200}.1")
    with CaptureQueriesContext(connection) as queries:
        assert submissions_take(limit=count) == count
    assert Signature.objects.filter(statement=statement).count() == count
    return len(queries.captured_queries)


def test_the_worker_records_a_batch_in_a_fixed_number_of_statements(monkeypatch):
    """Set-based recording: a batch of 100 costs the database what a batch of 5 costs (no
    statement per submission), and every row gets its audit entry and email job."""
    from undersigned.signatures import services

    monkeypatch.setattr(services, "TAKE_SECONDS", 10)  # no deadline for the count
    small, large = _statements_to_record(5), _statements_to_record(100)
    # Django splits a bulk INSERT at SQLite's 999 parameters: the jobs of 100 rows take two.
    assert small <= 13 and large <= small + 2
    assert Job.objects.filter(kind="signatures.send_email").count() == 105
    assert entries_for_kind("signatures.signature.created") == 105


def entries_for_kind(action: str) -> int:
    from undersigned.core.models import AuditEntry

    return AuditEntry.objects.filter(action=action).count()


def test_limits_count_the_batchs_own_rows_but_not_its_repeats(settings):
    """Within one batch: the network limit counts the rows before each one (a repeat of a
    mailbox is refused, so it does not count), and a proof-of-work challenge spent by an
    earlier submission of the batch, or before it, flags the later one."""
    from undersigned.signatures.pow import challenges_spend

    settings.LIMIT_PER_NETWORK = 3
    statement = make_statement()
    net = "203.0.113.{}"
    assert challenges_spend(["used-before"]) == {"used-before"}
    for n, (email, nonce) in enumerate(
        [
            ("a@one.example", "n1"),
            ("b@two.example", "n1"),  # the same challenge again
            ("A@one.example", ""),  # a repeat of a@: refused, not counted
            ("c@three.example", "used-before"),
            ("d@four.example", "n2"),  # the fourth row of the network
        ]
    ):
        _submit_directly(statement, email, net.format(n + 1), nonce)
    assert submissions_take(limit=100) == 5
    flags = {
        s.email_normalized: s.flags.split() for s in Signature.objects.filter(statement=statement)
    }
    assert flags == {
        "a@one.example": [],
        "b@two.example": ["no_pow"],
        "c@three.example": ["no_pow"],
        "d@four.example": ["rate_network"],
    }
    assert Signature.objects.get(email_normalized="a@one.example").sends == 2


def test_a_batch_larger_than_one_compound_select_is_looked_up_in_parts(settings, monkeypatch):
    """SQLite takes at most 500 terms in one compound SELECT: 200 senders (600 limits to read)
    are looked up in two statements there, and every sender is still counted."""
    from undersigned.signatures import services

    monkeypatch.setattr(services, "TAKE_SECONDS", 10)
    settings.LIMIT_PER_NETWORK = 1
    statement = make_statement()
    for n in range(200):
        _submit_directly(statement, f"big{n}@host{n}.example", f"198.51.{n}.1")
    _submit_directly(statement, "late@elsewhere.example", "198.51.199.9")  # 200th network again
    assert submissions_take(limit=201) == 201
    rows = Signature.objects.filter(statement=statement)
    assert rows.count() == 201
    assert [s.email_normalized for s in rows.exclude(flags="")] == ["late@elsewhere.example"]
