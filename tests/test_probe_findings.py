"""What a black-box probe of a running instance found, each through the path it used: the sign
form over HTTP, the public lists, the owners' pages."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
import time_machine
from django.conf import settings as settings_module
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    confirm_token,
    individual,
    make_statement,
    organization,
    record_submissions,
    sign,
    sign_and_confirm,
)
from tests.test_views import individual_form, organization_form
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature, Submission

pytestmark = pytest.mark.django_db


def field_errors(response, field: str) -> str:
    """The text of the error list beside one field."""
    match = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</', response.content.decode(), re.S)
    return match.group(1) if match else ""


# --- 4. One mailbox, one signature, however its address is spelled ---------------------------

SPELLINGS = [
    '"victim"@example.org',
    '"\\victim"@example.org',
    '"v\\ictim"@example.org',
    '"victim"@EXAMPLE.org',
    '"vic tim"@example.org',
    '"victim+1"@example.org',
    '"\\"victim"@example.org',
    "victim@[127.0.0.1]",
    "victim@[IPv6:::1]",
]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_quoted_addresses_and_domain_literals_are_refused_beside_the_field(client, language):
    statement = make_statement()
    url = f"/{language}/s/{statement.slug}/sign/individual/"
    for spelling in SPELLINGS:
        response = client.post(url, individual_form(statement, language=language, email=spelling))
        assert response.status_code == 200, spelling
        message = field_errors(response, "email")
        assert message, spelling
        if language == "ar":
            assert "علامات اقتباس" in message or "صالح" in message, message
    assert not Submission.objects.exists()
    plain = individual_form(statement, language=language, email="victim@example.org")
    assert client.post(url, plain).status_code == 302
    assert Submission.objects.count() == 1


# --- 10. Look-alike names -------------------------------------------------------------------


def test_a_homoglyph_organization_is_held_as_a_duplicate_with_a_mixed_script_flag(client):
    statement = make_statement()
    original = sign_and_confirm(
        statement,
        organization(
            name="Bravo River Keepers",
            email="office@bravo.example.org",
            website="https://bravo.example.org",
        ),
    )
    assert original.status == Signature.Status.PUBLISHED
    url = f"/en/s/{statement.slug}/sign/organization/"
    fake = organization_form(
        statement,
        acronym="",
        name="\u0412ravo River Keepers",  # Cyrillic capital ve
        email="office@bravo-keepers.example.net",
        website="https://bravo-keepers.example.net",
    )
    assert client.post(url, fake).status_code == 302
    record_submissions()
    imitation = Signature.objects.get(email_domain="bravo-keepers.example.net")
    assert client.post(f"/en/confirm/{confirm_token(imitation)}/").status_code == 302
    imitation.refresh_from_db()
    assert imitation.status == Signature.Status.IN_REVIEW
    assert {"duplicate_name", "mixed_script"} <= set(imitation.flags.split())
    jobs_run_pending()
    listed = client.get(f"/en/s/{statement.slug}/organizations/").content.decode()
    assert listed.count("ravo River Keepers") == 1


def test_a_person_whose_name_mixes_latin_and_greek_letters_waits_for_review(client):
    statement = make_statement()
    url = f"/en/s/{statement.slug}/sign/individual/"
    form = individual_form(statement, name="Ana L\u03bfpez", email="ana2@example.org")  # Greek o
    assert client.post(url, form).status_code == 302
    record_submissions()
    signature = Signature.objects.get()
    client.post(f"/en/confirm/{confirm_token(signature)}/")
    signature.refresh_from_db()
    assert signature.status == Signature.Status.IN_REVIEW and "mixed_script" in signature.flags


# --- 12. Names nobody can see --------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["\u3164", "\u3164\u3164 \u3164", "\u200b\u2060\u00ad", "\U000e0041\U000e0042"]
)
def test_a_name_without_a_visible_letter_is_refused(client, name):
    statement = make_statement()
    response = client.post(
        f"/en/s/{statement.slug}/sign/individual/", individual_form(statement, name=name)
    )
    assert response.status_code == 200
    assert "letters" in field_errors(response, "name") or "required" in field_errors(
        response, "name"
    )
    assert not Submission.objects.exists()


def test_zero_width_and_format_characters_are_taken_out_of_a_name(client):
    statement = make_statement()
    name = "Ana\u200b L\u00adópez\u2060\U000e0041"
    response = client.post(
        f"/en/s/{statement.slug}/sign/individual/", individual_form(statement, name=name)
    )
    assert response.status_code == 302
    record_submissions()
    assert Signature.objects.get().name == "Ana López"


def test_a_joiner_inside_a_persian_name_is_kept():
    from undersigned.signatures.normalize import clean_name

    assert clean_name("می\u200cخواهم") == "می\u200cخواهم"
    assert clean_name("\u200cAna\u200c") == "Ana"


# --- 11. Numbers in addresses and parameters -------------------------------------------------

unicode_digits = st.text(
    alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=25
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=unicode_digits)
def test_every_number_parameter_refuses_unicode_digits_without_a_server_error(client, number):
    statement = make_statement(slug=f"fuzz-{abs(hash(number)) % 10**9}")
    owner = get_user_model().objects.get_or_create(username="fuzz-owner", is_staff=True)[0]
    statement.owners.add(owner)
    client.force_login(owner)
    base = f"/en/s/{statement.slug}"
    dashboard = f"/en/dashboard/s/{statement.slug}"
    for url in (
        f"{base}/individuals/?from={number}",
        f"{base}/organizations/?from={number}",
        f"{base}/organizations/?order=az&after={number}",
        f"{base}/organizations/?order=country&after={number}",
        f"/en/confirm/{number}-x/",
        f"/en/manage/{number}-x/",
        f"{dashboard}/entries/?from={number}",
        f"{dashboard}/review/?after={number}",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
    response = client.post(
        f"{base}/sign/individual/", individual_form(statement, work=number, challenge="x")
    )
    assert response.status_code in (200, 302)


# --- 16. The public list's cursors carry only public positions --------------------------------


def test_the_next_link_of_the_a_z_list_carries_a_list_number_not_an_id(client, settings):
    settings.LIST_PAGE_SIZE = 2
    other = make_statement()
    for n in range(30):  # the site's volume, which the cursor must not tell
        sign(other, individual(email=f"volume{n}@example.org"))
    statement = make_statement()
    for name in ("Delta Trust", "Alpha Guild", "Charlie Union", "Bravo Circle"):
        sign_and_confirm(statement, organization(name=name))
    jobs_run_pending()
    base = f"/en/s/{statement.slug}/organizations/?order=az"
    first = client.get(base).content.decode()
    after = re.search(r"after=(\d+)", first).group(1)
    listed = {s.position for s in Signature.objects.filter(statement=statement)}
    ids = set(Signature.objects.values_list("pk", flat=True))
    # "Bravo Circle" is the second A–Z and the fourth to sign: cursor 4, never its id.
    assert int(after) in listed and int(after) == 4
    assert int(after) not in ids - listed
    second = client.get(f"{base}&after={after}").content.decode()
    assert "Charlie Union" in second and "Delta Trust" in second
    assert "Alpha Guild" not in second


# --- 7. Request bodies are bounded before anything reads them ---------------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_large_body_to_a_public_page_is_refused_unread_and_stores_nothing(client, language):
    statement = make_statement()
    upload = SimpleUploadedFile("big.bin", b"\0" * (settings_module.PUBLIC_MAX_BODY_BYTES + 1))
    response = client.post(
        f"/{language}/s/{statement.slug}/sign/individual/",
        {**individual_form(statement, language=language), "file": upload},
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert ("كبير جداً" in body) if language == "ar" else ("too large" in body)
    assert not Submission.objects.exists()
    # A form of ordinary size goes through.
    ordinary = client.post(
        f"/{language}/s/{statement.slug}/sign/individual/",
        individual_form(statement, language=language),
    )
    assert ordinary.status_code == 302


def test_an_owner_imports_a_file_near_the_import_limit_but_not_a_huge_one(client):
    statement = make_statement()
    owner = get_user_model().objects.create_user("limits-owner", password="x-long-password-1")
    statement.owners.add(owner)
    client.force_login(owner)
    url = f"/en/dashboard/s/{statement.slug}/import/"
    lines = "".join(f"{n}. Organization number {n}, France\n" for n in range(1, 20))
    fine = client.post(url, {"file": SimpleUploadedFile("list.txt", lines.encode())})
    assert fine.status_code == 200 and "Organization number 19" in fine.content.decode()
    huge = b"x" * (settings_module.OWNER_MAX_BODY_BYTES + 1)
    refused = client.post(url, {"file": SimpleUploadedFile("list.txt", huge)})
    assert refused.status_code == 413


# --- 13. A write lock held elsewhere: 503 with Retry-After, and reads go on ------------------


@pytest.mark.django_db(transaction=True)
def test_a_sign_request_that_cannot_get_the_write_lock_answers_503_and_reads_do_not_wait(
    client,
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    statement = make_statement()
    url = f"/ar/s/{statement.slug}/sign/individual/"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 300")  # the setting's 5 s, shortened for the test
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a backup or a shell holding the lock
    try:
        response = client.post(url, individual_form(statement, language="ar"))
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert "ضغط كبير" in response.content.decode()
        # The signers queued behind it are answered at once, not after the timeout each.
        started = time.monotonic()
        assert client.post(url, individual_form(statement, language="ar")).status_code == 503
        assert time.monotonic() - started < 0.25
        started = time.monotonic()
        page = client.get(f"/en/s/{statement.slug}/")
        assert page.status_code == 200 and time.monotonic() - started < 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not Submission.objects.exists()
    with time_machine.travel(time.time() + 2, tick=True):
        assert client.post(url, individual_form(statement, language="ar")).status_code == 302
    assert Submission.objects.count() == 1
    connection.forget_busy()  # the real clock has not passed the busy second yet
