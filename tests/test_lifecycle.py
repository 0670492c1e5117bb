"""One lifecycle: the table in signatures/lifecycle.py is what the code, the database, the
admin and the docs hold, and every status change goes through it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.factories import make_statement, organization, sign, sign_and_confirm
from undersigned.moderation.services import MergeRefused, duplicate_merge
from undersigned.signatures import lifecycle
from undersigned.signatures.models import DuplicateSuggestion, Signature

ROOT = Path(__file__).resolve().parent.parent


def test_the_database_constraints_and_the_admin_read_the_table():
    constraints = {c.name: c for c in Signature._meta.constraints}
    live = dict(constraints["one_live_signature_per_email"].condition.children)["status__in"]
    assert list(live) == list(lifecycle.LIVE)
    valid = dict(constraints["signature_status_valid"].condition.children)["status__in"]
    assert list(valid) == list(lifecycle.Status.values)
    assert Signature._meta.get_field("status").choices == lifecycle.Status.choices


def test_the_docs_show_the_table_the_code_holds():
    docs = (ROOT / "docs" / "architecture.md").read_text()
    assert lifecycle.lifecycle_table() in docs


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(lifecycle.MOVES))
def test_every_move_is_allowed_from_its_sources_and_refused_from_every_other_status(action):
    statement = make_statement()
    signature = sign(statement, organization())
    for status in lifecycle.Status.values:
        Signature.objects.filter(pk=signature.pk).update(status=status, position=None)
        signature.refresh_from_db()
        to = lifecycle.Status.PENDING if lifecycle.MOVES[action].target is None else None
        if lifecycle.can(action, status):
            assert lifecycle.transition(signature, action, to=to) == status
            signature.refresh_from_db()
            assert signature.status == (lifecycle.MOVES[action].target or to)
        else:
            with pytest.raises(lifecycle.TransitionRefused):
                lifecycle.transition(signature, action, to=to)
            signature.refresh_from_db()
            assert signature.status == status


@pytest.mark.django_db
def test_leaving_the_list_clears_the_number_and_publishing_dates_it():
    statement = make_statement()
    signature = sign_and_confirm(statement, organization())
    Signature.objects.filter(pk=signature.pk).update(position=1)
    signature.refresh_from_db()
    lifecycle.transition(signature, "invalidate")
    signature.refresh_from_db()
    assert signature.position is None and signature.status == "invalidated"
    published_at = signature.published_at
    lifecycle.transition(signature, "restore", to="published")
    signature.refresh_from_db()
    assert signature.status == "published" and signature.published_at == published_at


@pytest.mark.django_db(transaction=True)
def test_two_owners_merging_a_pair_opposite_ways_at_once_keep_exactly_one_entry():
    """On PostgreSQL the two merges run truly at once (row locks decide); on SQLite the write
    lock serializes them. Either way the second sees the first's decision under its lock."""
    statement = make_statement()
    first = sign_and_confirm(statement, organization(name="River Friends", country="KE"))
    second = sign_and_confirm(statement, organization(name="Friends of the River", country="KE"))
    # Suggested when the second one was recorded (or, should the names not be close enough,
    # by hand).
    suggestion = DuplicateSuggestion.objects.filter(statement=statement).first()
    if suggestion is None:
        suggestion = DuplicateSuggestion.objects.create(
            statement=statement, signature=second, other=first, score=90, reason="similar_name"
        )
    owners = [
        get_user_model().objects.create_user(f"co-owner-{n}", password="a-long-password-1")
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(owner, keep) -> None:
        try:
            barrier.wait()
            duplicate_merge(suggestion=suggestion, keep=keep, user=owner, reason="same body")
            outcomes.append("merged")
        except MergeRefused as refused:
            outcomes.append(refused.reason)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(owners[0], first)),
        threading.Thread(target=merge, args=(owners[1], second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["decided", "merged"]
    statuses = sorted(
        Signature.objects.filter(statement=statement).values_list("status", flat=True)
    )
    assert statuses == ["merged", "published"]
    kept = Signature.objects.get(statement=statement, status="published")
    gone = Signature.objects.get(statement=statement, status="merged")
    assert gone.merged_into_id == kept.pk
