"""Retention and reconciliation, with the clock moved forward: what must go is gone, what must
stay stays, and counts equal rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.core.models import AuditEntry
from undersigned.jobs.models import Job
from undersigned.jobs.services import jobs_run_pending, periodic_schedule
from undersigned.signatures.models import ListTally, Signature
from undersigned.signatures.upkeep import counts_reconcile, retention_run
from undersigned.statements.models import Statement
from undersigned.statements.services import statement_set_state

pytestmark = pytest.mark.django_db


def test_unconfirmed_signatures_go_after_the_retention_period(settings):
    settings.RETENTION_UNCONFIRMED_DAYS = 14
    start = timezone.now()
    statement = make_statement()
    with time_machine.travel(start, tick=False):
        pending = sign(statement, individual(email="never@example.org"))
        kept = sign_and_confirm(statement, individual())
    with time_machine.travel(start + timedelta(days=13), tick=False):
        assert retention_run()["unconfirmed_deleted"] == 0
    with time_machine.travel(start + timedelta(days=15), tick=False):
        assert retention_run()["unconfirmed_deleted"] == 1
        assert retention_run()["unconfirmed_deleted"] == 0  # idempotent
    assert not Signature.objects.filter(pk=pending.pk).exists()
    assert Signature.objects.filter(pk=kept.pk).exists()
    entry = AuditEntry.objects.get(action="signatures.retention.unconfirmed_deleted")
    assert entry.data == {"signatures": 1} and "never@" not in str(entry.data)
    jobs_run_pending()  # its queued email finds nothing to write to, and does not fail
    assert not Job.objects.exclude(status=Job.Status.DONE).exclude(key="periodic").exists()


def test_ip_hashes_are_dropped_after_their_period(settings):
    settings.RETENTION_IP_DAYS = 30
    start = timezone.now()
    statement = make_statement()
    with time_machine.travel(start, tick=False):
        signature = sign_and_confirm(statement, individual())
        Signature.objects.filter(pk=signature.pk).update(ip_hash="a" * 32)
    with time_machine.travel(start + timedelta(days=31), tick=False):
        assert retention_run()["ip_hashes_dropped"] == 1
    assert Signature.objects.get(pk=signature.pk).ip_hash == ""


def test_contact_data_goes_months_after_closing_and_the_public_list_stays(client, settings):
    settings.RETENTION_CONTACT_MONTHS = 6
    start = timezone.now()
    statement = make_statement()
    with time_machine.travel(start, tick=False):
        org = sign_and_confirm(statement, organization(name="Lasting Org", contact_name="Zed"))
        person = sign_and_confirm(statement, individual(name="Lasting Person"))
        jobs_run_pending()
        statement_set_state(statement=statement, state=Statement.State.CLOSED)
    with time_machine.travel(start + timedelta(days=150), tick=False):
        assert retention_run()["contact_data_removed"] == 0
    with time_machine.travel(start + timedelta(days=185), tick=False):
        assert retention_run()["contact_data_removed"] == 2
        assert retention_run()["contact_data_removed"] == 0
        jobs_run_pending()
    for signature in (org, person):
        signature.refresh_from_db()
        assert (signature.email, signature.contact_name, signature.token_nonce) == ("", "", "")
        assert signature.status == Signature.Status.PUBLISHED and signature.anonymized_at
    html = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert "Lasting Org" in html and "Lasting Person" in html
    tally = ListTally.objects.get(statement=statement)
    assert (tally.organizations, tally.individuals_named) == (1, 1)


def test_open_statements_keep_their_contact_data(settings):
    settings.RETENTION_CONTACT_MONTHS = 1
    statement = make_statement()
    signature = sign_and_confirm(statement, individual(email="stay@example.org"))
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        retention_run()
    assert Signature.objects.get(pk=signature.pk).email == "stay@example.org"


def test_reconciliation_repairs_a_wrong_count_and_records_it():
    statement = make_statement()
    for _ in range(3):
        sign_and_confirm(statement, individual())
    jobs_run_pending()
    ListTally.objects.filter(statement=statement).update(individuals_named=99)
    [repair] = counts_reconcile()
    assert repair["before"]["individuals_named"] == 99
    assert repair["after"]["individuals_named"] == 3
    assert ListTally.objects.get(statement=statement).individuals_named == 3
    assert AuditEntry.objects.filter(action="signatures.tally.repaired").count() == 1
    assert counts_reconcile() == []  # nothing left to repair


def test_reconciliation_counts_equal_rows_after_the_clock_moves(settings):
    settings.RETENTION_UNCONFIRMED_DAYS = 1
    statement = make_statement()
    sign(statement, individual())
    for _ in range(2):
        sign_and_confirm(statement, organization())
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        retention_run()
        counts_reconcile()
    tally = ListTally.objects.get(statement=statement)
    assert (
        tally.organizations
        == Signature.objects.filter(
            statement=statement, kind="organization", status="published"
        ).count()
    )


def test_the_worker_keeps_one_periodic_run_of_each_queued():
    assert periodic_schedule() == 5
    assert periodic_schedule() == 0
    jobs_run_pending()
    # Each run queued the next one: upkeep an hour later, the surge watch and the delivery
    # milestones a minute later.
    upcoming = {
        job.kind: job.run_after - timezone.now()
        for job in Job.objects.filter(key="periodic", status=Job.Status.PENDING)
    }
    assert sorted(upcoming) == [
        "deliveries.milestones",
        "jobs.prune",
        "moderation.surge_watch",
        "signatures.reconcile",
        "signatures.retention",
    ]
    assert upcoming["signatures.reconcile"] > timedelta(minutes=59)
    assert upcoming["signatures.retention"] > timedelta(minutes=59)
    assert timedelta(seconds=50) < upcoming["moderation.surge_watch"] <= timedelta(minutes=1)
    assert timedelta(seconds=50) < upcoming["deliveries.milestones"] <= timedelta(minutes=1)


def test_the_management_commands_run(capsys):
    call_command("run_retention")
    call_command("reconcile_counts")
    out = capsys.readouterr().out
    assert "unconfirmed_deleted: 0" in out and "0 count(s) repaired" in out


def test_submissions_that_could_not_be_recorded_go_after_the_same_period(settings):
    from undersigned.signatures.models import Submission

    settings.RETENTION_UNCONFIRMED_DAYS = 14
    start = timezone.now()
    statement = make_statement()
    with time_machine.travel(start, tick=False):
        stuck = Submission.objects.create(
            statement=statement, kind="individual", language="en", text_language="en",
            text_version="v", details={"email": "stuck@example.org"}, failed="TypeError: x",
        )  # fmt: skip
    with time_machine.travel(start + timedelta(days=13), tick=False):
        assert retention_run()["failed_submissions_deleted"] == 0
    with time_machine.travel(start + timedelta(days=15), tick=False):
        assert retention_run()["failed_submissions_deleted"] == 1
    assert not Submission.objects.filter(pk=stuck.pk).exists()
    entry = AuditEntry.objects.get(action="signatures.retention.failed_submissions_deleted")
    assert "stuck@" not in str(entry.data)
