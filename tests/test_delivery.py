"""Delivery to the addressees (issue 19, part 3), through a real SMTP server (aiosmtpd on
127.0.0.1): one email per addressee in their language, the files attached byte for byte as the
manifest lists them (or linked when too large), a refused recipient failing alone with the
server's answer, retries, the statement page's "Delivered to …", milestones, updates for
signers who asked with RFC 8058 one-click unsubscribe, and owners only."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.conftest import smtp_server
from tests.factories import (
    individual,
    make_statement,
    organization,
    record_submissions,
    sign_and_confirm,
)
from tests.test_views import individual_form, organization_form, sign_url
from undersigned.deliveries.manifest import verify
from undersigned.deliveries.models import Delivery, Milestone, Recipient
from undersigned.deliveries.sending import milestones_check
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Addressee, Membership

from .test_statement_workspace import account

REFUSED = "nobody@refused.example"


class Sink:
    """Accepts every message, but refuses one mailbox as a real server would."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = {REFUSED}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def parsed(self, to: str) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=email.policy.default)
            for rcpts, raw in self.messages
            if to in rcpts
        ]


@pytest.fixture
def smtp(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    sink = Sink()
    settings.EMAIL_TIMEOUT = 5
    with smtp_server(sink, settings):
        yield sink


@pytest.fixture
def statement_with_team():
    statement = make_statement()
    people = {name: account(name) for name in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    other = make_statement()
    Membership.objects.create(statement=other, user=people["outsider"], role="owner")
    sign_and_confirm(statement, organization(name="Friends of the Library", country="FR"))
    sign_and_confirm(statement, organization(name="جمعية أصدقاء المكتبة", country="EG"))
    sign_and_confirm(statement, individual(name="Ana Kovač"))
    sign_and_confirm(statement, individual(name="Hidden One", show_name=False))
    statement_list_refresh(statement_id=statement.pk)
    addressees = {
        "minister": Addressee.objects.create(
            statement=statement, name="Minister of Culture", institution="Ministry",
            email="minister@gov.example", language="en"),
        "mayor": Addressee.objects.create(
            statement=statement, name="رئيسة البلدية", email="mayor@city.example",
            language="ar"),
        "refused": Addressee.objects.create(
            statement=statement, name="Gone Office", email=REFUSED, language="en"),
        "no_email": Addressee.objects.create(statement=statement, name="No Email", language="en"),
    }  # fmt: skip
    return statement, people, addressees, other


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def send_form(addressees, *, public_names=False, **languages) -> dict:
    data = {"action": "send"}
    for key, addressee in addressees.items():
        if key in languages:
            data[f"to_{addressee.pk}"] = "on"
            data[f"language_{addressee.pk}"] = languages[key]
    if public_names:
        data["public_names"] = "on"
    return data


def attachments(message) -> dict[str, bytes]:
    return {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }


@pytest.mark.django_db
def test_each_addressee_gets_one_email_in_their_language_with_the_files_byte_for_byte(
    smtp, statement_with_team
):
    statement, people, addressees, _other = statement_with_team
    owner = signed_in(people["owner"])
    url = f"/en/dashboard/s/{statement.slug}/deliver/"
    page = owner.get(url).content.decode()
    assert "Minister of Culture" in page and "No Email" in page  # listed apart: no email
    response = owner.post(url, send_form(addressees, minister="en", mayor="ar", refused="en"))
    assert response.status_code == 302
    jobs_run_pending()
    delivery = Delivery.objects.get(statement=statement)
    assert delivery.status == Delivery.Status.DONE and delivery.sent_by == people["owner"]
    assert delivery.counts["organizations"] == 2 and delivery.counts["individuals"] == 2
    assert set(delivery.texts) == {"en", "ar"}
    states = {r.email: (r.status, r.answer) for r in delivery.recipients.all()}
    assert states[REFUSED] == ("failed", "550 5.1.1 No such mailbox here")
    assert states["minister@gov.example"][0] == states["mayor@city.example"][0] == "sent"
    # One email each; none to the refused mailbox.
    [minister] = smtp.parsed("minister@gov.example")
    [mayor] = smtp.parsed("mayor@city.example")
    assert smtp.parsed(REFUSED) == []
    assert "Minister of Culture" in minister.get_body(("plain",)).get_content()
    assert "نطالب بمياه" in mayor.get_body(("plain",)).get_content()
    assert "رئيسة البلدية" in mayor.get_body(("plain",)).get_content()
    assert "منظمتان" in mayor["Subject"] or "2" in mayor["Subject"]
    for message, language in ((minister, "en"), (mayor, "ar")):
        files = attachments(message)
        manifest_name = next(n for n in files if n.endswith(".manifest.json"))
        manifest = files.pop(manifest_name)
        names = {f"{statement.slug}-{language}.pdf", f"{statement.slug}-{language}.csv"}
        assert set(files) == names
        listed = {f["name"]: f["sha256"] for f in json.loads(manifest)["files"]}
        for name, content in files.items():
            assert hashlib.sha256(content).hexdigest() == listed[name]
            assert {f["name"]: f["sha256"] for f in delivery.files}[name] == listed[name]
        assert all(check.ok for check in verify(manifest, files))
    # The statement page says it; the addressees are counted, not named.
    public = Client().get(f"/en/s/{statement.slug}/").content.decode()
    assert "Delivered to 2 addressees on" in public and "with 2 organizations" in public
    assert "Minister of Culture" not in public.split("Delivered")[1][:300]
    feed = Client().get(f"/en/s/{statement.slug}/feed.atom").content.decode()
    assert "Delivered to 2 addressees" in feed and "Minister of Culture" not in feed
    [api] = Client().get(f"/api/v1/statements/{statement.slug}/deliveries").json()
    assert (api["addressees"], api["names"], api["organizations"]) == (2, [], 2)


@pytest.mark.django_db
def test_a_failed_recipient_is_retried_and_addressees_can_be_named(smtp, statement_with_team):
    statement, people, addressees, _other = statement_with_team
    owner = signed_in(people["owner"])
    url = f"/en/dashboard/s/{statement.slug}/deliver/"
    owner.post(url, send_form(addressees, public_names=True, minister="en", refused="en"))
    jobs_run_pending()
    failed = Recipient.objects.get(email=REFUSED)
    assert failed.status == "failed"
    page = owner.get(url).content.decode()
    assert "550 5.1.1 No such mailbox here" in page and "Send to Gone Office again" in page
    smtp.refuse.clear()  # the mailbox exists again
    owner.post(url, {"action": "retry", "recipient": failed.pk})
    jobs_run_pending()
    failed.refresh_from_db()
    assert failed.status == "sent" and len(smtp.parsed(REFUSED)) == 1
    assert len(smtp.parsed("minister@gov.example")) == 1  # the others are not sent again
    public = Client().get(f"/en/s/{statement.slug}/").content.decode()
    names = "<bdi>Minister of Culture, Ministry</bdi>; <bdi>Gone Office</bdi>"
    assert f"Delivered to {names} on" in public


@pytest.mark.django_db
def test_large_files_are_linked_instead_of_attached(smtp, statement_with_team, settings):
    statement, people, addressees, _other = statement_with_team
    settings.DELIVERY_ATTACH_MAX_BYTES = 100
    signed_in(people["owner"]).post(
        f"/en/dashboard/s/{statement.slug}/deliver/", send_form(addressees, minister="en")
    )
    jobs_run_pending()
    [message] = smtp.parsed("minister@gov.example")
    files = attachments(message)
    assert list(files) == [f"{statement.slug}-delivery-{Delivery.objects.get().pk}.manifest.json"]
    body = message.get_body(("plain",)).get_content()
    links = [line for line in body.splitlines() if "/delivered/" in line]
    assert len(links) == 2
    listed = {f["name"]: f["sha256"] for f in json.loads(next(iter(files.values())))["files"]}
    anybody = Client()
    for link in links:
        response = anybody.get(urlsplit(link.strip()).path)
        content = b"".join(response.streaming_content)
        assert hashlib.sha256(content).hexdigest() == listed[link.rsplit("/", 1)[1]]
        forged = urlsplit(link.strip()).path.replace("/delivered/", "/delivered/").split("/")
        forged[-2] = "0" * 32
        assert anybody.get("/".join(forged)).status_code == 404


@pytest.mark.django_db
def test_only_owners_deliver_and_nobody_touches_another_statements_delivery(
    smtp, statement_with_team
):
    statement, people, addressees, other = statement_with_team
    url = f"/en/dashboard/s/{statement.slug}/deliver/"
    for role in ("editor", "moderator", "outsider"):
        client = signed_in(people[role])
        assert client.get(url).status_code == 404
        assert client.post(url, send_form(addressees, minister="en")).status_code == 404
    assert not Delivery.objects.exists()
    signed_in(people["owner"]).post(url, send_form(addressees, refused="en"))
    jobs_run_pending()
    failed = Recipient.objects.get()
    # The outsider owns another statement: posting this recipient there does nothing.
    smtp.refuse.clear()
    outsider = signed_in(people["outsider"])
    response = outsider.post(f"/en/dashboard/s/{other.slug}/deliver/",
                             {"action": "retry", "recipient": failed.pk})  # fmt: skip
    assert response.status_code == 302
    jobs_run_pending()
    failed.refresh_from_db()
    assert failed.status == "failed" and smtp.parsed(REFUSED) == []
    # Nor can anyone send without choosing: a clear error, nothing stored.
    owner = signed_in(people["owner"])
    page = owner.post(url, {"action": "send"}).content.decode()
    assert "Choose at least one addressee" in page and Delivery.objects.count() == 1


@pytest.mark.django_db
def test_a_milestone_prepares_a_delivery_that_waits_for_an_owner(smtp, statement_with_team):
    statement, people, addressees, _other = statement_with_team
    owner = signed_in(people["owner"])
    url = f"/en/dashboard/s/{statement.slug}/deliver/"
    for bad in ("0", "-3", "five", "", "1" * 20):
        page = owner.post(url, {"action": "milestone", "signatures": bad}).content.decode()
        assert 'id="id_signatures_error"' in page, bad
    assert not Milestone.objects.exists()
    owner.post(url, {"action": "milestone", "signatures": "5"})
    assert "At 5 signatures" in owner.get(url).content.decode()
    assert milestones_check() == 0  # 4 signatures so far
    sign_and_confirm(statement, individual(name="Fifth Signer"))
    statement_list_refresh(statement_id=statement.pk)
    assert milestones_check() == 1 and milestones_check() == 0  # once
    delivery = Delivery.objects.get()
    assert delivery.status == "awaiting"
    assert {r.email for r in delivery.recipients.all()} == {
        "minister@gov.example", "mayor@city.example", REFUSED
    }  # fmt: skip
    jobs_run_pending()
    assert smtp.parsed("minister@gov.example") == []  # nothing goes before an owner confirms
    page = owner.get(url).content.decode()
    assert "The list reached 5 signatures: a delivery is ready" in page
    owner.post(url, {"action": "confirm", "delivery": delivery.pk})
    jobs_run_pending()
    assert len(smtp.parsed("minister@gov.example")) == len(smtp.parsed("mayor@city.example")) == 1
    delivery.refresh_from_db()
    assert delivery.status == "done" and delivery.sent_by == people["owner"]


@pytest.mark.django_db
def test_signers_who_asked_get_one_email_per_delivery_with_one_click_unsubscribe(
    smtp, statement_with_team
):
    statement, people, addressees, _other = statement_with_team
    news = individual(name="Wants News", email="news@example.org", wants_updates=True)
    asked = sign_and_confirm(statement, news)
    sara = individual(name="سارة", email="sara@example.org", wants_updates=True)
    asked_ar = sign_and_confirm(statement, sara, language="ar")
    statement_list_refresh(statement_id=statement.pk)
    signed_in(people["owner"]).post(
        f"/en/dashboard/s/{statement.slug}/deliver/", send_form(addressees, minister="en")
    )
    jobs_run_pending()
    updates = [m for _rcpts, m in smtp.messages if b"List-Unsubscribe" in m]
    assert len(updates) == 2  # only the two who asked, once each
    [news] = [m for m in smtp.parsed("news@example.org") if m["List-Unsubscribe"]]
    [sara] = [m for m in smtp.parsed("sara@example.org") if m["List-Unsubscribe"]]
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "delivered on" in news.get_body(("plain",)).get_content()
    assert "سُلِّم" in sara.get_body(("plain",)).get_content() and "التسليم" in sara["Subject"]
    stop = str(news["List-Unsubscribe"]).strip().strip("<>")
    assert stop.startswith("https://") or stop.startswith("http://")
    path = urlsplit(stop).path
    # Following the link changes nothing; a mail program's one-click POST (no cookie, no
    # CSRF token) stops the emails.
    client = Client(enforce_csrf_checks=True)
    assert "Stop these emails" in client.get(path).content.decode()
    asked.refresh_from_db()
    assert asked.wants_updates
    response = client.post(path, "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200
    asked.refresh_from_db()
    assert not asked.wants_updates and asked.status == Signature.Status.PUBLISHED
    # A forged token opens nothing.
    forged = path.replace(path.split("/")[-2], f"{asked_ar.pk}-{'0' * 32}")
    assert (
        client.post(
            forged, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 404
    )
    asked_ar.refresh_from_db()
    assert asked_ar.wants_updates
    # The next delivery reaches only the signer who still wants them.
    smtp.messages.clear()
    signed_in(people["owner"]).post(
        f"/en/dashboard/s/{statement.slug}/deliver/", send_form(addressees, minister="en")
    )
    jobs_run_pending()
    assert smtp.parsed("news@example.org") == [] and len(smtp.parsed("sara@example.org")) == 1


@pytest.mark.django_db
def test_the_signing_forms_ask_for_updates_apart_and_never_tick_it(client):
    """The box is on both forms, unticked; only a signer who ticks it gets updates."""
    statement = make_statement()
    for kind in ("individual", "organization"):
        page = client.get(sign_url(statement, kind)).content.decode()
        box = page[
            page.index('name="wants_updates"') - 200 : page.index('name="wants_updates"') + 80
        ]
        assert 'type="checkbox"' in box and "checked" not in box
        assert "Tell me when this statement is delivered or updated" in page
    client.post(sign_url(statement), individual_form(statement, wants_updates="on"))
    client.post(
        sign_url(statement, "organization"), organization_form(statement)
    )  # the box left empty
    record_submissions()
    wants = dict(Signature.objects.values_list("kind", "wants_updates"))
    assert wants == {"individual": True, "organization": False}
