"""Stored XSS: hostile statement bodies and signer names render as text; in a real browser no
dialog opens and no script runs."""

from __future__ import annotations

import re

import pytest

from tests.factories import individual, make_statement, organization, sign_and_confirm
from undersigned.jobs.services import jobs_run_pending

# Each payload, if it ever ran, would set window.pwned or open a dialog.
PAYLOADS = [
    "<script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=1">',
    "<svg/onload=window.pwned=1>",
    '<a href="javascript:window.pwned=1">click</a>',
    '"><script>window.pwned=1</script>',
    '<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>',
    "<body onload=window.pwned=1>",
    '<details open ontoggle="window.pwned=1">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.pwned=1>",
    "[link](javascript:window.pwned=1)",
    "[link](JaVaScRiPt:window.pwned=1)",
    '<a href="&#106;avascript:window.pwned=1">x</a>',
    "<scr<script>ipt>window.pwned=1</script>",
    '<input autofocus onfocus="window.pwned=1">',
    '<object data="data:text/html,<script>parent.pwned=1</script>"></object>',
    '<style>@import "javascript:window.pwned=1";</style>',
    "<marquee onstart=window.pwned=1>",
    "`<script>window.pwned=1</script>`",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hostile_bodies_and_names_never_run(page, live_server):
    body = "\n\n".join(PAYLOADS)
    statement = make_statement(texts={"en": ("Hostile <b>title</b> <script>x</script>", body)})
    for n, payload in enumerate(PAYLOADS):
        # Names reach the database through the service (the form would refuse some of them).
        if n % 2:
            sign_and_confirm(statement, individual(name=f"P{n} {payload}"))
        else:
            sign_and_confirm(statement, organization(name=f"O{n} {payload}", acronym=payload[:30]))
    jobs_run_pending()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in [
        f"/en/s/{statement.slug}/",
        f"/en/s/{statement.slug}/organizations/",
        f"/en/s/{statement.slug}/individuals/?from=6",
        f"/en/s/{statement.slug}/sign/individual/",
        "/en/",
    ]:
        # What the server sends: every payload escaped or stripped, whatever CSP would block.
        html = page.request.get(url).text()
        assert not re.search(r"<[a-zA-Z][^<>]*[\s/]on[a-z]+\s*=", html), url  # handlers
        # No element that runs or styles, but this server's own static scripts (share.js).
        assert not re.search(r"<(iframe|object|svg|math|style)\b", html, re.I), url
        scripts = re.findall(r"<script\b[^>]*>", html, re.I)
        assert all(re.fullmatch(r'<script src="/static/undersigned/[a-z-]+\.js"( defer)?>', tag)
                   for tag in scripts), (url, scripts)  # fmt: skip
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.pwned") is None, url
        for link in page.locator("a").all():
            href = link.get_attribute("href") or ""
            assert not href.lower().lstrip().startswith(("javascript", "data")), (url, href)
    assert dialogs == []
    # The names are shown, as text.
    page.goto(f"/en/s/{statement.slug}/organizations/")
    assert "<script>window.pwned=1</script>" in page.locator("ol.signatories").inner_text()
