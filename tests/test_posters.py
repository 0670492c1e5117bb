"""QR codes and posters (issue 20, point 3): from the workspace, every coordinator downloads,
for each language of the statement, a QR code of its address (SVG and PNG, segno) and an A4
poster (PDF) with the title, the code and the short address; nobody else can."""

from __future__ import annotations

import io

import pytest
import segno
from django.test import Client
from pypdf import PdfReader

from tests.factories import make_statement
from undersigned.statements.models import Membership

from .test_statement_workspace import account


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_every_coordinator_downloads_codes_and_posters_in_each_language(settings):
    settings.BASE_URL = "https://sign.example.org"
    statement = make_statement()
    people = {role: account(role) for role in ("owner", "editor", "moderator", "outsider")}
    for role in ("owner", "editor", "moderator"):
        Membership.objects.create(statement=statement, user=people[role], role=role)
    Membership.objects.create(statement=make_statement(), user=people["outsider"], role="owner")
    base = f"/en/dashboard/s/{statement.slug}/share"
    for role in ("owner", "editor", "moderator"):
        client = Client()
        client.force_login(people[role])
        page = client.get(f"{base}/").content.decode()
        assert "sign.example.org/ar/s/" in page and "sign.example.org/en/s/" in page
        for language in ("en", "ar"):
            url = f"https://sign.example.org/{language}/s/{statement.slug}/"
            svg = client.get(f"{base}/{language}.svg")
            assert svg["Content-Type"] == "image/svg+xml"
            # The code holds exactly the statement's address in that language.
            expected = io.BytesIO()
            segno.make(url, error="m").save(expected, kind="svg", scale=10, border=4)
            assert body(svg) == expected.getvalue()
            png = body(client.get(f"{base}/{language}.png"))
            assert png.startswith(b"\x89PNG")
            poster = client.get(f"{base}/{language}.pdf")
            assert poster["Content-Disposition"].endswith(f'-{language}-poster.pdf"')
            reader = PdfReader(io.BytesIO(body(poster)))
            [sheet] = reader.pages
            assert (round(sheet.mediabox.width), round(sheet.mediabox.height)) == (595, 842)
            text = sheet.extract_text()
            title = statement.texts.get(language=language).title
            assert title.split()[0] in text and f"sign.example.org/{language}/s/" in text
        assert client.get(f"{base}/fr.pdf").status_code == 404  # no French text
    outsider = Client()
    outsider.force_login(people["outsider"])
    assert outsider.get(f"{base}/").status_code == 404
    assert outsider.get(f"{base}/en.pdf").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_material_page_in_a_browser(page, language, axe_source, output_dir):
    from tests.conftest import look, overflow, sign_in

    statement = make_statement()
    coordinator = account("coordinator")
    Membership.objects.create(statement=statement, user=coordinator, role="editor")
    sign_in(page, language)
    page.goto(f"/{language}/dashboard/s/{statement.slug}/")
    page.locator(f"nav.owner a[href$='/dashboard/s/{statement.slug}/share/']").click()
    page.locator("ul.material img").first.wait_for()
    loaded = "[...document.querySelectorAll('ul.material img')].every(i => i.naturalWidth > 0)"
    for _ in range(100):  # (wait_for_function evaluates a string, which the CSP forbids)
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(50)
    assert page.evaluate(loaded)
    problems = look(page, "share-material", language, axe_source, output_dir)
    assert overflow(page) == 0
    with page.expect_download() as poster:
        page.locator("a[href$='.pdf']").first.click()
    assert poster.value.suggested_filename.endswith("-poster.pdf")
    assert not problems, "\n".join(problems)
