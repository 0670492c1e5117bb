"""Signers keep control: withdraw, or change whether their name is shown, from their email."""

from __future__ import annotations

import pytest

from tests.factories import (
    confirm_token,
    individual,
    make_statement,
    organization,
    sign,
    sign_and_confirm,
)
from undersigned.core.audit import entries_for
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import ListTally, Signature
from undersigned.signatures.services import (
    TokenProblem,
    signature_set_visibility,
    signature_withdraw,
)
from undersigned.signatures.tokens import make_token

pytestmark = pytest.mark.django_db


def manage_token(signature: Signature) -> str:
    signature.refresh_from_db()
    return make_token(purpose="manage", signature_id=signature.pk, nonce=signature.token_nonce)


def test_withdrawing_takes_the_signature_off_the_list_and_the_count():
    statement = make_statement()
    first = sign_and_confirm(statement, individual(name="First"))
    leaving = sign_and_confirm(statement, individual(name="Leaving", email="leave@example.org"))
    last = sign_and_confirm(statement, individual(name="Last"))
    jobs_run_pending()
    signature_withdraw(token=manage_token(leaving))
    jobs_run_pending()
    leaving.refresh_from_db()
    assert (leaving.status, leaving.position) == (Signature.Status.WITHDRAWN, None)
    assert [Signature.objects.get(pk=s.pk).position for s in (first, last)] == [1, 2]
    assert ListTally.objects.get(statement=statement).individuals_named == 2
    entry = entries_for(leaving).get(action="signatures.signature.withdrawn")
    assert "leave@example.org" not in str(entry.data) and entry.actor_label == "signer"
    # The mailbox may sign again: a withdrawn signature holds no slot.
    again = sign(statement, individual(email="leave@example.org"))
    assert again.pk != leaving.pk


def test_withdrawing_twice_changes_nothing_and_confirm_links_do_not_withdraw():
    statement = make_statement()
    signature = sign_and_confirm(statement, individual())
    confirm_link = make_token(
        purpose="confirm", signature_id=signature.pk, nonce=signature.token_nonce
    )
    with pytest.raises(TokenProblem):
        signature_withdraw(token=confirm_link)
    signature_withdraw(token=manage_token(signature))
    with pytest.raises(TokenProblem):
        signature_withdraw(token=manage_token(signature))
    assert entries_for(signature).filter(action="signatures.signature.withdrawn").count() == 1


def test_changing_visibility_moves_the_name_and_keeps_the_count():
    statement = make_statement()
    signature = sign_and_confirm(statement, individual(name="Changes Mind"))
    jobs_run_pending()
    signature_set_visibility(token=manage_token(signature), show_name=False)
    jobs_run_pending()
    tally = ListTally.objects.get(statement=statement)
    assert (tally.individuals_named, tally.individuals_unnamed) == (0, 1)
    assert Signature.objects.get(pk=signature.pk).position is None
    signature_set_visibility(token=manage_token(signature), show_name=True)
    jobs_run_pending()
    tally.refresh_from_db()
    assert (tally.individuals_named, tally.individuals_unnamed) == (1, 0)
    assert Signature.objects.get(pk=signature.pk).position == 1


def test_organizations_are_always_named():
    statement = make_statement()
    signature = sign_and_confirm(statement, organization())
    with pytest.raises(TokenProblem):
        signature_set_visibility(token=manage_token(signature), show_name=False)


def test_the_manage_page_changes_nothing_on_get_or_head(client):
    statement = make_statement()
    signature = sign_and_confirm(statement, individual())
    url = f"/en/manage/{manage_token(signature)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Withdraw my signature" in page.content
    assert "no-store" in page["Cache-Control"]
    assert client.head(url).status_code == 200
    signature.refresh_from_db()
    assert (signature.status, signature.show_name) == (Signature.Status.PUBLISHED, True)


def test_the_manage_page_withdraws_and_hides_by_post(client):
    statement = make_statement()
    hiding = sign_and_confirm(statement, individual())
    response = client.post(f"/en/manage/{manage_token(hiding)}/", {"action": "hide"})
    assert response.status_code == 200 and b"without your name being shown" in response.content
    assert Signature.objects.get(pk=hiding.pk).show_name is False
    leaving = sign_and_confirm(statement, individual())
    response = client.post(f"/en/manage/{manage_token(leaving)}/", {"action": "withdraw"})
    assert b"Your signature is withdrawn" in response.content
    assert Signature.objects.get(pk=leaving.pk).status == Signature.Status.WITHDRAWN
    assert client.post(f"/en/manage/{manage_token(hiding)}/", {"action": "x"}).status_code == 400


def test_a_forged_manage_link_shows_a_clear_page(client):
    statement = make_statement()
    signature = sign_and_confirm(statement, individual())
    token = manage_token(signature)
    for method in ("get", "post"):
        response = getattr(client, method)(f"/en/manage/{token[:-3]}abc/", {"action": "withdraw"})
        assert response.status_code == 404 and b"not valid" in response.content
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.PUBLISHED


@pytest.mark.django_db
def test_a_link_mailed_before_the_secret_key_was_rotated_still_confirms(client, settings):
    statement = make_statement()
    signature = sign(statement, individual())
    old_link = f"/en/confirm/{confirm_token(signature)}/"
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789abcdefghijklmnop"
    settings.SECRET_KEY_FALLBACKS = []
    assert client.post(old_link).status_code in (200, 404)  # without the fallback: refused
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.post(old_link).status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PUBLISHED
