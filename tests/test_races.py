"""Concurrent submissions over real HTTP: the database, not the code, keeps one signature."""

from __future__ import annotations

import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.factories import make_statement, record_submissions_in_parallel
from undersigned.signatures.models import Signature

VARIANTS = [
    "ana.lopez@example.org",
    "Ana.Lopez@example.org",
    "ANA.LOPEZ@EXAMPLE.ORG",
    "ana.lopez@Example.Org",
    "ａｎａ.ｌｏｐｅｚ@example.org",
    "ana.lopez@ｅｘａｍｐｌｅ.ｏｒｇ",
    "ana.lopez+one@example.org",
    "Ana.Lopez+Two@EXAMPLE.org",
    "Ａｎａ.Ｌｏｐｅｚ@Example.ORG",
    " ana.lopez@example.org ",
]


class Signer:
    """One browser-like client: GET the form (cookie and token), then POST it."""

    def __init__(self, base_url: str, path: str):
        self.url = base_url + path
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get_form(self) -> dict[str, str]:
        html = self.opener.open(self.url, timeout=30).read().decode()
        return dict(
            re.findall(r'name="(csrfmiddlewaretoken|text_version|rendered)" value="([^"]+)"', html)
        )

    def post(self, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.url, data=data, headers={"Referer": self.url})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("emails", [["ana.lopez@example.org"] * 20, VARIANTS * 2])
def test_twenty_concurrent_signs_of_one_mailbox_give_one_signature_and_no_error(
    live_server, emails
):
    statement = make_statement()
    path = f"/en/s/{statement.slug}/sign/individual/"
    signers = [Signer(live_server.url, path) for _ in emails]
    forms = [signer.get_form() for signer in signers]
    barrier = threading.Barrier(len(signers))
    results: list[tuple[int, str]] = []

    def run(signer: Signer, form: dict[str, str], email: str) -> None:
        fields = {
            **form,
            "name": "Ana López",
            "country": "ES",
            "email": email,
            "visibility": "show",
        }
        barrier.wait()
        results.append(signer.post(fields))

    threads = [
        threading.Thread(target=run, args=(s, f, e)) for s, f, e in zip(signers, forms, emails)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == len(emails)
    assert {status for status, _ in results} == {200}
    assert {url for _, url in results} == {f"{live_server.url}/en/s/{statement.slug}/sign/sent/"}
    counts = record_submissions_in_parallel()
    # The recorders really raced: the rows were spread across them.
    assert sum(counts) == len(emails) and sum(1 for n in counts if n) >= 2, counts
    assert Signature.objects.filter(statement=statement).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_confirmations_of_one_link_confirm_once(live_server):
    from tests.factories import confirm_token, individual, sign
    from undersigned.core.audit import entries_for

    statement = make_statement()
    signature = sign(statement, individual())
    url = f"/en/confirm/{confirm_token(signature)}/"
    clients = [Signer(live_server.url, url) for _ in range(20)]
    forms = [client.get_form() for client in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def run(client: Signer, form: dict[str, str]) -> None:
        barrier.wait()
        statuses.append(client.post(form)[0])

    threads = [threading.Thread(target=run, args=(c, f)) for c, f in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # One confirms (and is redirected to the thank-you page); the others are told the link
    # was used. Nobody gets an error page.
    assert sorted(statuses) == [200] + [409] * 19
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PUBLISHED
    assert entries_for(signature).filter(action="signatures.signature.confirmed").count() == 1
