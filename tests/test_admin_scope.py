"""Staff against staff in the admin: the owner of one statement sees and touches nothing of
another's, whatever permissions the account was given. Site-wide records are a superuser's."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from tests.factories import individual, make_statement, make_superuser, sign, sign_and_confirm
from undersigned.core.models import AuditEntry, Switch
from undersigned.jobs.services import jobs_run_pending
from undersigned.moderation.models import Invalidation
from undersigned.moderation.services import Criteria, signatures_invalidate
from undersigned.signatures.models import BlockRule, ListTally, Signature, Submission
from undersigned.signatures.services import submission_create
from undersigned.statements.models import Statement

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
# Everything of the other owner's world carries this word; none of ours does.
THEIRS = "zulu"


def staff(username: str, *, permissions: bool = True):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, is_staff=True
    )
    if permissions:
        user.user_permissions.set(Permission.objects.all())
    return user


def world():
    """Two owners with every permission, each with a statement holding signatures, a failed
    submission, an invalidation, a tally, jobs and audit entries; site-wide rows beside them."""
    ours = make_statement(slug="alpha-statement", reference="ALPHA-REF-1")
    theirs = make_statement(slug=f"{THEIRS}-statement", reference=f"{THEIRS.upper()}-REF-9")
    draft = make_statement(
        slug=f"{THEIRS}-draft", reference=f"{THEIRS.upper()}-DRAFT", state=Statement.State.DRAFT
    )
    alice, bob = staff("alpha_owner"), staff(f"{THEIRS}_owner")
    ours.owners.add(alice)
    theirs.owners.add(bob)
    draft.owners.add(bob)
    make_superuser("root")
    for statement, word in ((ours, "alpha"), (theirs, THEIRS)):
        sign_and_confirm(statement, individual(name=f"{word} Listed Person", email=f"l@{word}.ex"))
        sign_and_confirm(statement, individual(name=f"{word} Bot", email=f"bot@{word}-bots.ex"))
        sign(statement, individual(name=f"{word} Pending Person", email=f"p@{word}.ex"))
        text = statement.texts.get(language="en")
        failed = submission_create(
            statement=statement,
            details=individual(name=f"{word} Failed Person", email=f"f@{word}.ex"),
            text=text,
            language="en",
        )
        Submission.objects.filter(pk=failed.pk).update(failed="test: could not record")
        signatures_invalidate(
            statement=statement,
            criteria=Criteria(email_domain=f"{word}-bots.ex"),
            user=None,
            reason=f"{word} wave",
        )
    jobs_run_pending()
    BlockRule.objects.create(kind="domain", value=f"{THEIRS}-blocked.ex", reason="site-wide")
    Switch.objects.get_or_create(name=Switch.SIGNING_PAUSED)
    return ours, theirs, alice


def snapshot() -> dict:
    """Every row an action could change, as it stands."""
    return {
        "signatures": sorted(Signature.objects.values_list("pk", "status", "position")),
        "statements": sorted(Statement.objects.values_list("pk", "state", "signing_paused")),
        "invalidations": sorted(Invalidation.objects.values_list("pk", "undone")),
        "tallies": ListTally.objects.count(),
        "switches": sorted(Switch.objects.values_list("name", "is_on")),
        "rules": BlockRule.objects.count(),
        "submissions": Submission.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def belongs_to_us(obj, ours: Statement) -> bool:
    if isinstance(obj, Statement):
        return obj.pk == ours.pk
    return getattr(obj, "statement_id", None) == ours.pk


def admin_url(model, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def assert_nothing_of_theirs(response, where: str) -> None:
    assert response.status_code in (200, 302, 403, 404), (where, response.status_code)
    body = response.content.decode().lower()
    assert THEIRS not in body, f"{where} shows something of the other statement"


def test_a_staff_owner_finds_nothing_of_another_statement_anywhere_in_the_admin(client):
    ours, theirs, alice = world()
    client.force_login(alice)
    before = snapshot()
    walked = 0
    for model, model_admin in admin.site._registry.items():
        name = model._meta.label
        changelist = admin_url(model, "changelist")
        response = client.get(changelist)
        assert_nothing_of_theirs(response, f"{name} list")
        # Filters and searches that name the other statement find nothing either.
        for query in (f"?statement__id__exact={theirs.pk}", "?q=Listed", "?q=wave", "?q=REF"):
            assert_nothing_of_theirs(client.get(changelist + query), f"{name} list {query}")
        if add := admin_url(model, "add"):
            assert_nothing_of_theirs(client.get(add), f"{name} add")
        others = [o for o in model._default_manager.all() if not belongs_to_us(o, ours)]
        for obj in others:
            for view in ("change", "history", "delete"):
                if url := admin_url(model, view, obj.pk):
                    assert_nothing_of_theirs(client.get(url), f"{name} {view} #{obj.pk}")
                    if view == "change":
                        client.post(url, {})
        for action in ["delete_selected", *(model_admin.actions or [])]:
            if not isinstance(action, str):
                action = action.__name__
            response = client.post(
                changelist,
                {
                    "action": action,
                    "_selected_action": [o.pk for o in others],
                    "post": "yes",  # the confirmation step of delete_selected
                },
            )
            assert_nothing_of_theirs(response, f"{name} action {action}")
        walked += 1
    assert walked >= 9
    assert snapshot() == before, "an action of one owner changed another's rows"

    # The walk could fail: our own rows are there, in the same pages.
    mine = client.get(admin_url(Signature, "changelist")).content.decode()
    assert "alpha Listed Person" in mine and "alpha Bot" in mine
    assert "alpha wave" in client.get(admin_url(Invalidation, "changelist")).content.decode()
    assert (
        "alpha Failed Person"
        in client.get(
            admin_url(Submission, "change", Submission.objects.get(statement=ours).pk)
        ).content.decode()
    )


@pytest.mark.parametrize(
    "model", [Switch, BlockRule, ListTally, AuditEntry, get_user_model()], ids=str
)
def test_site_wide_records_are_a_superusers_only(client, model):
    world()
    owner = get_user_model().objects.get(username="alpha_owner")
    client.force_login(owner)
    assert client.get(admin_url(model, "changelist")).status_code == 403
    client.force_login(get_user_model().objects.get(username="root"))
    assert client.get(admin_url(model, "changelist")).status_code == 200


def test_invalidating_needs_the_permission_and_offers_only_the_users_statements(client):
    ours, theirs, alice = world()
    url = admin_url(Invalidation, "add")
    form = {"statement": theirs.pk, "email_domain": f"{THEIRS}.ex", "reason": "x"}

    client.force_login(staff("no_permissions", permissions=False))
    assert client.get(url).status_code == 403
    assert client.post(url, {**form, "confirm": "1"}).status_code == 403

    client.force_login(alice)
    page = client.get(url).content.decode()
    assert str(ours) in page and THEIRS not in page.lower()
    # The preview of another owner's statement is no oracle, and nothing is invalidated.
    for step in ("preview", "confirm"):
        response = client.post(url, {**form, step: "1"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "This will invalidate" not in body and "Select a valid choice" in body
    assert not Invalidation.objects.filter(statement=theirs, reason="x").exists()
    assert Signature.objects.filter(statement=theirs, status="published").count() == 1

    ok = client.post(url, {**form, "statement": ours.pk, "email_domain": "alpha.ex", "preview": 1})
    assert "This will invalidate 2 signatures." in ok.content.decode()
