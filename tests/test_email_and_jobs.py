"""Emails go through the durable queue, are written in the signer's language, and survive a
worker that dies mid-job."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import OperationalError
from django.utils import timezone

from tests.factories import individual, make_statement, sign, sign_and_confirm
from undersigned.core.mail import MboxFileBackend, written_messages
from undersigned.jobs import services as job_services
from undersigned.jobs.models import Job
from undersigned.jobs.registry import register
from undersigned.jobs.services import (
    job_enqueue,
    jobs_claim,
    jobs_release,
    jobs_run,
    jobs_run_pending,
    periodic_schedule,
    worker_loop,
)
from undersigned.jobs.upkeep import PRUNE_JOBS
from undersigned.signatures import jobs as signature_jobs
from undersigned.signatures.models import Signature
from undersigned.signatures.tokens import make_token
from undersigned.statements.selectors import statement_text_for
from undersigned.statements.services import statement_text_save

pytestmark = pytest.mark.django_db


def test_no_email_is_sent_inside_the_request_and_the_worker_writes_it(mail_dir, settings):
    settings.BASE_URL = "https://sign.example.org"
    statement = make_statement()
    signature = sign(statement, individual(email="ana@example.org", name="Ana"))
    assert not written_messages(mail_dir)
    assert jobs_run_pending() == 1
    [message] = written_messages(mail_dir)
    assert message["To"] == "ana@example.org"
    assert "Please confirm your signature" in message["Subject"]
    body = message.get_content()
    assert f"https://sign.example.org/en/confirm/{signature.pk}-" in body
    assert Job.objects.get().status == Job.Status.DONE


def test_the_email_is_in_the_signers_language(mail_dir):
    statement = make_statement()
    sign(statement, individual(), language="ar")
    jobs_run_pending()
    [message] = written_messages(mail_dir)
    assert "يرجى تأكيد توقيعك" in message["Subject"]
    assert "/ar/confirm/" in message.get_content()
    assert statement.texts.get(language="ar").title in message["Subject"]


def test_a_repeat_after_confirmation_gets_an_already_signed_email(mail_dir):
    statement = make_statement()
    sign_and_confirm(statement, individual(email="ana@example.org"))
    sign(statement, individual(email="ana@example.org"))
    jobs_run_pending()
    subjects = [m["Subject"] for m in written_messages(mail_dir)]
    assert any("You have already signed" in s for s in subjects)


def test_a_job_claimed_by_a_worker_that_died_is_taken_again_after_its_lock_expires(mail_dir):
    statement = make_statement()
    sign(statement, individual())
    [job] = jobs_claim()  # the worker takes it ... and is killed before finishing
    assert jobs_claim() == []  # locked: nobody else runs it meanwhile
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    [again] = jobs_claim()
    assert again.pk == job.pk and again.attempts == 2
    assert jobs_run([again]) == 1
    assert len(written_messages(mail_dir)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_loses_its_database_mid_turn_gives_its_jobs_back_when_it_returns(
    mail_dir, monkeypatch
):
    """The worker is alive and knows its turn failed: the signer's email goes out at its next
    turn, not when the lock of a dead worker's claim would expire (five minutes)."""
    statement = make_statement()
    sign(statement, individual(email="waiting@example.org"))
    run, turns = jobs_run, []

    def database_lost_on_the_first_turn(jobs):
        turns.append([job.kind for job in jobs])
        if len(turns) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return run(jobs)

    monkeypatch.setattr(job_services, "jobs_run", database_lost_on_the_first_turn)
    worker_loop(poll_seconds=0.05, stop_after=1.5)
    assert signature_jobs.SEND_EMAIL in turns[0] and len(turns) > 1
    assert [m["To"] for m in written_messages(mail_dir)] == ["waiting@example.org"]
    assert not Job.objects.filter(
        status=Job.Status.PENDING, kind=signature_jobs.SEND_EMAIL
    ).exists()


