"""Passing a statement on (issue 20, point 2): plain share links on the statement and thank-you
pages, Signal by copying the address, Mastodon through the reader's own server, a copy button
and the device's share sheet, none of which loads anything from another host."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.conftest import look, overflow
from tests.factories import make_statement

SITES = ["mailto:", "https://wa.me/", "https://t.me/share/", "https://x.com/intent/",
         "https://www.facebook.com/sharer/", "https://bsky.app/intent/compose"]  # fmt: skip


@pytest.mark.django_db
def test_the_statement_page_offers_every_way_to_pass_it_on(client, settings):
    settings.BASE_URL = "https://sign.example.org"
    statement = make_statement(texts={"en": ("Evening hours & more", "Text.")})
    page = client.get(f"/en/s/{statement.slug}/").content.decode()
    links = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer">', page)
    for site in SITES:
        [link] = [href for href in links if href.startswith(site)]
        assert f"https://sign.example.org/en/s/{statement.slug}/" in unquote(link)
    assert "Evening hours &amp; more" in page or "Evening%20hours%20%26%20more" in page
    assert "Signal (copies the link)" in page and 'name="instance"' in page
    # Nothing is loaded from elsewhere: the only script is this server's.
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/undersigned/share.js"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "goes_to"),
    [
        ("mastodon.social", "https://mastodon.social/share?text="),
        ("https://Social.Example.ORG/", "https://social.example.org/share?text="),
        ("  eldritch.cafe ", "https://eldritch.cafe/share?text="),
    ],
)
def test_mastodon_sends_the_reader_to_their_own_server(client, typed, goes_to):
    statement = make_statement()
    response = client.get(f"/en/s/{statement.slug}/share/mastodon/", {"instance": typed})
    assert response.status_code == 302 and response["Location"].startswith(goes_to)
    assert statement.slug in unquote(response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["", "localhost", "javascript:alert(1)", "evil.example/path", "a b.example",
     "user@host.example", "-bad.example", "x" * 300 + ".example", "mastodon.social:8443",
     "\u0645\u062b\u0627\u0644.example", "http://"],
)  # fmt: skip
def test_anything_but_a_server_name_gets_an_error_beside_the_field(client, typed):
    statement = make_statement()
    for language, message in (("en", "Write the name of your Mastodon server"),
                              ("ar", "اكتب اسم خادم Mastodon")):  # fmt: skip
        url = f"/{language}/s/{statement.slug}/share/mastodon/"
        response = client.get(url, {"instance": typed})
        assert response.status_code == 400 and "Location" not in response
        assert message in response.content.decode()
    assert client.get("/en/s/no-such/share/mastodon/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_copy_button_copies_the_address(page, language, axe_source, output_dir):
    statement = make_statement()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/{language}/s/{statement.slug}/")
    button = page.locator("[data-copy]").first
    button.click()
    page.locator(".copy-status").filter(has_text=re.compile(".+")).first.wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/{language}/s/{statement.slug}/")
    problems = look(page, "statement-share", language, axe_source, output_dir)
    assert overflow(page) == 0
    page.goto(f"/{language}/s/{statement.slug}/share/mastodon/?instance=nope")
    problems += look(page, "share-mastodon-error", language, axe_source, output_dir)
    assert not problems, "\n".join(problems)
