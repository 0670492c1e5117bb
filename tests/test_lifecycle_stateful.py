"""A stateful property test of the lifecycle (hypothesis): signers sign (again), confirm, use
wrong links and withdraw over HTTP; owners approve, reject, take entries off the list, undo,
merge and close. After every step: one live signature per mailbox, public counts equal to the
visible rows, no pending, hidden, rejected or withdrawn name on any public page, and a closed
statement accepts nothing."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.factories import confirm_token, make_statement, record_submissions
from undersigned.core.recent import forget
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.models import Invalidation
from undersigned.moderation.services import (
    MergeRefused,
    duplicate_merge,
    invalidation_undo,
    signature_remove,
)
from undersigned.signatures import lifecycle
from undersigned.signatures.abuse import forget_limits
from undersigned.signatures.forms import form_timestamp
from undersigned.signatures.models import DuplicateSuggestion, ListTally, Signature, Submission
from undersigned.signatures.services import signatures_approve, signatures_reject
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Statement
from undersigned.statements.services import statement_set_state

MAILBOXES = ["ana@example.org", "ANA@example.org", "bo@example.net", "cy@example.com"]
ORGANIZATIONS = ["Harbour Trust", "Harbour Trust Association", "Valley Farmers Forum"]
_run = itertools.count(1)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each example starts from the same database and leaves nothing behind, so that a
        # failure replays the same way (the hourly limits count across statements).
        self._example = transaction.atomic()
        self._example.__enter__()
        forget_limits()
        forget()
        cache.clear()
        n = next(_run)
        self.statement = make_statement(slug=f"stateful-{n}", review_organizations=True)
        self.owner = get_user_model().objects.create_user(f"stateful-owner-{n}")
        self.statement.owners.add(self.owner)
        self.client = Client()
        self.names = itertools.count(1)
        self.closed = False

    def teardown(self):
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def _signatures(self):
        return Signature.objects.filter(statement=self.statement).order_by("pk")

    def _pick(self, index: int, *statuses: str) -> Signature | None:
        rows = list(self._signatures().filter(status__in=statuses or lifecycle.Status.values))
        return rows[index % len(rows)] if rows else None

    def _settle(self) -> None:
        record_submissions()
        jobs_run_pending()

    # --- signers, over HTTP -----------------------------------------------------------------

    @rule(mailbox=st.sampled_from(MAILBOXES), show=st.booleans(), org=st.integers(0, 3))
    def sign(self, mailbox, show, org):
        kind = "organization" if org < len(ORGANIZATIONS) and not show else "individual"
        text = self.statement.texts.get(language="en")
        form = {
            "country": "KE",
            "email": mailbox,
            "text_version": text.version,
            "rendered": form_timestamp(time.time() - 60),
        }
        if kind == "individual":
            form.update(
                name=f"Person Number {next(self.names)}", visibility="show" if show else "hide"
            )
        else:
            form.update(
                name=ORGANIZATIONS[org],
                acronym="",
                website="https://harbour.example.org",
                contact_name="Contact Person",
                contact_role="Coordinator",
            )
        before = Submission.objects.count()
        response = self.client.post(f"/en/s/{self.statement.slug}/sign/{kind}/", form)
        if self.closed:
            assert response.status_code == 403
            assert Submission.objects.count() == before
        else:
            assert response.status_code == 302
        self._settle()

    @rule(index=st.integers(0, 20))
    def confirm(self, index):
        signature = self._pick(index, lifecycle.Status.PENDING)
        if signature is not None:
            self.client.post(f"/en/confirm/{confirm_token(signature)}/")
            self._settle()

    @rule(index=st.integers(0, 20))
    def wrong_link(self, index):
        signature = self._pick(index)
        if signature is None:
            return
        before = list(self._signatures().values_list("pk", "status"))
        token = confirm_token(signature)
        wrong = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
        assert self.client.post(f"/en/confirm/{wrong}/").status_code == 404
        assert list(self._signatures().values_list("pk", "status")) == before

    @rule(index=st.integers(0, 20))
    def withdraw(self, index):
        signature = self._pick(index)
        if signature is None:
            return
        token = make_token(purpose="manage", signature_id=signature.pk, nonce=signature.token_nonce)
        self.client.post(f"/en/manage/{token}/", {"action": "withdraw"})
        self._settle()

    # --- owners ----------------------------------------------------------------------------

    @rule(index=st.integers(0, 20), approve=st.booleans())
    def decide(self, index, approve):
        signature = self._pick(index, lifecycle.Status.IN_REVIEW)
        if signature is not None:
            decide = signatures_approve if approve else signatures_reject
            decide(signatures=[signature], user=self.owner, reason="stateful test")
            self._settle()

    @rule(index=st.integers(0, 20))
    def take_off_the_list(self, index):
        signature = self._pick(index, *lifecycle.MOVES["invalidate"].sources)
        if signature is not None:
            signature_remove(signature=signature, user=self.owner, reason="stateful test")
            self._settle()

    @rule(index=st.integers(0, 20))
    def undo(self, index):
        done = list(Invalidation.objects.filter(statement=self.statement, undone__isnull=True))
        if done:
            invalidation_undo(invalidation=done[index % len(done)], user=self.owner)
            self._settle()

    @rule(index=st.integers(0, 20), keep_first=st.booleans())
    def merge(self, index, keep_first):
        open_pairs = list(
            DuplicateSuggestion.objects.filter(
                statement=self.statement, decision=DuplicateSuggestion.Decision.OPEN
            ).select_related("signature", "other")
        )
        if not open_pairs:
            return
        pair = open_pairs[index % len(open_pairs)]
        keep = pair.signature if keep_first else pair.other
        try:
            duplicate_merge(suggestion=pair, keep=keep, user=self.owner, reason="stateful test")
        except MergeRefused:
            assert not all(lifecycle.can("merge", s.status) for s in (pair.signature, pair.other))
        self._settle()

    @rule()
    def close(self):
        statement_set_state(statement=self.statement, state=Statement.State.CLOSED, user=self.owner)
        self.statement.refresh_from_db()
        self.closed = True

    # --- what must always hold ----------------------------------------------------------------

    @invariant()
    def one_live_signature_per_mailbox(self):
        live = (
            self._signatures()
            .filter(status__in=lifecycle.LIVE, email_normalized__isnull=False)
            .values("email_normalized")
            .annotate(n=Count("id"))
        )
        assert all(row["n"] == 1 for row in live)

    @invariant()
    def public_counts_equal_the_visible_rows(self):
        published = self._signatures().filter(status=lifecycle.Status.PUBLISHED)
        tally = ListTally.objects.filter(statement=self.statement).first()
        organizations = published.filter(kind="organization").count()
        named = published.filter(kind="individual", show_name=True).count()
        unnamed = published.filter(kind="individual", show_name=False).count()
        got = (
            (tally.organizations, tally.individuals_named, tally.individuals_unnamed)
            if tally
            else (0, 0, 0)
        )
        assert got == (organizations, named, unnamed)
        positions = sorted(
            p for p in published.filter(show_name=True).values_list("position", flat=True)
        )
        listed = self._signatures().filter(position__isnull=False).count()
        assert listed == len(positions) == organizations + named

    @invariant()
    def no_unlisted_name_on_a_public_page(self):
        slug = self.statement.slug
        pages = [f"/en/s/{slug}/"]
        for kinds in ("organizations", "individuals"):
            pages += [f"/en/s/{slug}/{kinds}/?from={start}" for start in range(1, 40, 5)]
        html = "".join(self.client.get(page).content.decode() for page in pages)
        listed = {
            s.name
            for s in self._signatures().filter(status=lifecycle.Status.PUBLISHED, show_name=True)
        }
        for signature in self._signatures():
            if signature.name in listed:
                continue  # an organization name a listed entry shares
            if signature.kind == "individual":
                assert not re.search(rf"\b{re.escape(signature.name)}\b", html), signature.status


@pytest.mark.django_db
def test_the_lifecycle_keeps_its_promises_whatever_happens():
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=12,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
