"""What reaches a mail server: no header or recipient can be injected, and links use the
configured address whatever Host the request claimed."""

from __future__ import annotations

import email
import email.generator
import email.policy
import io
import re

import pytest
from django.core.mail import EmailMessage
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import smtp_server
from tests.factories import individual, make_statement, record_submissions, sign
from tests.test_views import individual_form, sign_url
from undersigned.core.mail import PLAIN_HEADERS, PlainHeadersEmail
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


# Header values: plain ones, and the cases compat32 treats otherwise (non-ASCII, control and
# white space of every kind, encoded words, lines too long to fit).
_VALUES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=120),
    st.text(max_size=120),
    st.text(alphabet=" \t\r\n=?:;,<>\"'@aZ9\u00e9\u0627\u2028\x00", max_size=60),
    st.builds(" ".join, st.lists(st.sampled_from(["word", "x" * 90, "=?utf-8?q?a?="]))),
)


@given(
    name=st.sampled_from(["Subject", "To", "From", "Message-ID", "X-Long-Header-Name-For-Test"]),
    value=_VALUES,
    max_line_length=st.sampled_from([None, 0, 40, 78, 998]),
    linesep=st.sampled_from(["\n", "\r\n"]),
)
@hypothesis_settings(max_examples=400, deadline=None)
def test_the_plain_headers_policy_writes_every_header_as_compat32_does(
    name, value, max_line_length, linesep
):
    ours = PLAIN_HEADERS.clone(max_line_length=max_line_length, linesep=linesep)
    theirs = email.policy.compat32.clone(max_line_length=max_line_length, linesep=linesep)
    for method in ("fold", "fold_binary"):
        try:
            expected = getattr(theirs, method)(name, value)
        except Exception as error:  # compat32 refuses it: so must we, the same way
            with pytest.raises(type(error)):
                getattr(ours, method)(name, value)
        else:
            assert getattr(ours, method)(name, value) == expected


@pytest.mark.parametrize(
    ("subject", "recipient"),
    [
        ("Please confirm your signature: On evening libraries", "reader@example.org"),
        ("يرجى تأكيد توقيعك", "reader@example.org"),
        ("Confirmez  votre signature\t(déclaration)", "Zoë <zoe@example.org>"),
        ("word " * 40, "x@xn--bcher-kva.example"),
    ],
)
def test_a_plain_headers_email_is_byte_for_byte_djangos(subject, recipient):
    fixed = {"Message-ID": "<1@undersigned.test>", "Date": "Tue, 01 Dec 2026 08:00:00 -0000"}
    body = "Hello Zoë,\n\nplease confirm: https://example.org/c/0-abc\n"
    ours = PlainHeadersEmail(subject, body, to=[recipient], headers=fixed).message()
    django = EmailMessage(subject, body, to=[recipient], headers=fixed).message()
    assert ours.as_bytes(linesep="\r\n") == django.as_bytes(linesep="\r\n")  # SMTP
    assert ours.as_string() == django.as_string()
    mbox = email.generator.BytesGenerator  # as mailbox.mbox writes a message: no folding
    written = []
    for message in (ours, django):
        out = io.BytesIO()
        mbox(out, True, 0).flatten(message)
        written.append(out.getvalue())
    assert written[0] == written[1]
