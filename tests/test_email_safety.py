"""What reaches a mail server: no header or recipient can be injected, and links use the
configured address whatever Host the request claimed."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from tests.conftest import smtp_server
from tests.factories import individual, make_statement, record_submissions, sign
from tests.test_views import individual_form, sign_url
from undersigned.jobs.services import jobs_run_pending

INJECTIONS = [
    "Ana\r\nBcc: victim@example.org",
    "Ana\nBcc: victim@example.org",
    "Ana\u2028Bcc: victim@example.org",
    "Ana\r\n\r\nfake body",
]


class Sink:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    sink = Sink()
    with smtp_server(sink, settings):
        yield sink


def headers_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", INJECTIONS)
def test_names_and_titles_never_add_a_header_or_a_recipient(smtp, payload):
    statement = make_statement(texts={"en": (f"Title {payload}", "Body.")})
    sign(statement, individual(name=payload, email="signer@example.org"))
    jobs_run_pending()
    [(recipients, raw)] = smtp.envelopes
    assert recipients == ["signer@example.org"]
    headers = headers_of(raw)
    assert not re.search(rb"(?im)^bcc:", headers)
    # Unfolded, the payload may only ever be part of the Subject's value.
    lines = re.sub(rb"\r\n[ \t]", b" ", headers).split(b"\r\n")
    assert [line for line in lines if b"victim" in line and not line.startswith(b"Subject:")] == []
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "signer@example.org"
    assert "\n" not in message["Subject"] and "\u2028" not in message["Subject"]
    assert message.get_all("Bcc") is None and message.get_all("Cc") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_HOST": "localhost", "HTTP_X_FORWARDED_HOST": "evil.example:8000"},
        {"HTTP_FORWARDED": "host=evil.example"},
    ],
)
def test_a_forged_host_never_changes_the_links_in_emails(client, smtp, settings, headers):
    settings.BASE_URL = "https://sign.example.org"
    statement = make_statement()
    response = client.post(sign_url(statement), individual_form(statement), **headers)
    assert response.status_code == 302
    jobs_run_pending()
    [(_, raw)] = smtp.envelopes
    body = email.message_from_bytes(raw, policy=email.policy.default).get_content()
    links = re.findall(r"https?://[^/\s]+", body)
    assert links and set(links) == {"https://sign.example.org"}


@pytest.mark.django_db
def test_a_host_that_is_not_allowed_is_refused_without_storing(client):
    statement = make_statement()
    response = client.post(
        sign_url(statement), individual_form(statement), HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    from undersigned.signatures.models import Signature

    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0
