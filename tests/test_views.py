"""Every public view over HTTP, bad input included."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from tests.factories import (
    confirm_token,
    individual,
    make_statement,
    organization,
    record_submissions,
    sign,
)
from undersigned.jobs.models import Job
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.forms import form_timestamp
from undersigned.signatures.models import Signature, Submission
from undersigned.statements.models import Statement

pytestmark = pytest.mark.django_db


def individual_form(statement, language="en", **overrides):
    data = {
        "name": "Ana López",
        "country": "ES",
        "affiliation": "",
        "email": "ana@example.org",
        "visibility": "show",
        "text_version": statement.texts.get(language=language).version,
        "rendered": form_timestamp(time.time() - 60),
    }
    data.update(overrides)
    return data


def organization_form(statement, **overrides):
    data = {
        "name": "Friends of Reading",
        "acronym": "FoR",
        "country": "MA",
        "website": "https://friends.example.org",
        "contact_name": "Karim Benali",
        "contact_role": "Secretary",
        "email": "office@friends.example.org",
        "text_version": statement.texts.get(language="en").version,
        "rendered": form_timestamp(time.time() - 60),
    }
    data.update(overrides)
    return data


def sign_url(statement, kind="individual", lang="en"):
    return f"/{lang}/s/{statement.slug}/sign/{kind}/"


def test_home_lists_open_statements_only(client):
    open_one = make_statement()
    closed = make_statement(state=Statement.State.CLOSED)
    draft = make_statement(state=Statement.State.DRAFT)
    html = client.get("/en/").content.decode()
    assert open_one.texts.get(language="en").title in html
    assert closed.texts.get(language="en").title not in html
    assert draft.texts.get(language="en").title not in html


def test_root_redirects_to_the_visitors_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


def test_statement_page_shows_text_counts_and_links(client):
    statement = make_statement(goal=100)
    response = client.get(f"/en/s/{statement.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>clean</strong>" in html  # Markdown rendered
    assert 'href="/ar/s/' in html  # the other language
    assert "0 of 100 signatures" in html
    assert sign_url(statement) in html and sign_url(statement, "organization") in html


def test_public_pages_are_cacheable_by_a_proxy_and_set_no_cookie(client):
    statement = make_statement()
    for url in ["/en/", f"/en/s/{statement.slug}/", f"/en/s/{statement.slug}/individuals/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"] and "s-maxage=5" in response["Cache-Control"]
        assert not response.cookies, url


def test_unknown_and_draft_statements_are_404(client):
    draft = make_statement(state=Statement.State.DRAFT)
    for url in ["/en/s/no-such-thing/", f"/en/s/{draft.slug}/", sign_url(draft)]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.content.decode()


def test_arabic_pages_are_right_to_left_and_show_the_arabic_text(client):
    statement = make_statement()
    html = client.get(f"/ar/s/{statement.slug}/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert statement.texts.get(language="ar").title in html
    assert "وقّع بصفتك فرداً" in html  # "Sign as an individual", from the Arabic catalogue


def test_a_language_without_text_falls_back_and_says_so(client):
    statement = make_statement()
    html = client.get(f"/fr/s/{statement.slug}/").content.decode()
    assert statement.texts.get(language="en").title in html
    assert 'class="notice"' in html


def test_signing_as_an_individual_queues_a_confirmation(client):
    statement = make_statement()
    form_page = client.get(sign_url(statement))
    assert form_page.status_code == 200
    assert "no-store" in form_page["Cache-Control"]
    html = form_page.content.decode()
    # The visibility choice is required and nothing is pre-selected.
    assert 'value="show"' in html and "checked" not in html
    response = client.post(sign_url(statement), individual_form(statement))
    assert response.status_code == 302
    assert response["Location"] == f"/en/s/{statement.slug}/sign/sent/"
    # The request stored the form as sent, and only its keyed hashes of the address.
    submission = Submission.objects.get()
    assert submission.details["email"] == "ana@example.org"
    assert len(submission.ip_hash) == 32
    assert "127.0.0.1" not in repr(Submission.objects.values().get())
    assert not Signature.objects.exists()
    # The worker records it, with its email job, and keeps no copy.
    assert record_submissions() == 1
    assert not Submission.objects.exists()
    signature = Signature.objects.get()
    assert signature.created == submission.created
    assert (signature.name, signature.country.code, signature.show_name) == (
        "Ana López",
        "ES",
        True,
    )
    assert signature.language == "en"
    assert len(signature.ip_hash) == 32 and "127.0.0.1" not in signature.ip_hash
    assert Job.objects.filter(kind="signatures.send_email").count() == 1


def test_signing_as_an_organization_keeps_contact_details_private(client):
    statement = make_statement()
    response = client.post(sign_url(statement, "organization"), organization_form(statement))
    assert response.status_code == 302
    record_submissions()
    signature = Signature.objects.get()
    assert (signature.kind, signature.acronym, signature.contact_name) == (
        "organization",
        "FoR",
        "Karim Benali",
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Ensure this value has at most 200 characters"),
        ("name", "Ana\nLópez", "Use a single line without control characters."),
        ("name", "Ana\u202eLópez", "Use a single line without control characters."),
        ("name", "....", "Enter a name with letters."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "", "This field is required."),
        ("email", "a" * 250 + "@example.org", "Ensure this value has at most 254 characters"),
        ("country", "XX", "Select a valid choice."),
        ("country", "", "This field is required."),
        ("visibility", "", "Choose whether your name is shown."),
        ("visibility", "both", "Select a valid choice."),
        ("affiliation", "Teacher\x00", "Use a single line without control characters."),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(client, field, value, message):
    statement = make_statement()
    response = client.post(sign_url(statement), individual_form(statement, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    block = re.search(rf'id="field-{field}".*?</div>', html, re.S).group(0)
    assert message.replace("'", "&#x27;") in block
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


def test_bad_organization_input_is_refused_beside_its_field(client):
    statement = make_statement()
    response = client.post(
        sign_url(statement, "organization"),
        organization_form(statement, website="not a url", contact_name=""),
    )
    html = response.content.decode()
    assert "Enter a valid URL." in re.search(r'id="field-website".*?</div>', html, re.S).group(0)
    assert "This field is required." in re.search(
        r'id="field-contact_name".*?</div>', html, re.S
    ).group(0)
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


def test_errors_are_in_the_pages_language(client):
    statement = make_statement()
    response = client.post(sign_url(statement, lang="ar"), individual_form(statement, email="x"))
    assert "أدخِل عنوان بريد إلكتروني صحيح" in response.content.decode()


def test_a_text_changed_while_reading_asks_to_read_again(client):
    statement = make_statement()
    response = client.post(sign_url(statement), individual_form(statement, text_version="0" * 16))
    assert "changed while you were reading it" in response.content.decode()
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


def test_the_signed_text_version_is_kept_with_the_signature(client):
    statement = make_statement()
    client.post(sign_url(statement), individual_form(statement))
    record_submissions()
    signature = Signature.objects.get()
    text = statement.texts.get(language="en")
    assert (signature.text_language, signature.text_version) == ("en", text.version)
    assert statement.revisions.filter(version=text.version, language="en").exists()


@pytest.mark.parametrize(
    "fields", [{"state": Statement.State.CLOSED}, {"signers": Statement.Signers.ORGANIZATIONS}]
)
def test_a_statement_that_does_not_accept_signatures_shows_no_form_and_stores_nothing(
    client, fields
):
    statement = make_statement(**fields)
    page = client.get(sign_url(statement))
    assert page.status_code == 200
    assert b"<form" not in page.content
    response = client.post(sign_url(statement), individual_form(statement))
    assert response.status_code == 403
    assert b"no longer accepts signatures" in response.content or b"organizations only" in (
        response.content
    )
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


def test_a_post_without_a_valid_csrf_token_stores_nothing():
    statement = make_statement()
    client = Client(enforce_csrf_checks=True)
    client.get(sign_url(statement))
    missing = client.post(sign_url(statement), individual_form(statement))
    wrong = client.post(
        sign_url(statement), {**individual_form(statement), "csrfmiddlewaretoken": "x" * 64}
    )
    for response in (missing, wrong):
        assert response.status_code == 403
        assert "security token" in response.content.decode()
    assert record_submissions() == 0  # nothing was even submitted
    assert Signature.objects.count() == 0


def test_the_answer_is_the_same_for_new_pending_and_confirmed_addresses(client):
    statement = make_statement()
    confirmed = sign(statement, individual(email="known@example.org"))
    from undersigned.signatures.services import signature_confirm

    signature_confirm(token=confirm_token(confirmed))
    sign(statement, individual(email="pending@example.org"))

    def answer(email):
        first = client.post(sign_url(statement), individual_form(statement, email=email))
        page = client.get(first["Location"])
        return first.status_code, first["Location"], page.status_code, page.content

    assert answer("new@example.org") == answer("pending@example.org") == answer("KNOWN@example.org")


def test_confirmation_get_and_head_change_nothing_and_post_confirms(client):
    statement = make_statement()
    signature = sign(statement, individual())
    url = f"/en/confirm/{confirm_token(signature)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Confirm my signature" in page.content
    assert client.head(url).status_code == 200
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    response = client.post(url)
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PUBLISHED
    thanks = client.get(url)
    assert b"Thank you" in thanks.content


def test_a_reused_link_shows_a_clear_page_and_changes_nothing(client):
    statement = make_statement(review_organizations=True)
    signature = sign(statement, organization())
    url = f"/en/confirm/{confirm_token(signature)}/"
    client.post(url)
    again = client.post(url)
    assert again.status_code == 409
    assert b"already been used" in again.content
    signature.refresh_from_db()
    assert signature.status == Signature.Status.IN_REVIEW
    assert b"review" in client.get(url).content


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_and_expired_links_show_a_clear_page(client, method):
    statement = make_statement()
    signature = sign(statement, individual())
    token = confirm_token(signature)
    tampered = getattr(client, method)(f"/en/confirm/{token[:-2]}xx/")
    assert tampered.status_code == 404 and b"not valid" in tampered.content
    Signature.objects.filter(pk=signature.pk).update(token_expires="2000-01-01T00:00:00Z")
    expired = getattr(client, method)(f"/en/confirm/{token}/")
    assert expired.status_code == 410 and b"expired" in expired.content
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_the_public_list_is_numbered_paginated_and_hides_unnamed_signers(client):
    statement = make_statement()
    from tests.factories import sign_and_confirm

    names = [sign_and_confirm(statement, individual(name=f"Named {i}")).name for i in range(7)]
    sign_and_confirm(statement, individual(name="Hidden Person", show_name=False))
    sign_and_confirm(statement, organization(name="Org One", acronym="O1"))
    jobs_run_pending()
    html = client.get(f"/en/s/{statement.slug}/").content.decode()
    assert "Hidden Person" not in html
    assert '<dd data-count="individuals">8</dd>' in html
    assert '<dd data-count="organizations">1</dd>' in html
    assert html.index("Org One") < html.index("Named 0")  # organizations first
    assert '<li value="1"><bdi class="name">Org One</bdi> (<bdi>O1</bdi>)' in html
    # First page: 5 (the test page size); the rest by key.
    assert all(name in html for name in names[:5]) and names[5] not in html
    more = client.get(f"/en/s/{statement.slug}/individuals/?from=6").content.decode()
    assert '<li value="6"><bdi class="name">Named 5</bdi>' in more
    assert '<li value="7"><bdi class="name">Named 6</bdi>' in more
    assert "Hidden Person" not in more
    for junk in ["abc", "-1", "99999999999999", ""]:
        assert client.get(f"/en/s/{statement.slug}/individuals/?from={junk}").status_code == 200


def test_no_public_page_shows_contact_data_or_pending_and_rejected_names(client, settings):
    # The site's own address (in share links) is not the test client's: 127.0.0.1 below is.
    settings.BASE_URL = "https://sign.example.org"
    statement = make_statement(review_organizations=True)
    from tests.factories import sign_and_confirm
    from undersigned.signatures.services import signatures_approve, signatures_reject

    listed = sign_and_confirm(
        statement, organization(email="private@listed.example.org", contact_name="Secret Contact")
    )
    refused = sign_and_confirm(statement, organization(name="Refused Org"))
    signatures_approve(signatures=[listed], user=None)
    signatures_reject(signatures=[refused], user=None)
    sign(statement, individual(name="Pending Person", email="pending@example.org"))
    jobs_run_pending()
    pages = [
        "/en/",
        f"/en/s/{statement.slug}/",
        f"/en/s/{statement.slug}/organizations/",
        f"/en/s/{statement.slug}/individuals/",
        f"/ar/s/{statement.slug}/",
    ]
    text = "".join(client.get(url).content.decode() for url in pages)
    assert listed.name in text
    for secret in [
        "private@listed.example.org",
        "Secret Contact",
        "Refused Org",
        "Pending Person",
        "pending@example.org",
        listed.token_nonce,
        "127.0.0.1",
    ]:
        assert secret not in text


def test_the_policy_built_once_is_django_csps_and_follows_the_settings(client, settings):
    """The site's policy is built once per process (core/middleware.CSPMiddleware): it is what
    django-csp builds from the settings, it changes when they do, a page that sets its own
    (the embeds) still gets its own, and a report-only policy is sent when one is set."""
    from csp.utils import build_policy

    statement = make_statement()
    assert client.get(sign_url(statement))["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = client.get(sign_url(statement))
    assert "img-src 'self';" in response["Content-Security-Policy"] + ";"
    assert "data:" not in response["Content-Security-Policy"]
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    embed = client.get(f"/en/embed/s/{statement.slug}/")
    assert "frame-ancestors *" in embed["Content-Security-Policy"]


def test_only_get_and_post_are_answered(client):
    statement = make_statement()
    assert client.put(sign_url(statement)).status_code == 405
    assert client.post(f"/en/s/{statement.slug}/").status_code == 405


def test_every_page_forbids_third_party_content_inline_scripts_and_framing(client):
    statement = make_statement()
    for url in ["/en/", f"/en/s/{statement.slug}/", sign_url(statement), "/en/s/nope/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        # Nothing is loaded from another host: no script, image, frame or stylesheet. (Plain
        # links to other sites, such as the share links, load nothing until followed.)
        page = response.content.decode()
        assert not re.search(r'src="(https?:)?//', page)
        assert not re.search(r'<link[^>]+href="(https?:)?//', page)


def test_signing_forms_share_widgets_but_not_fields():
    """The signing forms copy their fields one level (signatures/forms.py): each form's
    fields are its own, the autofill tokens are on every form, and a form shows its own text
    version whichever form was made before it."""
    from django.utils import translation

    from undersigned.signatures.forms import IndividualSignForm

    first = IndividualSignForm(current_version="one")
    second = IndividualSignForm(current_version="two")
    assert first.fields["name"] is not second.fields["name"]
    first.fields["affiliation"].required = True
    assert IndividualSignForm(current_version="x").fields["affiliation"].required is False
    assert 'value="one"' in str(first["text_version"])
    assert 'value="two"' in str(second["text_version"])
    assert 'autocomplete="email"' in str(second["email"])
    with translation.override("ar"):
        assert "البريد" in str(IndividualSignForm(current_version="x")["email"].label_tag())
    assert "Email" in str(IndividualSignForm(current_version="x")["email"].label_tag())


def test_the_signing_forms_skip_the_signed_in_middleware_and_other_pages_do_not(client):
    """The signing forms never read the session (core/middleware.SignedInMiddleware): a
    signed-in coordinator who signs is an anonymous signer there, and nothing of the session
    shows in the answer, while every other page still knows who is signed in."""
    from django.conf import settings as django_settings

    from tests.factories import make_superuser

    statement = make_statement()
    user = make_superuser()
    client.force_login(user)
    form_page = client.get(sign_url(statement))
    assert form_page.status_code == 200
    assert not hasattr(form_page.wsgi_request, "session")
    assert form_page.wsgi_request.user.is_anonymous
    posted = client.post(sign_url(statement), individual_form(statement))
    assert posted.status_code == 302 and "sessionid" not in posted.cookies
    embed = client.get(f"/en/embed/s/{statement.slug}/sign/")
    assert embed.wsgi_request.user.is_anonymous
    page = client.get(f"/en/s/{statement.slug}/")
    assert page.wsgi_request.user == user
    assert "django.contrib.sessions.middleware.SessionMiddleware" in (
        django_settings.SIGNED_IN_MIDDLEWARE
    )
