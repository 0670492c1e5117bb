"""A switch pauses signing on one statement or the whole site: forms explain, POSTs get 503
with Retry-After and store nothing, reads stay up."""

from __future__ import annotations

import pytest

from tests.factories import confirm_token, individual, make_statement, sign
from tests.test_views import individual_form, sign_url
from undersigned.core.audit import entries_for
from undersigned.core.models import Switch
from undersigned.core.switches import switch_set
from undersigned.signatures.models import Signature
from undersigned.statements.services import statement_set_paused

pytestmark = pytest.mark.django_db

PAUSED = "Signing is paused for a while"


def pause_statement(statement):
    return statement_set_paused(statement=statement, paused=True, user=None, reason="abuse wave")


def pause_site():
    return switch_set(name=Switch.SIGNING_PAUSED, on=True, user=None, reason="abuse wave")


@pytest.mark.parametrize("pause", ["statement", "site"])
def test_a_paused_statement_explains_refuses_posts_and_stays_readable(client, pause):
    statement = make_statement()
    pending = sign(statement, individual())
    pause_statement(statement) if pause == "statement" else pause_site()
    statement.refresh_from_db()

    form = client.get(sign_url(statement))
    assert form.status_code == 200 and PAUSED in form.content.decode()
    assert b"<form" not in form.content
    response = client.post(sign_url(statement), individual_form(statement, email="new@example.org"))
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert PAUSED in response.content.decode()
    assert not Signature.objects.filter(email="new@example.org").exists()

    confirm = client.post(f"/en/confirm/{confirm_token(pending)}/")
    assert confirm.status_code == 503 and "Retry-After" in confirm
    pending.refresh_from_db()
    assert pending.status == Signature.Status.PENDING

    page = client.get(f"/en/s/{statement.slug}/")
    assert page.status_code == 200 and PAUSED in page.content.decode()
    assert client.get(f"/en/s/{statement.slug}/individuals/").status_code == 200


def test_resuming_opens_signing_again_and_both_changes_are_audited(client):
    statement = make_statement()
    pause_statement(statement)
    statement_set_paused(statement=statement, paused=False, user=None)
    statement.refresh_from_db()
    response = client.post(sign_url(statement), individual_form(statement))
    assert response.status_code == 302
    assert list(entries_for(statement).values_list("action", flat=True))[:2] == [
        "statements.statement.resumed",
        "statements.statement.paused",
    ]


def test_the_site_switch_is_audited_and_idempotent():
    switch = pause_site()
    pause_site()
    assert switch.is_on
    assert entries_for(switch).filter(action="core.switch.on").count() == 1


def test_the_services_themselves_refuse_while_paused():
    from undersigned.signatures.services import SigningPaused, signature_confirm

    statement = make_statement()
    pending = sign(statement, individual())
    pause_site()
    with pytest.raises(SigningPaused):
        sign(statement, individual())
    with pytest.raises(SigningPaused):
        signature_confirm(token=confirm_token(pending))
    assert Signature.objects.count() == 1


def test_a_pause_made_by_another_process_applies_within_the_state_cache_time(
    client, settings, monkeypatch
):
    """Each process keeps the pause switch and the statement's version for STATE_CACHE_MS
    (core/recent.py): a change made elsewhere (here: written straight to the database, as
    another process would) applies once that time has passed; one made here, at once."""
    import undersigned.core.recent as recent

    settings.STATE_CACHE_MS = 1000
    clock = [1000.0]
    monkeypatch.setattr(recent.time, "monotonic", lambda: clock[0])
    statement = make_statement()
    assert PAUSED not in client.get(sign_url(statement)).content.decode()

    Switch.objects.update_or_create(name=Switch.SIGNING_PAUSED, defaults={"is_on": True})
    assert PAUSED not in client.get(sign_url(statement)).content.decode()  # kept for now
    clock[0] += 1.01
    assert PAUSED in client.get(sign_url(statement)).content.decode()

    switch_set(name=Switch.SIGNING_PAUSED, on=False, user=None, reason="calm again")
    assert PAUSED not in client.get(sign_url(statement)).content.decode()  # at once
    Switch.objects.filter(name=Switch.SIGNING_PAUSED).update(is_on=True)
    settings.STATE_CACHE_MS = 0  # off: every request asks the database
    assert PAUSED in client.get(sign_url(statement)).content.decode()
