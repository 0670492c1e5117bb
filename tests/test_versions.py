"""Circulating a draft and versions bound to signatures (issue 17, points 4 to 6), through HTTP:
the secret preview link and the partners who sign from it, initial signatories, the versions
that go public, change notes, the public history with its word-level diff, the signer's own
page, and the emails to earlier signers. Each for every role, with bad input."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.factories import (
    confirm_token,
    individual,
    make_statement,
    organization,
    record_submissions,
    sign,
    sign_and_confirm,
)
from undersigned.core.audit import entries_for
from undersigned.core.mail import written_messages
from undersigned.jobs.models import Job
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature
from undersigned.signatures.services import (
    signature_confirm,
    signature_withdraw,
    statement_list_refresh,
)
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Membership, Statement, TextRevision
from undersigned.statements.services import preview_token, statement_set_state

from .test_statement_workspace import account

ORG_FORM = {
    "name": "Harbour Workers Union",
    "acronym": "HWU",
    "country": "PT",
    "email": "office@harbour-union.example.org",
    "website": "",
    "contact_name": "Rita Mendes",
    "contact_role": "Secretary",
    "homepage": "",
}


@pytest.fixture
def team():
    statement = make_statement(state=Statement.State.DRAFT)
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    other = make_statement(state=Statement.State.DRAFT)
    Membership.objects.create(statement=other, user=people["outsider"], role="owner")
    return statement, people, other


def preview_path(statement: Statement) -> str:
    statement.refresh_from_db()
    return f"/en/preview/{preview_token(statement)}/"


def sign_form(client, path: str, **changes) -> object:
    page = client.get(path)
    form = page.context["form"]
    data = {
        **ORG_FORM,
        "text_version": form["text_version"].value(),
        "rendered": re.search(r'name="rendered" value="([^"]+)"', page.content.decode())[1],
        **changes,
    }
    return client.post(path, data)


def manage_path(signature: Signature) -> str:
    token = make_token(purpose="manage", signature_id=signature.pk, nonce=signature.token_nonce)
    return f"/en/manage/{token}/"


# --- The preview link ------------------------------------------------------------------------


@pytest.mark.django_db
def test_owners_and_editors_make_rotate_and_withdraw_the_preview_link(client, team):
    statement, people, other = team
    base = f"/en/dashboard/s/{statement.slug}/"
    for name in ("moderator", "outsider"):
        client.force_login(people[name])
        assert client.post(base, {"action": "preview_rotate"}).status_code == 404, name
    statement.refresh_from_db()
    assert statement.preview_nonce == ""
    client.force_login(people["editor"])
    assert client.post(base, {"action": "preview_rotate"}).status_code == 302
    first = preview_path(statement)
    assert first in client.get(base).content.decode()  # shown to copy
    # The page: the draft's text, never stored or indexed, its address kept from other sites.
    client.logout()
    response = client.get(first)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    body = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert statement.texts.get(language="en").title in body
    # Rotating makes the old link useless; withdrawing makes every link useless.
    client.force_login(people["owner"])
    client.post(base, {"action": "preview_rotate"})
    second = preview_path(statement)
    assert second != first
    client.logout()
    gone = client.get(first)
    assert gone.status_code == 404
    assert "This preview link does not work" in gone.content.decode()
    assert gone["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(second).status_code == 200
    client.force_login(people["owner"])
    client.post(base, {"action": "preview_revoke"})
    client.logout()
    assert client.get(second).status_code == 404
    actions = set(entries_for(statement).values_list("action", flat=True))
    assert {"statements.preview.rotated", "statements.preview.revoked"} <= actions


@pytest.mark.django_db
def test_a_preview_link_opens_its_own_statement_only_and_cannot_be_guessed(client, team):
    statement, people, other = team
    client.force_login(people["outsider"])
    client.post(f"/en/dashboard/s/{other.slug}/", {"action": "preview_rotate"})
    theirs = preview_path(other)
    token = theirs.split("/")[3]
    _pk, mac = token.split("-", 1)
    assert len(mac) >= 40
    # The same secret with another statement's number opens nothing.
    client.logout()
    assert client.get(f"/en/preview/{statement.pk}-{mac}/").status_code == 404
    for bad in ("x", "0-0", f"{other.pk}-", f"{other.pk}-{'a' * 43}", "9" * 30 + "-x", "%00"):
        assert client.get(f"/en/preview/{bad}/").status_code == 404, bad
    # Nor does it open the other statement's workspace.
    assert client.get(f"/en/dashboard/s/{statement.slug}/").status_code == 302  # sign in first
    client.force_login(people["outsider"])
    assert client.get(f"/en/dashboard/s/{statement.slug}/").status_code == 404


@pytest.mark.django_db
def test_partners_sign_from_the_preview_and_become_initial_signatories(client, team, mail_dir):
    statement, people, _other = team
    client.force_login(people["owner"])
    client.post(f"/en/dashboard/s/{statement.slug}/", {"action": "preview_rotate"})
    path = preview_path(statement)
    client.logout()
    # Bad input is refused beside its field, and nothing is stored.
    refused = sign_form(client, path, email="not an address", name="")
    assert refused.status_code == 200
    assert 'id="id_email_error"' in refused.content.decode()
    assert record_submissions() == 0
    sent = sign_form(client, path)
    assert sent.status_code == 302 and sent["Location"].endswith("/sent/")
    assert client.get(sent["Location"]).status_code == 200
    assert record_submissions() == 1
    partner = Signature.objects.get(email="office@harbour-union.example.org")
    assert partner.initial and partner.status == "pending"
    # The same email confirmation as on the public page.
    jobs_run_pending()
    [message] = written_messages(mail_dir)
    assert "/confirm/" in message.get_content()
    done = client.post(f"/en/confirm/{confirm_token(partner)}/")
    assert done.status_code == 302
    thanks = client.get(done["Location"]).content.decode()
    assert "initial signatories" in thanks
    assert f"/s/{statement.slug}/" not in thanks  # no link to a page that is not public yet
    # Individuals cannot sign a draft, nor anyone once it opened, from the link.
    client.force_login(people["owner"])
    client.post(f"/en/dashboard/s/{statement.slug}/", {"action": "open"})
    client.logout()
    statement.refresh_from_db()
    public = sign_and_confirm(statement, organization())
    assert "is public now" in client.get(path).content.decode()
    late = client.post(path, {**ORG_FORM, "email": "late@harbour-union.example.org"})
    assert late.status_code == 200 and "is public now" in late.content.decode()
    assert record_submissions() == 0
    assert not Signature.objects.filter(email=ORG_FORM["email"], pk__gt=partner.pk).exists()
    statement_list_refresh(statement_id=statement.pk)
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert page.index("Initial signatories") < page.index(ORG_FORM["name"])
    assert page.index(ORG_FORM["name"]) < page.index("Other signatories")
    assert page.index("Other signatories") < page.index(public.name)
    partner.refresh_from_db()
    public.refresh_from_db()
    assert (partner.position, public.position) == (1, 2)


@pytest.mark.django_db
def test_a_partner_who_confirms_late_is_still_listed_first():
    statement = make_statement(state=Statement.State.DRAFT)
    early = sign(statement, organization(), early=True)
    assert early.initial
    statement_set_state(statement=statement, state="open")
    first_public = sign_and_confirm(statement, organization())
    statement_list_refresh(statement_id=statement.pk)
    signature_confirm(token=confirm_token(early))
    statement_list_refresh(statement_id=statement.pk)
    positions = dict(Signature.objects.values_list("pk", "position"))
    assert (positions[early.pk], positions[first_public.pk]) == (1, 2)


@pytest.mark.django_db
def test_only_an_owner_marks_a_confirmed_entry_as_an_initial_signatory(client, team):
    statement, people, _other = team
    statement_set_state(statement=statement, state="open")
    first = sign_and_confirm(statement, organization())
    second = sign_and_confirm(statement, organization())
    pending = sign(statement, organization())
    statement_list_refresh(statement_id=statement.pk)
    path = f"/en/dashboard/s/{statement.slug}/entries/{second.pk}/"
    for name in ("moderator", "editor", "outsider"):
        client.force_login(people[name])
        response = client.post(path, {"action": "initial", "initial": "1"})
        assert response.status_code in (200, 404), name
        second.refresh_from_db()
        assert not second.initial, name
    client.force_login(people["owner"])
    assert "List it as an initial signatory" in client.get(path).content.decode()
    assert client.post(path, {"action": "initial", "initial": "1"}).status_code == 302
    second.refresh_from_db()
    assert second.initial
    assert entries_for(second).filter(action="signatures.signature.initial_marked").exists()
    jobs_run_pending()  # the list refresh
    positions = dict(Signature.objects.values_list("pk", "position"))
    assert (positions[second.pk], positions[first.pk]) == (1, 2)
    # A pending entry has nothing to confirm it: it cannot be marked.
    client.post(
        f"/en/dashboard/s/{statement.slug}/entries/{pending.pk}/",
        {"action": "initial", "initial": "1"},
    )
    pending.refresh_from_db()
    assert not pending.initial


# --- Versions --------------------------------------------------------------------------------


def edit(client, statement, language="en", **data):
    return client.post(
        f"/en/dashboard/s/{statement.slug}/texts/{language}/", {"action": "save", **data}
    )


@pytest.mark.django_db
def test_opening_records_the_versions_that_went_public(client, team):
    statement, people, _other = team
    client.force_login(people["editor"])
    edit(client, statement, title="Draft title", body="Draft one.")
    edit(client, statement, title="Final title", body="Final words.")
    assert not TextRevision.objects.filter(public_since__isnull=False).exists()
    client.post(f"/en/dashboard/s/{statement.slug}/", {"action": "open"})
    public = TextRevision.objects.filter(statement=statement, public_since__isnull=False)
    assert sorted(public.values_list("language", "title")) == [
        ("ar", statement.texts.get(language="ar").title),
        ("en", "Final title"),
    ]
    # Drafts that were never public stay out of the public history.
    history = client.get(f"/en/s/{statement.slug}/history/").content.decode()
    assert "Final title" not in history or "Draft title" not in history
    assert "Draft one" not in history


@pytest.mark.django_db
def test_a_public_text_changes_only_with_a_note_and_says_so_everywhere(client, team):
    statement, people, _other = team
    statement_set_state(statement=statement, state="open")
    client.force_login(people["editor"])
    before = statement.texts.get(language="en")
    page = client.get(f"/en/dashboard/s/{statement.slug}/texts/en/").content.decode()
    assert 'name="note"' in page and 'name="notify"' in page
    # No note: refused beside the field, in the page's language, nothing saved.
    refused = edit(client, statement, title=before.title, body="We ask for clean water now.")
    assert refused.status_code == 200
    assert 'id="id_note_error"' in refused.content.decode()
    with translation.override("ar"):
        refused_ar = client.post(
            f"/ar/dashboard/s/{statement.slug}/texts/en/",
            {"action": "save", "title": before.title, "body": "Other words.", "note": "  "},
        )
    assert 'id="id_note_error"' in refused_ar.content.decode()
    assert "اكتب" in refused_ar.content.decode()
    assert statement.texts.get(language="en").version == before.version
    # Saving the same words needs no note.
    assert edit(client, statement, title=before.title, body=before.body).status_code == 302
    saved = edit(
        client,
        statement,
        title=before.title,
        body="We ask for **clean** water now.\n\nSigned below.",
        note="Added the word now.",
    )
    assert saved.status_code == 302
    revisions = TextRevision.objects.filter(statement=statement, language="en").order_by(
        "public_since"
    )
    assert [r.note for r in revisions] == ["", "Added the word now."]
    client.logout()
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert "The text was changed on" in page
    assert f"/en/s/{statement.slug}/history/" in page
    history = client.get(f"/en/s/{statement.slug}/history/")
    assert history.status_code == 200
    body = history.content.decode()
    assert "Added the word now." in body
    old, new = revisions
    diff = client.get(f"/en/s/{statement.slug}/history/?from={old.pk}&to={new.pk}")
    html = diff.content.decode()
    assert re.search(r"water<ins><span class=\"vh\"[^>]*>added: </span> now</ins>\.", html)
    assert "<del>" not in html  # only added words
    assert '<div class="diff" lang="en" dir="ltr">' in html
    # Only `to`: compared with the version before it.
    assert "<ins>" in client.get(f"/en/s/{statement.slug}/history/?to={new.pk}").content.decode()


@pytest.mark.django_db
def test_the_history_counts_signatures_per_version_and_diffs_arabic_right_to_left(client):
    statement = make_statement()
    sign_and_confirm(statement, individual())
    text = statement.texts.get(language="ar")
    client.force_login(account("owner"))
    Membership.objects.create(statement=statement, user=account("editor"), role="editor")
    client.force_login(Membership.objects.get(role="editor").user)
    client.post(
        f"/ar/dashboard/s/{statement.slug}/texts/ar/",
        {
            "action": "save",
            "title": text.title,
            "body": "نطالب بمياه **نظيفة** اليوم.",
            "note": "x",
        },
    )
    old, new = TextRevision.objects.filter(statement=statement, language="ar").order_by(
        "public_since"
    )
    statement_list_refresh(statement_id=statement.pk)
    client.logout()
    html = client.get(f"/ar/s/{statement.slug}/history/?from={old.pk}&to={new.pk}").content.decode()
    assert '<div class="diff" lang="ar" dir="rtl">' in html
    assert "اليوم" in html.split("<ins>")[1]
    english = client.get(f"/en/s/{statement.slug}/history/").content.decode()
    # One confirmed signature, of the English text's first version.
    counts = re.findall(r'data-label="Signatures">(\d+)<', english)
    assert sorted(counts) == ["0", "0", "1"]


@pytest.mark.django_db
def test_bad_history_queries_get_a_clear_page_never_an_error(client):
    statement = make_statement()
    other = make_statement()
    foreign = TextRevision.objects.filter(statement=other).first()
    en = TextRevision.objects.get(statement=statement, language="en")
    ar = TextRevision.objects.get(statement=statement, language="ar")
    for query in (
        "?from=abc&to=def",
        "?to=999999",
        f"?from={foreign.pk}&to={en.pk}",
        f"?from={en.pk}&to={ar.pk}",
        f"?from={en.pk}&to={en.pk}",
        f"?to={en.pk}",  # the first version has none before it
        "?from=" + "9" * 40,
        "?to=%00",
    ):
        response = client.get(f"/en/s/{statement.slug}/history/{query}")
        assert response.status_code == 404, query
        assert "cannot be compared" in response.content.decode(), query
    draft = make_statement(state=Statement.State.DRAFT)
    assert client.get(f"/en/s/{draft.slug}/history/").status_code == 404


@pytest.mark.django_db
def test_the_signers_page_shows_the_version_signed_and_what_changed_since(client):
    statement = make_statement()
    signer = sign_and_confirm(statement, individual())
    page = client.get(manage_path(signer)).content.decode()
    assert "The text you signed" in page and "What changed since you signed" not in page
    text = statement.texts.get(language="en")
    owner = account("owner")
    Membership.objects.create(statement=statement, user=owner, role="owner")
    client.force_login(owner)
    edit(client, statement, title=text.title, body="We ask for clean and free water.", note="n")
    client.logout()
    page = client.get(manage_path(signer)).content.decode()
    assert "What changed since you signed" in page
    assert "<del>" in page and "<ins>" in page
    assert "We ask for <strong>clean</strong> water." in page  # the words they signed
    signer.refresh_from_db()
    assert (
        signer.text_version
        == TextRevision.objects.filter(language="en").earliest("public_since").version
    )


@pytest.mark.django_db
def test_signers_of_earlier_versions_are_told_once_in_their_language_in_batches(
    client, mail_dir, monkeypatch
):
    monkeypatch.setattr("undersigned.signatures.services.NOTIFY_BATCH", 2)
    statement = make_statement()
    told = [sign_and_confirm(statement, individual()) for _ in range(4)]
    arabic_reader = sign(statement, individual(), language="ar")
    signature_confirm(token=confirm_token(arabic_reader))
    told.append(arabic_reader)
    left = sign_and_confirm(statement, individual())
    signature_withdraw(
        token=make_token(purpose="manage", signature_id=left.pk, nonce=left.token_nonce)
    )
    sign(statement, individual())  # never confirmed
    jobs_run_pending()
    for path in mail_dir.iterdir():
        path.unlink()
    owner = account("owner")
    Membership.objects.create(statement=statement, user=owner, role="owner")
    client.force_login(owner)
    text = statement.texts.get(language="en")
    # Without the box ticked, nobody is written to.
    edit(client, statement, title=text.title, body="First change.", note="A first change.")
    jobs_run_pending()
    assert written_messages(mail_dir) == []
    edit(
        client,
        statement,
        title=text.title,
        body="Second change.",
        note="We corrected a figure.",
        notify="on",
    )
    assert Job.objects.filter(kind="signatures.notify_text_change").count() == 1
    while jobs_run_pending():
        pass
    messages = written_messages(mail_dir)
    assert sorted(m["To"] for m in messages) == sorted(s.email for s in told)
    # Three notification jobs for five signers, two at a time.
    assert Job.objects.filter(kind="signatures.notify_text_change").count() == 3
    by_address = {m["To"]: m for m in messages}
    english = by_address[told[0].email].get_content()
    assert "We corrected a figure." in english
    assert "/en/manage/" in english and "/en/s/" in english and "/history/?from=" in english
    arabic = by_address[arabic_reader.email]
    assert "/ar/manage/" in arabic.get_content()
    assert "تغيّر" in str(arabic["Subject"]) or "تغير" in str(arabic["Subject"])
    # Nothing else changed for them.
    assert all(Signature.objects.get(pk=s.pk).status == "published" for s in told)
    assert entries_for(statement).filter(action="statements.text.signers_notified").count() == 1


@pytest.mark.django_db
def test_a_moderator_cannot_change_texts_and_nobody_reaches_anothers_history_controls(client, team):
    statement, people, other = team
    statement_set_state(statement=statement, state="open")
    for name in ("moderator", "outsider"):
        client.force_login(people[name])
        response = edit(client, statement, title="Taken over", body="Other words.", note="n")
        assert response.status_code == 404, name
    assert not statement.texts.filter(title="Taken over").exists()


@pytest.mark.django_db
def test_the_admin_asks_for_a_change_note_and_audits_coordinators(admin_client):
    from django.contrib.auth import get_user_model

    statement = make_statement()
    text = statement.texts.get(language="en")
    page = admin_client.get(f"/admin/statements/statement/{statement.pk}/change/")
    assert page.status_code == 200
    helper = account("helper")
    owner = account("first-owner")
    Membership.objects.create(statement=statement, user=owner, role="owner")
    texts = list(statement.texts.order_by("pk"))
    data = {
        "slug": statement.slug,
        "reference": statement.reference,
        "state": statement.state,
        "default_language": "en",
        "signers": statement.signers,
        "goal": "",
        "opens_at_0": "",
        "opens_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
        "proof_of_work": statement.proof_of_work,
        "organizer": "",
        "contact_email": "",
        "contact_url": "",
        "texts-TOTAL_FORMS": str(len(texts)),
        "texts-INITIAL_FORMS": str(len(texts)),
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "1000",
        "membership_set-TOTAL_FORMS": "2",
        "membership_set-INITIAL_FORMS": "1",
        "membership_set-MIN_NUM_FORMS": "0",
        "membership_set-MAX_NUM_FORMS": "1000",
        "membership_set-0-id": str(Membership.objects.get(user=owner).pk),
        "membership_set-0-statement": str(statement.pk),
        "membership_set-0-user": str(owner.pk),
        "membership_set-0-role": "owner",
        "membership_set-1-statement": str(statement.pk),
        "membership_set-1-user": str(helper.pk),
        "membership_set-1-role": "editor",
    }
    for i, t in enumerate(texts):
        data.update(
            {
                f"texts-{i}-id": str(t.pk),
                f"texts-{i}-statement": str(statement.pk),
                f"texts-{i}-language": t.language,
                f"texts-{i}-title": t.title,
                f"texts-{i}-body": t.body,
                f"texts-{i}-change_note": "",
            }
        )
    en = next(i for i, t in enumerate(texts) if t.language == "en")
    data[f"texts-{en}-body"] = "Changed in the admin."
    refused = admin_client.post(f"/admin/statements/statement/{statement.pk}/change/", data)
    assert refused.status_code == 200
    assert "say what changed" in refused.content.decode()
    assert statement.texts.get(language="en").version == text.version
    data[f"texts-{en}-change_note"] = "Shortened."
    saved = admin_client.post(f"/admin/statements/statement/{statement.pk}/change/", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert TextRevision.objects.filter(statement=statement, note="Shortened.").exists()
    actions = list(entries_for(statement).values_list("action", flat=True))
    assert "statements.text.changed" in actions
    assert "statements.member.added" in actions
    assert Membership.objects.get(user=helper).role == "editor"
    # The last owner cannot be taken away.
    data.update(
        {
            "membership_set-0-role": "editor",
            "membership_set-1-id": str(Membership.objects.get(user=helper).pk),
            "membership_set-INITIAL_FORMS": "2",
        }
    )
    kept = admin_client.post(f"/admin/statements/statement/{statement.pk}/change/", data)
    assert kept.status_code == 200
    assert Membership.objects.get(user=owner).role == "owner"
    assert get_user_model().objects.filter(username="helper").exists()
