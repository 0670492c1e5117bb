"""Coordinators' roles and invitations (issue 17, point 1): every workspace page checks the role
through one selector (`statements.selectors.statement_for`); anyone else gets a 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.core.audit import entries_for
from undersigned.core.mail import written_messages
from undersigned.jobs.services import jobs_run_pending
from undersigned.statements.models import Invitation, Membership, Statement
from undersigned.statements.services import invitation_create, invitation_token

PASSWORD = "a-long-test-password"


def account(name: str):
    return get_user_model().objects.create_user(
        username=name, password=PASSWORD, email=f"{name}@example.org"
    )


@pytest.fixture
def team():
    """A statement with an owner, an editor and a moderator; an outsider who owns another."""
    statement = make_statement()
    other = make_statement()
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    Membership.objects.create(statement=statement, user=people["owner"], role="owner")
    Membership.objects.create(statement=statement, user=people["editor"], role="editor")
    Membership.objects.create(statement=statement, user=people["moderator"], role="moderator")
    Membership.objects.create(statement=other, user=people["outsider"], role="owner")
    entry = sign_and_confirm(statement, organization())
    return statement, other, people, entry


def invite(statement: Statement, by, email: str, role: str) -> tuple[Invitation, str]:
    """An invitation, and the path its link opens (in English)."""
    invitation = invitation_create(
        statement=statement, email=email, role=role, language="en", user=by
    )
    return invitation, f"/en/invite/{invitation_token(invitation)}/"


def join_form(username: str, password: str = "a-long-new-password-7") -> dict:
    return {"action": "create", "username": username, "password1": password, "password2": password}


# Each page, and the roles that open it.
def pages(statement: Statement, entry) -> dict[str, set[str]]:
    base = f"/en/dashboard/s/{statement.slug}"
    return {
        f"{base}/members/": {"owner"},
        f"{base}/review/": {"owner", "moderator"},
        f"{base}/entries/": {"owner", "moderator"},
        f"{base}/entries/{entry.pk}/": {"owner", "moderator"},
        f"{base}/import/": {"owner", "moderator"},
    }


@pytest.mark.django_db
def test_every_page_opens_for_its_roles_and_is_a_404_for_everyone_else(client, team):
    statement, other, people, entry = team
    for name, user in people.items():
        client.force_login(user)
        for path, roles in pages(statement, entry).items():
            status = client.get(path).status_code
            assert status == (200 if name in roles else 404), (name, path, status)
    # The same pages of the other statement: 404 for all of this statement's coordinators.
    other_entry = sign_and_confirm(other, organization())
    for name in ("owner", "editor", "moderator"):
        client.force_login(people[name])
        for path in pages(other, other_entry):
            assert client.get(path).status_code == 404, (name, path)


@pytest.mark.django_db
def test_the_dashboard_shows_each_role_and_only_the_pages_it_opens(client, team):
    statement, other, people, _ = team
    client.force_login(people["editor"])
    page = client.get("/en/dashboard/").content.decode()
    assert statement.texts.get(language="en").title in page
    assert other.texts.get(language="en").title not in page
    assert "editor" in page and f"/dashboard/s/{statement.slug}/review/" not in page
    client.force_login(people["moderator"])
    page = client.get("/en/dashboard/").content.decode()
    assert f"/dashboard/s/{statement.slug}/review/" in page
    assert f"/dashboard/s/{statement.slug}/members/" not in page


@pytest.mark.django_db
def test_staff_of_one_statement_cannot_act_on_another_by_post(client, team):
    statement, other, people, entry = team
    invitation, _ = invite(other, people["outsider"], "x@example.org", "editor")
    membership = Membership.objects.get(statement=other, user=people["outsider"])
    client.force_login(people["owner"])
    base = f"/en/dashboard/s/{other.slug}/members/"
    for data in (
        {"action": "invite", "email": "spy@example.org", "role": "owner", "language": "en"},
        {"action": "revoke", "invitation": invitation.pk},
        {"action": "remove", "membership": membership.pk},
    ):
        assert client.post(base, data).status_code == 404
    # Ids of the other statement's rows sent to this statement's page change nothing either.
    mine = f"/en/dashboard/s/{statement.slug}/members/"
    client.post(mine, {"action": "revoke", "invitation": invitation.pk})
    client.post(mine, {"action": "remove", "membership": membership.pk})
    invitation.refresh_from_db()
    assert invitation.revoked is None
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not Invitation.objects.filter(email="spy@example.org").exists()


@pytest.mark.django_db
def test_an_invitation_is_mailed_in_its_language_and_a_get_changes_nothing(client, team, mail_dir):
    statement, _, people, _ = team
    client.force_login(people["owner"])
    response = client.post(
        f"/en/dashboard/s/{statement.slug}/members/",
        {"action": "invite", "email": "nadia@example.org", "role": "moderator", "language": "ar"},
    )
    assert response.status_code == 302
    jobs_run_pending()
    [message] = [m for m in written_messages(mail_dir) if m["To"] == "nadia@example.org"]
    body = message.get_content()
    assert "مشرف" in body  # the role, in the invitation's language
    link = re.search(r"https?://\S+/invite/\S+/", body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert Invitation.objects.get().accepted is None  # opening the link changed nothing
    assert not get_user_model().objects.filter(email="nadia@example.org").exists()


@pytest.mark.django_db
def test_a_new_coordinator_creates_an_account_from_the_invitation_once(client, team):
    statement, _, people, _ = team
    _, path = invite(statement, people["owner"], "nadia@example.org", "moderator")
    bad = client.post(path, {**join_form("nadia", "short"), "password2": "other"})
    assert bad.status_code == 200 and 'id="error-summary"' in bad.content.decode()
    assert not get_user_model().objects.filter(username="nadia").exists()
    done = client.post(path, join_form("nadia"))
    assert done.status_code == 302
    nadia = get_user_model().objects.get(username="nadia")
    assert nadia.email == "nadia@example.org"
    assert Membership.objects.get(statement=statement, user=nadia).role == "moderator"
    assert entries_for(statement).filter(action="statements.member.joined").count() == 1
    client.logout()
    again = client.get(path)
    assert again.status_code == 409
    assert client.post(path, join_form("nadia2")).status_code == 409
    assert not get_user_model().objects.filter(username="nadia2").exists()


@pytest.mark.django_db
def test_a_signed_in_person_joins_with_their_account_and_an_owner_is_never_downgraded(client, team):
    statement, other, people, _ = team
    _, path = invite(other, people["outsider"], "owner@example.org", "editor")
    client.force_login(people["owner"])
    client.post(path, {"action": "join"})
    assert Membership.objects.get(statement=other, user=people["owner"]).role == "editor"
    _, path = invite(statement, people["owner"], "owner@example.org", "moderator")
    client.post(path, {"action": "join"})
    assert Membership.objects.get(statement=statement, user=people["owner"]).role == "owner"


@pytest.mark.django_db
def test_broken_expired_and_revoked_invitations_get_a_clear_page_and_change_nothing(client, team):
    statement, _, people, _ = team
    invitation, path = invite(statement, people["owner"], "late@example.org", "editor")
    token = path.split("/")[-2]
    with translation.override("en"):
        assert client.get(f"/en/invite/{token[:-2]}xx/").status_code == 404
        assert client.get("/en/invite/%D9%A3-abc/").status_code == 404
        Invitation.objects.filter(pk=invitation.pk).update(
            expires=timezone.now() - timedelta(seconds=1)
        )
        expired = client.get(f"/en/invite/{token}/")
        assert expired.status_code == 410 and "expired" in expired.content.decode()
        Invitation.objects.filter(pk=invitation.pk).update(
            expires=timezone.now() + timedelta(days=1), revoked=timezone.now()
        )
        revoked = client.post(path, join_form("late"))
        assert revoked.status_code == 410
    assert not get_user_model().objects.filter(username="late").exists()


@pytest.mark.django_db
def test_an_invitation_to_a_bad_address_is_refused_beside_the_field(client, team):
    statement, _, people, _ = team
    client.force_login(people["owner"])
    response = client.post(
        f"/ar/dashboard/s/{statement.slug}/members/",
        {"action": "invite", "email": "not an address", "role": "", "language": "ar"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in page and 'id="id_role_error"' in page
    assert "<title>خطأ:" in page
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_last_owner_cannot_be_removed(client, team):
    statement, _, people, _ = team
    client.force_login(people["owner"])
    mine = Membership.objects.get(statement=statement, user=people["owner"])
    client.post(
        f"/en/dashboard/s/{statement.slug}/members/", {"action": "remove", "membership": mine.pk}
    )
    assert Membership.objects.filter(pk=mine.pk).exists()
    editor = Membership.objects.get(statement=statement, user=people["editor"])
    client.post(
        f"/en/dashboard/s/{statement.slug}/members/", {"action": "remove", "membership": editor.pk}
    )
    assert not Membership.objects.filter(pk=editor.pk).exists()
    assert entries_for(statement).filter(action="statements.member.removed").count() == 1
