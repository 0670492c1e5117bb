"""A crawl of every public page: nobody who should not be named is, and no email, IP, contact
person or link secret appears anywhere."""

from __future__ import annotations

import re
from collections import deque

import pytest

from tests.factories import individual, make_statement, organization, sign, sign_and_confirm
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import Signature
from undersigned.signatures.services import (
    signature_withdraw,
    signatures_reject,
)
from undersigned.signatures.tokens import make_token

pytestmark = pytest.mark.django_db


def crawl(client, start: str, limit: int = 300) -> dict[str, str]:
    """Every page reachable from `start` by links on the site (not the admin)."""
    seen: dict[str, str] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow=True)
        body = response.content.decode()
        seen[url] = body + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        for link in re.findall(r'href="(/[^"#]*)"', body):
            link = link.replace("&amp;", "&")
            if not link.startswith(("/admin", "/static")) and link not in seen:
                queue.append(link)
    return seen


def test_no_public_page_shows_what_must_stay_private(client, settings):
    # The site's own address (in share links and tags) is not the test client's, 127.0.0.1.
    settings.BASE_URL = "https://sign.example.org"
    statement = make_statement(review_organizations=True)
    named = sign_and_confirm(statement, individual(name="Visible Person"))
    for n in range(7):  # enough to need a second page of the list
        sign_and_confirm(statement, individual(name=f"Filler {n}"))
    secrets = {
        "unnamed": sign_and_confirm(statement, individual(name="Unnamed Person", show_name=False)),
        "pending": sign(statement, individual(name="Pending Person")),
        "in review": sign_and_confirm(statement, organization(name="Waiting Org")),
        "rejected": sign_and_confirm(statement, organization(name="Rejected Org")),
        "withdrawn": sign_and_confirm(statement, individual(name="Withdrawn Person")),
    }
    Signature.objects.filter(pk=named.pk).update(ip_hash="f" * 32)
    signatures_reject(signatures=[secrets["rejected"]], user=None)
    withdrawn = secrets["withdrawn"]
    withdrawn.refresh_from_db()
    signature_withdraw(
        token=make_token(purpose="manage", signature_id=withdrawn.pk, nonce=withdrawn.token_nonce)
    )
    jobs_run_pending()

    pages = crawl(client, "/en/")
    assert any("individuals/?from=" in url for url in pages)  # the crawl reached page 2
    assert any(url.startswith("/ar/") for url in pages)  # and the other languages
    text = "\n".join(pages.values())
    assert "Visible Person" in text
    for label, signature in secrets.items():
        assert signature.name not in text, label
    everyone = Signature.objects.all()
    for signature in everyone:
        for private in (signature.email, signature.contact_name, signature.token_nonce):
            if private:
                assert private not in text
        if signature.ip_hash:
            assert signature.ip_hash not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)  # no email address at all
    assert "127.0.0.1" not in text
