"""Embeds (issue 20, point 4): /<lang>/embed/s/<slug>/ with the counts, the progress and a sign
button, and a second page with the individual form, framed by another site. Only these pages
relax frame-ancestors, an owner may restrict them to a list of sites, and signing there keeps
every rule of the platform (the same form, flags and email confirmation). In chromium, from a
page served on another loopback port."""

from __future__ import annotations

import http.server
import threading
from functools import partial

import pytest
from django.test import Client

from tests.conftest import look
from tests.factories import make_statement, organization, record_submissions, sign_and_confirm
from tests.test_views import individual_form
from undersigned.signatures.models import Signature, Submission
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Membership
from undersigned.statements.services import statement_settings_save

from .test_statement_workspace import account


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(p for p in policy.split(";") if "frame-ancestors" in p).strip()


@pytest.mark.django_db
def test_only_embed_pages_may_be_framed_and_owners_may_restrict_them(client):
    statement = make_statement(goal=20)
    sign_and_confirm(statement, organization(name="Friends of the Library"))
    statement_list_refresh(statement_id=statement.pk)
    for url in (f"/en/embed/s/{statement.slug}/", f"/en/embed/s/{statement.slug}/sign/",
                f"/en/embed/s/{statement.slug}/sign/sent/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        assert frame_ancestors(response) == "frame-ancestors *"
        assert "X-Frame-Options" not in response
    embed = client.get(f"/ar/embed/s/{statement.slug}/").content.decode()
    assert 'dir="rtl"' in embed and 'data-count="organizations">1<' in embed
    for url in (f"/en/s/{statement.slug}/", f"/en/s/{statement.slug}/sign/individual/", "/en/"):
        response = client.get(url)
        assert frame_ancestors(response) == "frame-ancestors 'none'"
        assert response["X-Frame-Options"] == "DENY"
    # The owner lists two sites in the settings; anything else gets a clear error.
    owner = account("owner")
    Membership.objects.create(statement=statement, user=owner, role="owner")
    coordinator = Client()
    coordinator.force_login(owner)
    settings_url = f"/en/dashboard/s/{statement.slug}/settings/"
    form = coordinator.get(settings_url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data |= {"embed_origins": "javascript:alert(1)", "signers": "both", "kind": "joint_statement"}
    page = coordinator.post(settings_url, data).content.decode()
    assert "is not a site&#x27;s address" in page or "is not a site's address" in page
    data["embed_origins"] = (
        "https://partner.example\nhttp://127.0.0.1:8123/\nhttps://partner.example"
    )
    assert coordinator.post(settings_url, data).status_code == 302
    statement.refresh_from_db()
    assert statement.embed_origins == "https://partner.example\nhttp://127.0.0.1:8123"
    response = client.get(f"/en/embed/s/{statement.slug}/")
    assert frame_ancestors(response) == (
        "frame-ancestors https://partner.example http://127.0.0.1:8123"
    )


@pytest.mark.django_db
def test_signing_in_a_frame_keeps_every_rule_of_the_platform():
    statement = make_statement()
    browser = Client(enforce_csrf_checks=True)  # no CSRF cookie, as in another site's frame
    url = f"/en/embed/s/{statement.slug}/sign/"
    invalid = browser.post(url, individual_form(statement, email="not an email"))
    assert invalid.status_code == 200 and "Enter a valid email address" in invalid.content.decode()
    assert not Submission.objects.exists()
    response = browser.post(url, individual_form(statement, email="framed@example.org"))
    assert response.status_code == 302
    assert response["Location"] == f"/en/embed/s/{statement.slug}/sign/sent/"
    record_submissions()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING  # confirmed by email, as anywhere
    assert signature.email == "framed@example.org"
    # Organizations sign on the platform's own page, opened in a new tab.
    assert browser.post(f"/en/embed/s/{statement.slug}/sign/organization/").status_code == 404


class _Host(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def partner_site(tmp_path):
    """Another site on another loopback port, serving files from a folder."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Host, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_partner_page_frames_the_statement_and_people_sign_in_it(
    page, live_server, partner_site, language, axe_source, output_dir
):
    folder, partner = partner_site
    statement = make_statement(goal=10)
    sign_and_confirm(statement, organization(name="Friends of the Library"))
    statement_list_refresh(statement_id=statement.pk)
    frame_url = f"{live_server.url}/{language}/embed/s/{statement.slug}/"
    (folder / "index.html").write_text(
        "<!doctype html><html><head><title>Partner</title></head><body><h1>Our campaign</h1>"
        f'<iframe id="u" src="{frame_url}" title="Statement" '
        'style="width:100%;height:120px;border:0"></iframe>'
        f'<script src="{live_server.url}/static/undersigned/embed.js" async></script>'
        "</body></html>"
    )
    page.goto(f"{partner}/index.html")
    frame = page.frame_locator("#u")
    frame.locator("dd[data-count=organizations]").wait_for()
    assert frame.locator("dd[data-count=organizations]").inner_text() == "1"
    # embed.js fits the frame to its content.
    for _ in range(100):
        if page.evaluate("parseInt(document.getElementById('u').style.height || '0')") > 200:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("parseInt(document.getElementById('u').style.height || '0')") > 200
    page.screenshot(path=str(output_dir / f"embed-partner-{language}.png"), full_page=True)
    frame.locator(f"a[href$='/embed/s/{statement.slug}/sign/']").click()
    frame.locator("input[name=name]").fill("Framed Reader")
    frame.locator("select[name=country]").select_option("FR")
    frame.locator("input[name=email]").fill("framed@example.org")
    frame.locator("input[name=visibility][value=show]").check()
    frame.locator("form button[type=submit]").click()
    frame.locator("h1").filter(has_text="inbox" if language == "en" else "بريدك").wait_for()
    assert Submission.objects.count() == 1
    # The embed pages themselves, opened directly: axe at phone and desktop width.
    page.goto(frame_url)
    problems = look(page, "embed", language, axe_source, output_dir)
    page.goto(frame_url + "sign/")
    problems += look(page, "embed-sign", language, axe_source, output_dir)
    assert not problems, "\n".join(problems)
    # Restricted to one other site: this partner's frame stays empty.
    statement.embed_origins = "https://partner.example"
    statement_settings_save(statement=statement, changed=["embed_origins"], user=None)
    page.goto(f"{partner}/index.html")
    page.wait_for_timeout(500)
    assert page.frame_locator("#u").locator("dd[data-count=organizations]").count() == 0
