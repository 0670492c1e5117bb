"""Abuse is classified, not announced: flagged submissions are stored, not counted, and their
senders see exactly what everyone sees."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    confirm_token,
    make_statement,
    record_submissions,
    record_submissions_in_parallel,
)
from tests.test_races import Signer
from tests.test_views import individual_form, sign_url
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.forms import form_timestamp
from undersigned.signatures.models import BlockRule, ListTally, Signature


def post(statement, remote="198.51.100.10", **fields):
    client = Client(REMOTE_ADDR=remote)
    response = client.post(sign_url(statement), individual_form(statement, **fields))
    record_submissions()
    return client, response


def flags_of(email):
    return Signature.objects.get(email=email).flags.split()


@pytest.mark.django_db
def test_a_filled_honeypot_is_stored_flagged_and_answered_like_any_other(client):
    statement = make_statement()
    _, clean = post(statement, email="clean@example.org")
    _, bot = post(statement, email="bot@example.org", homepage="http://spam.example")
    assert (bot.status_code, bot["Location"]) == (clean.status_code, clean["Location"])
    assert flags_of("bot@example.org") == ["honeypot"]
    assert flags_of("clean@example.org") == []

    # Confirmed, the flagged one waits for a moderator and is not counted; its sender sees the
    # same thank-you page as the clean one.
    pages = []
    for email in ("clean@example.org", "bot@example.org"):
        url = f"/en/confirm/{confirm_token(Signature.objects.get(email=email))}/"
        client.post(url)
        page = client.get(url).content.decode().replace(email, "")
        # Each page carries its signer's own management link.
        pages.append(re.sub(r"/manage/[^/]+/", "/manage/(own link)/", page))
    jobs_run_pending()
    assert Signature.objects.get(email="bot@example.org").status == Signature.Status.IN_REVIEW
    assert ListTally.objects.get(statement=statement).individuals_named == 1
    assert (
        pages[0].split("<main")[1].split("Signatures")[0]
        == pages[1].split("<main")[1].split("Signatures")[0]
    )


@pytest.mark.django_db
def test_too_fast_missing_and_forged_timestamps_are_flagged(settings):
    settings.SIGN_MIN_SECONDS = 3
    statement = make_statement()
    post(statement, email="fast@example.org", rendered=form_timestamp(time.time()))
    post(statement, email="none@example.org", rendered="")
    post(statement, email="forged@example.org", rendered="1700000000:forged")
    post(statement, email="human@example.org", rendered=form_timestamp(time.time() - 20))
    assert flags_of("fast@example.org") == ["too_fast"]
    assert flags_of("none@example.org") == ["no_timestamp"]
    assert flags_of("forged@example.org") == ["no_timestamp"]
    assert flags_of("human@example.org") == []


@pytest.mark.django_db
def test_the_form_page_carries_a_fresh_timestamp_for_each_visitor():
    statement = make_statement()
    first = Client().get(sign_url(statement)).content.decode()
    with time_machine.travel(time.time() + 2):  # a second visitor, two seconds later
        second = Client().get(sign_url(statement)).content.decode()
    stamp = lambda html: html.split('name="rendered" value="')[1].split('"')[0]  # noqa: E731
    assert stamp(first) != stamp(second)
    assert "rendered-slot" not in first


@pytest.mark.django_db
def test_networks_over_their_limit_are_flagged_and_others_are_not(settings):
    settings.LIMIT_PER_NETWORK = 3
    statement = make_statement()
    for n in range(5):  # one /24, five addresses
        post(statement, remote=f"203.0.113.{n + 1}", email=f"n{n}@example.org")
    post(statement, remote="203.0.114.1", email="other@example.org")
    post(statement, remote="2001:db8:1:2::1", email="v6a@example.org")
    post(statement, remote="2001:db8:1:2::ffff", email="v6b@example.org")
    assert [flags_of(f"n{n}@example.org") for n in range(5)] == [
        [], [], [], ["rate_network"], ["rate_network"]
    ]  # fmt: skip
    assert flags_of("other@example.org") == []
    assert Signature.objects.get(email="v6a@example.org").network_hash == (
        Signature.objects.get(email="v6b@example.org").network_hash
    )


@pytest.mark.django_db
def test_mailboxes_and_domains_over_their_limits_are_flagged(settings):
    settings.LIMIT_PER_EMAIL = 2
    settings.LIMIT_PER_DOMAIN = 3
    statements = [make_statement() for _ in range(3)]
    for n, statement in enumerate(statements):
        post(statement, remote=f"192.0.2.{n}", email="same@example.org")
    assert Signature.objects.filter(email="same@example.org").order_by("id").last().flags == (
        "rate_email"
    )
    for n in range(4):
        post(statements[0], remote=f"198.18.{n}.1", email=f"p{n}@crowd.example")
    assert flags_of("p3@crowd.example") == ["rate_domain"]
    assert flags_of("p2@crowd.example") == []


@pytest.mark.django_db
def test_free_mail_domains_have_no_domain_limit(settings):
    # A surge brings thousands of unrelated people from each big provider every hour.
    settings.LIMIT_PER_DOMAIN = 2
    statement = make_statement()
    for n in range(4):
        post(statement, remote=f"198.18.{n}.1", email=f"f{n}@gmail.com")
    assert flags_of("f3@gmail.com") == []


@pytest.mark.django_db
def test_a_network_at_its_limit_is_settled_without_reading_its_rows_until_the_hour_passed(
    settings, monkeypatch
):
    settings.LIMIT_PER_NETWORK = 2
    settings.EMAILS_PER_NETWORK = 2  # past its email cap too, which is remembered the same way
    statement = make_statement()
    for n in range(3):
        post(statement, remote=f"203.0.113.{n + 1}", email=f"h{n}@example.org")
    with CaptureQueriesContext(connection) as queries:
        post(statement, remote="203.0.113.50", email="flood@example.org")
    assert flags_of("h2@example.org") == flags_of("flood@example.org") == ["rate_network"]
    assert not [q for q in queries.captured_queries if "network_hash =" in q["sql"]]
    # An hour after the second one, the network is below its limit again.
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    post(statement, remote="203.0.113.9", email="after@example.org")
    assert flags_of("after@example.org") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind,value,email,remote",
    [
        ("email", "spam@example.org", "Spam@Example.org", "192.0.2.1"),
        ("domain", "junk.example", "anyone@junk.example", "192.0.2.1"),
        ("network", "203.0.113.0/24", "fine@example.org", "203.0.113.77"),
    ],
)
def test_blocklisted_senders_are_flagged_not_refused(kind, value, email, remote):
    statement = make_statement()
    BlockRule.objects.create(kind=kind, value=value, reason="test")
    _, response = post(statement, remote=remote, email=email)
    assert response.status_code == 302
    assert Signature.objects.get().flags == "blocked"


@pytest.mark.django_db(transaction=True)
def test_a_hundred_simultaneous_signs_from_one_network_count_no_more_than_the_limit(
    live_server, settings
):
    settings.LIMIT_PER_NETWORK = 10
    statement = make_statement()
    path = f"/en/s/{statement.slug}/sign/individual/"
    signers = [Signer(live_server.url, path) for _ in range(100)]
    forms = [signer.get_form() for signer in signers]
    barrier = threading.Barrier(len(signers))
    statuses: list[int] = []

    def run(n, signer, form):
        fields = {**form, "name": "Same Network", "country": "FR", "visibility": "show"}
        fields["email"] = f"crowd{n}@example.org"
        fields["rendered"] = form_timestamp(time.time() - 60)
        barrier.wait()
        statuses.append(signer.post(fields)[0])

    threads = [
        threading.Thread(target=run, args=(n, s, f)) for n, (s, f) in enumerate(zip(signers, forms))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * 100
    record_submissions_in_parallel()
    rows = Signature.objects.filter(statement=statement)
    assert rows.count() == 100
    assert rows.filter(flags="").count() == 10


@pytest.mark.django_db
def test_emails_to_one_network_are_capped_per_hour_and_the_rest_wait_for_the_hour(
    settings, mail_dir
):
    from undersigned.core.mail import written_messages

    settings.LIMIT_PER_NETWORK = 10
    settings.EMAILS_PER_NETWORK = 20
    statement = make_statement()
    client = Client(REMOTE_ADDR="198.51.100.77")
    answers = set()
    for n in range(60):
        response = client.post(
            sign_url(statement), individual_form(statement, email=f"f{n}@x.example")
        )
        answers.add((response.status_code, response["Location"]))
    assert len(answers) == 1  # every sender sees the same page
    record_submissions()
    assert Signature.objects.filter(statement=statement).count() == 60  # all stored
    jobs_run_pending()
    assert len(written_messages(mail_dir)) == 20
    # Another network is not held back by this one.
    Client(REMOTE_ADDR="203.0.113.5").post(
        sign_url(statement), individual_form(statement, email="neighbour@y.example")
    )
    record_submissions()
    jobs_run_pending()
    assert len(written_messages(mail_dir)) == 21
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        jobs_run_pending()
    sent = {m["To"] for m in written_messages(mail_dir)}
    assert len(sent) == 61 and "f59@x.example" in sent
