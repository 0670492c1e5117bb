"""Moderators invalidate by criteria as one audited, reversible action; nothing is deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import individual, make_statement, make_superuser, sign_and_confirm
from undersigned.core.audit import entries_for
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.models import Invalidation
from undersigned.moderation.services import (
    Criteria,
    EmptyCriteria,
    invalidation_matches,
    invalidation_undo,
    signatures_invalidate,
)
from undersigned.signatures.models import ListTally, Signature

pytestmark = pytest.mark.django_db


def crowd(statement):
    bad = [sign_and_confirm(statement, individual(email=f"b{n}@bots.example")) for n in range(3)]
    good = [sign_and_confirm(statement, individual(email=f"g{n}@people.example")) for n in range(2)]
    jobs_run_pending()
    return bad, good


def tally(statement):
    return ListTally.objects.get(statement=statement).individuals_named


def test_invalidating_a_domain_stops_counting_it_and_undo_restores_the_count():
    statement = make_statement()
    bad, good = crowd(statement)
    assert tally(statement) == 5
    criteria = Criteria(email_domain="bots.example")
    assert invalidation_matches(statement=statement, criteria=criteria).count() == 3
    invalidation = signatures_invalidate(
        statement=statement, criteria=criteria, user=None, reason="bot wave"
    )
    jobs_run_pending()
    assert invalidation.count == 3 and tally(statement) == 2
    assert Signature.objects.filter(status=Signature.Status.INVALIDATED).count() == 3
    entry = entries_for(statement).get(action="moderation.signatures.invalidated")
    assert entry.reason == "bot wave" and entry.data["count"] == 3

    assert invalidation_undo(invalidation=invalidation, user=None) == 3
    assert invalidation_undo(invalidation=invalidation, user=None) == 0  # once only
    jobs_run_pending()
    assert tally(statement) == 5
    assert Signature.objects.filter(status=Signature.Status.PUBLISHED).count() == 5


def test_empty_criteria_are_refused():
    statement = make_statement()
    crowd(statement)
    with pytest.raises(EmptyCriteria):
        signatures_invalidate(statement=statement, criteria=Criteria(), user=None, reason="x")
    assert not Invalidation.objects.exists()
    assert tally(statement) == 5


def test_a_time_window_selects_only_signatures_inside_it():
    statement = make_statement()
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=2)):  # two people signed two days ago
        for n in range(2):
            sign_and_confirm(statement, individual(email=f"g{n}@people.example"))
    for n in range(3):
        sign_and_confirm(statement, individual(email=f"b{n}@bots.example"))
    criteria = Criteria(created_from=now - timedelta(hours=1), created_to=now + timedelta(hours=1))
    assert invalidation_matches(statement=statement, criteria=criteria).count() == 3


def test_the_admin_previews_the_count_before_it_runs(client):
    statement = make_statement()
    crowd(statement)
    make_superuser("moderator", "a-long-test-password")
    client.force_login(get_user_model().objects.get(username="moderator"))
    url = "/admin/moderation/invalidation/add/"
    form = {"statement": statement.pk, "email_domain": "bots.example", "reason": "bot wave"}

    empty = client.post(url, {"statement": statement.pk, "reason": "x", "preview": "1"})
    assert "Choose at least one criterion" in empty.content.decode()
    preview = client.post(url, {**form, "preview": "1"})
    assert "This will invalidate 3 signatures." in preview.content.decode()
    assert not Invalidation.objects.exists()  # a preview changes nothing

    done = client.post(url, {**form, "confirm": "1"})
    assert done.status_code == 302
    invalidation = Invalidation.objects.get()
    assert invalidation.count == 3 and invalidation.created_by.username == "moderator"
    client.post(
        "/admin/moderation/invalidation/",
        {"action": "undo", "_selected_action": [invalidation.pk]},
    )
    invalidation.refresh_from_db()
    assert invalidation.undone is not None
    assert not Signature.objects.filter(status=Signature.Status.INVALIDATED).exists()
