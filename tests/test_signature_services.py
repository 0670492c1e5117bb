"""The signing services: what they store, what they queue, and what they refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    confirm_token,
    individual,
    make_statement,
    organization,
    sign,
    sign_and_confirm,
)
from undersigned.core.audit import entries_for
from undersigned.jobs.models import Job
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import ListTally, Signature
from undersigned.signatures.services import (
    SigningClosed,
    TokenProblem,
    signature_confirm,
    signatures_approve,
    signatures_reject,
    statement_list_refresh,
)
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Statement

pytestmark = pytest.mark.django_db


def test_signing_stores_a_pending_signature_an_audit_entry_and_an_email_job():
    statement = make_statement()
    signature = sign(statement, individual(email="Ana.Lopez@Example.ORG"))
    assert signature.status == Signature.Status.PENDING
    assert signature.email_normalized == "ana.lopez@example.org"
    assert [e.action for e in entries_for(signature)] == ["signatures.signature.created"]
    job = Job.objects.get(kind="signatures.send_email")
    assert job.payload == {"signature_id": signature.pk, "template": "confirm"}
    assert "@" not in str(job.payload)  # the queue holds ids, not contact data


def test_a_second_signature_from_the_same_mailbox_is_refused_by_the_database():
    statement = make_statement()
    first = sign(statement, individual(email="ana@example.org"))
    duplicate = Signature.objects.get(pk=first.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)


def test_repeat_submissions_resend_a_limited_number_of_times_and_change_nothing(settings):
    settings.CONFIRMATION_MAX_SENDS = 3
    statement = make_statement()
    first = sign(statement, individual(email="ana@example.org", name="Ana"))
    old_nonce = first.token_nonce
    for _ in range(5):
        again = sign(statement, individual(email="ANA@example.org", name="Someone Else"))
        assert again.pk == first.pk
    first.refresh_from_db()
    assert first.name == "Ana"
    assert first.sends == 3
    assert first.token_nonce != old_nonce
    assert Signature.objects.count() == 1
    assert Job.objects.filter(kind="signatures.send_email").count() == 3


def test_repeat_after_confirmation_sends_an_already_signed_note():
    statement = make_statement()
    signature = sign_and_confirm(statement, individual(email="ana@example.org"))
    sign(statement, individual(email="ana@example.org"))
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PUBLISHED
    last = Job.objects.filter(kind="signatures.send_email").order_by("-id").first()
    assert last.payload["template"] == "already_signed"


@pytest.mark.parametrize(
    "fields",
    [
        {"state": Statement.State.CLOSED},
        {"state": Statement.State.DRAFT},
        {"opens_at": timezone.now() + timedelta(days=1)},
        {"closes_at": timezone.now() - timedelta(minutes=1), "opens_at": None},
        {"signers": Statement.Signers.ORGANIZATIONS},
    ],
)
def test_signing_is_refused_when_the_statement_does_not_accept_it(fields):
    statement = make_statement(**fields)
    with pytest.raises(SigningClosed):
        sign(statement, individual())
    assert Signature.objects.count() == 0
    assert Job.objects.count() == 0


def test_confirming_publishes_an_individual_and_queues_a_list_refresh():
    statement = make_statement()
    signature = sign_and_confirm(statement, individual())
    assert signature.status == Signature.Status.PUBLISHED
    assert signature.confirmed_at and signature.published_at
    assert Job.objects.filter(
        kind="signatures.refresh_list", key=f"statement:{statement.pk}"
    ).exists()
    assert [e.action for e in entries_for(signature)][0] == "signatures.signature.confirmed"


def test_confirming_twice_changes_nothing():
    statement = make_statement()
    signature = sign(statement, individual())
    token = confirm_token(signature)
    signature_confirm(token=token)
    before = Signature.objects.get(pk=signature.pk)
    with pytest.raises(TokenProblem) as problem:
        signature_confirm(token=token)
    assert problem.value.code == "used"
    after = Signature.objects.get(pk=signature.pk)
    assert (after.status, after.confirmed_at) == (before.status, before.confirmed_at)
    assert entries_for(signature).filter(action="signatures.signature.confirmed").count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "9999999-" + t.split("-", 1)[1],
        lambda t: t.split("-", 1)[0],
        lambda t: "",
        lambda t: "abc-def",
    ],
)
def test_a_tampered_link_is_refused(tamper):
    statement = make_statement()
    signature = sign(statement, individual())
    with pytest.raises(TokenProblem) as problem:
        signature_confirm(token=tamper(confirm_token(signature)))
    assert problem.value.code == "invalid"
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_an_expired_link_is_refused():
    statement = make_statement()
    signature = sign(statement, individual())
    Signature.objects.filter(pk=signature.pk).update(token_expires=timezone.now())
    with pytest.raises(TokenProblem) as problem:
        signature_confirm(token=confirm_token(signature))
    assert problem.value.code == "expired"


def test_a_link_for_another_purpose_is_refused():
    statement = make_statement()
    signature = sign(statement, individual())
    token = make_token(purpose="withdraw", signature_id=signature.pk, nonce=signature.token_nonce)
    with pytest.raises(TokenProblem):
        signature_confirm(token=token)


def test_tokens_carry_at_least_128_random_bits():
    statement = make_statement()
    signature = sign(statement, individual())
    assert len(bytes.fromhex(signature.token_nonce)) >= 16
    other = sign(statement, individual())
    assert other.token_nonce != signature.token_nonce


def test_reviewed_organizations_wait_until_approved_or_rejected(django_user_model):
    owner = django_user_model.objects.create_user("owner")
    statement = make_statement(review_organizations=True)
    approved = sign_and_confirm(statement, organization())
    rejected = sign_and_confirm(statement, organization())
    assert approved.status == rejected.status == Signature.Status.IN_REVIEW
    assert signatures_approve(signatures=[approved], user=owner, reason="known member") == 1
    assert signatures_reject(signatures=[rejected], user=owner, reason="not an organization") == 1
    # A decision is taken once; a second bulk action leaves decided signatures alone.
    assert signatures_approve(signatures=[approved, rejected], user=owner) == 0
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert approved.status == Signature.Status.PUBLISHED
    assert rejected.status == Signature.Status.REJECTED
    entry = entries_for(rejected).get(action="signatures.signature.rejected")
    assert (entry.actor, entry.reason) == (owner, "not an organization")


def test_list_refresh_counts_and_numbers_without_gaps():
    statement = make_statement()
    orgs = [sign_and_confirm(statement, organization()) for _ in range(3)]
    named = [sign_and_confirm(statement, individual()) for _ in range(2)]
    sign_and_confirm(statement, individual(show_name=False))
    sign(statement, individual())  # pending: not counted
    tally = statement_list_refresh(statement_id=statement.pk)
    assert (tally.organizations, tally.individuals_named, tally.individuals_unnamed) == (3, 2, 1)
    positions = lambda rows: [Signature.objects.get(pk=r.pk).position for r in rows]  # noqa: E731
    assert positions(orgs) == [1, 2, 3]
    assert positions(named) == [1, 2]
    assert Signature.objects.filter(show_name=False).get().position is None

    # One leaves the list (as withdrawal or invalidation will do): the rest close the gap.
    Signature.objects.filter(pk=orgs[1].pk).update(status=Signature.Status.WITHDRAWN, position=None)
    more = sign_and_confirm(statement, organization())
    statement_list_refresh(statement_id=statement.pk)
    assert positions([orgs[0], orgs[2], more]) == [1, 2, 3]
    assert ListTally.objects.get(statement=statement).organizations == 3


@pytest.mark.parametrize("batch", [1, 20])
def test_refresh_jobs_for_one_statement_coalesce_into_one_run(monkeypatch, batch):
    from undersigned.signatures import jobs

    runs = []
    real = jobs.statement_list_refresh
    monkeypatch.setattr(jobs, "statement_list_refresh", lambda **kw: runs.append(kw) or real(**kw))
    statement = make_statement()
    for _ in range(5):
        sign_and_confirm(statement, individual())
    refreshes = Job.objects.filter(kind="signatures.refresh_list")
    assert refreshes.filter(status=Job.Status.PENDING).count() == 5
    jobs_run_pending(batch=batch)
    assert refreshes.filter(status=Job.Status.PENDING).count() == 0
    assert runs == [{"statement_id": statement.pk}]
    assert ListTally.objects.get(statement=statement).individuals_named == 5