def test_giving_jobs_back_touches_only_the_jobs_still_under_that_claim(mail_dir):
    statement = make_statement()
    for n in range(3):
        sign(statement, individual(email=f"signer{n}@example.org"))
    first, second, third = jobs_claim()
    Job.objects.filter(pk=first.pk).update(status=Job.Status.DONE)  # it finished
    # Its lock expired and another worker claimed it since: that claim is not ours to undo.
    Job.objects.filter(pk=second.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    [taken_again] = jobs_claim()
    assert jobs_release([first, second, third]) == 1  # the third only
    assert Job.objects.get(pk=second.pk).locked_until == taken_again.locked_until
    assert Job.objects.get(pk=third.pk).locked_until is None
    assert [job.pk for job in jobs_claim()] == [third.pk]


calls: list[dict] = []


@register("tests.flaky")
def flaky(payload):
    calls.append(payload)
    if len(calls) == 1:
        raise RuntimeError("temporary failure")


def test_a_failing_job_is_retried_later_and_does_not_stop_the_others(mail_dir):
    calls.clear()
    job = job_enqueue(kind="tests.flaky", payload={"n": 1})
    statement = make_statement()
    sign(statement, individual())
    jobs_run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and "temporary failure" in job.last_error
    assert len(written_messages(mail_dir)) == 1  # the email job still ran
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    jobs_run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and len(calls) == 2


def test_enqueueing_an_unknown_kind_fails_loudly():
    with pytest.raises(KeyError):
        job_enqueue(kind="no.such.kind", payload={})


def test_an_email_for_a_signature_that_no_longer_exists_is_skipped(mail_dir):
    statement = make_statement()
    signature = sign(statement, individual())
    Job.objects.update(payload={"signature_id": signature.pk + 1000, "template": "confirm"})
    jobs_run_pending()
    assert Job.objects.get().status == Job.Status.DONE
    assert not written_messages(mail_dir)
    assert Signature.objects.count() == 1


batches: list[list[dict]] = []


@register("tests.batch", batch=True)
def batch_handler(payloads):
    batches.append(payloads)
    if any(p.get("bad") for p in payloads):
        raise RuntimeError("one bad payload")


def test_a_failing_batch_is_run_one_by_one_so_only_the_culprit_is_retried():
    batches.clear()
    jobs = [job_enqueue(kind="tests.batch", payload={"n": n, "bad": n == 2}) for n in range(4)]
    jobs_run_pending()
    assert len(batches[0]) == 4  # tried together first
    assert sorted(len(b) for b in batches[1:]) == [1, 1, 1, 1]  # then alone
    statuses = {job.payload["n"]: Job.objects.get(pk=job.pk).status for job in jobs}
    assert statuses == {0: "done", 1: "done", 2: "pending", 3: "done"}
    assert "one bad payload" in Job.objects.get(pk=jobs[2].pk).last_error


def test_many_emails_are_written_in_one_batch(mail_dir):
    statement = make_statement()
    for _ in range(30):
        sign(statement, individual())
    assert jobs_run_pending() == 30
    assert len(written_messages(mail_dir)) == 30
    assert Job.objects.filter(status=Job.Status.DONE).count() == 30
    # One file for the batch, complete: nothing is left under its temporary name.
    assert [p.suffix for p in mail_dir.iterdir()] == [".mbox"]


def test_the_file_backend_keeps_every_batch_in_order(tmp_path):
    backend = MboxFileBackend(file_path=str(tmp_path))
    for batch in (["one", "two"], ["three"]):
        messages = [EmailMessage(subject=s, body=f"Body of {s}", to=["x@x.org"]) for s in batch]
        assert backend.send_messages(messages) == len(batch)
    assert backend.send_messages([]) == 0  # no empty file
    assert len(list(tmp_path.iterdir())) == 2
    written = [(m["Subject"], m.get_content().strip()) for m in written_messages(tmp_path)]
    assert written == [(s, f"Body of {s}") for s in ("one", "two", "three")]


def test_each_email_of_a_batch_has_its_own_name_links_and_language(mail_dir):
    # The templates are rendered once per statement, language and kind of email in a batch;
    # every signer still gets their own name and working links, in their own language.
    first, second = make_statement(), make_statement()
    signed = [
        sign(first, individual(email="a@example.org", name="Ana"), language="fr"),
        sign(first, individual(email="b@example.org", name="Ben")),
        sign(second, individual(email="c@example.org", name="Chen"), language="fr"),
        sign(first, individual(email="d@example.org", name="Dana")),
    ]
    assert jobs_run_pending() == 4
    by_address = {m["To"]: m for m in written_messages(mail_dir)}
    for signature in signed:
        signature.refresh_from_db()
        message = by_address[signature.email]
        body = message.get_content()
        language = signature.language
        assert body.startswith(("Bonjour " if language == "fr" else "Hello ") + signature.name)
        token = make_token(
            purpose="confirm", signature_id=signature.pk, nonce=signature.token_nonce
        )
        assert f"/{language}/confirm/{token}/" in body
        choice = statement_text_for(signature.statement, language)
        assert choice.text.title in message["Subject"]


@pytest.mark.django_db
def test_the_worker_prunes_finished_jobs_after_the_kept_days_and_keeps_failed_ones(settings):
    settings.JOBS_KEEP_DAYS = 7
    statement = make_statement()
    for n in range(3):
        sign(statement, individual(email=f"prune{n}@example.org"))
    jobs_run_pending()
    done = set(Job.objects.filter(status=Job.Status.DONE).values_list("pk", flat=True))
    assert len(done) >= 3
    failed = Job.objects.create(
        kind="signatures.send_email",
        payload={},
        status=Job.Status.FAILED,
        run_after=timezone.now(),
        finished=timezone.now(),
    )
    periodic_schedule()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        Job.objects.filter(kind=PRUNE_JOBS).update(run_after=timezone.now())
        jobs_run_pending()
        assert done <= set(Job.objects.values_list("pk", flat=True))  # not yet
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        Job.objects.filter(kind=PRUNE_JOBS, status=Job.Status.PENDING).update(
            run_after=timezone.now()
        )
        jobs_run_pending()
    left = set(Job.objects.values_list("pk", flat=True))
    assert not done & left and failed.pk in left


def test_drafts_are_kept_between_batches_and_a_changed_text_or_setting_shows_at_once(
    mail_dir, settings, monkeypatch
):
    rendered = []
    draft = signature_jobs._draft
    monkeypatch.setattr(
        signature_jobs, "_draft", lambda *args: rendered.append(args[1:]) or draft(*args)
    )
    statement = make_statement()
    title = statement.texts.get(language="en").title
    for mailbox in ("a@example.org", "b@example.org"):  # two batches, one rendering
        sign(statement, individual(email=mailbox))
        jobs_run_pending()
    assert rendered == [("en", "confirm", 0)]
    text = statement.texts.get(language="en")
    text.title = "Evening hours for every branch"
    statement_text_save(text=text, note="A clearer title.")
    sign(statement, individual(email="c@example.org"))
    jobs_run_pending()
    settings.BASE_URL = "https://elsewhere.example.org"
    sign(statement, individual(email="d@example.org"))
    jobs_run_pending()
    assert len(rendered) == 3
    a, b, c, d = written_messages(mail_dir)
    assert title in a["Subject"] and title in b["Subject"]
    assert "Evening hours for every branch" in c["Subject"]
    assert "https://elsewhere.example.org/en/confirm/" in d.get_content()
    assert "https://elsewhere.example.org/" not in c.get_content()
