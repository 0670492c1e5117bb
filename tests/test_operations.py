"""What an operator relies on: health and readiness over HTTP, metrics behind a token, JSON
logs with a request id and no whole email, and a backup that restores every row."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.core.logs import JsonFormatter, RequestIdFilter
from undersigned.jobs.services import jobs_run_pending, worker_beat
from undersigned.signatures.models import Signature, Submission
from undersigned.signatures.services import submission_create


def test_healthz_answers_without_the_database(client, django_db_blocker):
    with django_db_blocker.block():  # any query would fail the test
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"alive": True}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_needs_a_worker_that_reported_and_a_small_backlog(client, settings):
    not_yet = client.get("/readyz")
    assert not_yet.status_code == 503
    checks = not_yet.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["worker"]["ok"]

    worker_beat()
    assert client.get("/readyz").status_code == 200

    settings.READY_MAX_BACKLOG = 2
    statement = make_statement()
    text = statement.texts.get(language="en")
    for n in range(3):
        submission_create(
            statement=statement,
            details=individual(email=f"wait{n}@example.org"),
            text=text,
            language="en",
        )
    full = client.get("/readyz")
    assert full.status_code == 503 and not full.json()["checks"]["backlog"]["ok"]


@pytest.mark.django_db
def test_metrics_are_off_without_a_token_and_need_it_when_on(client, settings):
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "a-long-metrics-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401

    statement = make_statement()
    sign_and_confirm(statement, individual())
    sign(statement, organization())
    submission_create(
        statement=statement,
        details=individual(email="waiting@example.org"),
        text=statement.texts.get(language="en"),
        language="en",
    )
    client.get(f"/en/s/{statement.slug}/")  # timed by the latency middleware
    worker_beat()
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer a-long-metrics-token")
    assert body.status_code == 200
    text = body.content.decode()
    assert "undersigned_submissions_waiting 1.0" in text
    assert 'undersigned_signatures{status="published"} 1.0' in text
    assert 'undersigned_signatures{status="pending"} 1.0' in text
    assert 'undersigned_jobs{kind="signatures.send_email",status="pending"}' in text
    assert 'undersigned_emails{outcome="waiting"}' in text
    assert "undersigned_submission_oldest_wait_seconds" in text
    assert "undersigned_worker_last_report_seconds" in text
    assert 'undersigned_request_seconds_count{method="GET",view="signatures:statement"}' in text
    jobs_run_pending()
    again = client.get("/metrics", HTTP_AUTHORIZATION="Bearer a-long-metrics-token").content
    # The two signatures' emails and that of the submission, recorded by the same run.
    assert 'undersigned_emails{outcome="sent"} 3.0' in again.decode()


@pytest.mark.django_db
def test_json_logs_carry_the_request_id_and_mask_emails_and_tokens(client, monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s")
    )
    logger = logging.getLogger("undersigned")
    logger.addHandler(handler)

    def busy(**kwargs):
        raise OperationalError("locked while storing ana.lopez@example.org for /en/confirm/7-abc/")

    monkeypatch.setattr("undersigned.signatures.views.submission_create", busy)
    statement = make_statement()
    from tests.test_views import individual_form

    try:
        response = client.post(
            f"/en/s/{statement.slug}/sign/individual/", individual_form(statement)
        )
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 503
    [line] = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["levelname"] == "WARNING" and line["name"] == "undersigned.core.middleware"
    assert "ana.lopez" not in line["message"] and "***@example.org" in line["message"]
    assert "/en/confirm/[token]/" in line["message"]


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row(tmp_path):
    statement = make_statement()
    for n in range(3):
        sign_and_confirm(statement, individual(email=f"kept{n}@example.org"))
    sign(statement, organization(name="Waiting Org"))
    jobs_run_pending()
    models = [m for m in apps.get_models() if m._meta.managed]
    before = {m._meta.label: m._default_manager.count() for m in models}
    rows = sorted(Signature.objects.values_list("pk", "status", "name", "position"))
    path = tmp_path / "undersigned.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    assert path.stat().st_size > 0

    # Life goes on after the backup; the restore takes the database back to it.
    sign_and_confirm(statement, individual(email="later@example.org"))
    Signature.objects.filter(email="kept0@example.org").update(status="withdrawn", position=None)
    with pytest.raises(CommandError):
        call_command("restore", str(path), stdout=io.StringIO())  # needs --yes
    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert {m._meta.label: m._default_manager.count() for m in models} == before
    assert sorted(Signature.objects.values_list("pk", "status", "name", "position")) == rows
    assert not Submission.objects.exists()


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite header check")
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"not a database")
    with pytest.raises(CommandError, match="not a SQLite backup"):
        call_command("restore", str(bogus), "--yes")


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_people_sign_holds_every_signature_acknowledged_before_it(
    live_server, tmp_path
):
    """Signers keep signing over HTTP while the backup runs; after a restore, every signature
    acknowledged before the backup started is there (recorded, or waiting to be), and once the
    worker has run the stored counts agree with the rows."""
    import threading
    import time as clock

    from tests.factories import record_submissions
    from tests.test_races import Signer
    from undersigned.signatures.normalize import normalize_email
    from undersigned.signatures.upkeep import counts_reconcile

    statement = make_statement()
    path = f"/en/s/{statement.slug}/sign/individual/"
    acked: list[tuple[float, str]] = []
    stop = threading.Event()

    def sign(worker: int) -> None:
        signer = Signer(live_server.url, path)
        n = 0
        while not stop.is_set():
            form = signer.get_form()
            email = f"during{worker}-{n}@example.org"
            n += 1
            status, url = signer.post(
                {
                    **form,
                    "name": "Backup Signer",
                    "country": "FR",
                    "email": email,
                    "visibility": "show",
                }
            )
            if status == 200 and url.endswith("/sign/sent/"):
                acked.append((clock.monotonic(), email))

    def record() -> None:
        while not stop.is_set():
            record_submissions(batch=5)
            clock.sleep(0.05)

    threads = [threading.Thread(target=sign, args=(w,)) for w in range(4)]
    threads.append(threading.Thread(target=record))
    for thread in threads:
        thread.start()
    try:
        while len(acked) < 20:
            clock.sleep(0.05)
        backup_started = clock.monotonic()
        call_command("backup", str(tmp_path / "live.backup"), stdout=io.StringIO())
        while len(acked) < 40:
            clock.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    before = [email for at, email in acked if at < backup_started]
    assert len(before) >= 20

    call_command("restore", str(tmp_path / "live.backup"), "--yes", stdout=io.StringIO())
    record_submissions()
    jobs_run_pending()
    stored = set(
        Signature.objects.filter(statement=statement).values_list("email_normalized", flat=True)
    )
    assert [e for e in before if normalize_email(e) not in stored] == []
    assert counts_reconcile() == []
