"""The benchmark's own parts are correct (nothing here is timed): the load generator signs
through the real HTTP path, and the crash check counts lost and duplicated acknowledgements."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.crash import check_acknowledged
from bench.load import assert_loopback, page_load, pages_load, sign_load
from bench.seed import seed_to
from tests.factories import individual, make_statement, record_submissions, sign
from undersigned.jobs.models import Job
from undersigned.signatures.models import ListTally, Signature, Submission


def run(coroutine):
    """Run a coroutine to its end in a thread of its own: the browser tests' Playwright keeps an
    event loop running in the test thread, where asyncio.run refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.django_db(transaction=True)
def test_the_load_generator_signs_like_a_browser_and_every_ack_is_stored(live_server):
    statement = make_statement()
    result = run(
        sign_load(
            [live_server.url],
            f"/en/s/{statement.slug}/sign/individual/",
            concurrency=3,
            seconds=30,
            max_signatures=9,
        )
    )
    assert (result.ok, result.errors_5xx, result.errors_other) == (9, 0, 0)
    assert len(result.sign_ms) == 9
    record_submissions()  # what the benchmark's worker does
    assert Signature.objects.filter(statement=statement).count() == 9
    assert check_acknowledged(result.acked_emails) == {
        "acked": 9,
        "lost_acks": 0,
        "duplicates": 0,
        "missing_email_jobs": 0,
        "submissions_left": 0,
    }
    page = run(
        page_load(
            f"{live_server.url}/en/s/{statement.slug}/", concurrency=2, seconds=30, max_requests=6
        )
    )
    assert (page["requests"], page["errors"]) == (6, 0)
    urls = [f"{live_server.url}/en/s/{statement.slug}/", f"{live_server.url}/en/"]
    got, errors = run(pages_load(urls, concurrency=2, seconds=30, max_requests=8))
    assert ([len(got[url]) for url in urls], errors) == ([4, 4], 0)  # read in turn


@pytest.mark.django_db
def test_the_crash_check_finds_lost_acknowledgements_and_missing_email_jobs():
    statement = make_statement()
    kept = sign(statement, individual(email="kept@example.org"))
    jobless = sign(statement, individual(email="jobless@example.org"))
    Job.objects.filter(payload__signature_id=jobless.pk).delete()
    Submission.objects.create(
        statement=statement, kind="individual", details={}, language="en", text_language="en",
        text_version="x", failed="TypeError",
    )  # fmt: skip
    report = check_acknowledged(["KEPT@example.org", "jobless@example.org", "lost@example.org"])
    assert report == {
        "acked": 3,
        "lost_acks": 1,
        "duplicates": 0,
        "missing_email_jobs": 1,
        "submissions_left": 1,
    }
    assert kept.pk


def test_load_is_only_ever_sent_to_this_machine():
    for url in ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:80"]:
        assert_loopback(url)
    for url in ["http://10.0.0.1", "http://example.org", "http://192.168.1.2:8000"]:
        with pytest.raises(ValueError):
            assert_loopback(url)


@pytest.mark.django_db
def test_seeded_signatures_are_numbered_and_counted_as_the_refresh_job_would():
    statement = make_statement()
    assert seed_to(statement, 70) == 70
    assert seed_to(statement, 140) == 140
    tally = ListTally.objects.get(statement=statement)
    assert tally.total == 140 and tally.organizations == 14
    for kind in ("organization", "individual"):
        positions = list(
            Signature.objects.filter(statement=statement, kind=kind, position__isnull=False)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))
