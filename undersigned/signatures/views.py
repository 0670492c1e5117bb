from __future__ import annotations

import re
from functools import wraps
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_countries.fields import Country

from undersigned.core.http import NO_STORE, no_store, public_cache
from undersigned.core.net import client_ip
from undersigned.core.numbers import ascii_int
from undersigned.core.pagecache import cached_page
from undersigned.core.sanitize import markdown_to_safe_html
from undersigned.core.textdiff import word_diff
from undersigned.signatures import lifecycle
from undersigned.signatures.cards import REDRAW_SECONDS, card_path
from undersigned.signatures.forms import (
    RENDERED_SLOT,
    IndividualSignForm,
    OrganizationSignForm,
    form_timestamp,
)
from undersigned.signatures.models import ListTally, Signature
from undersigned.signatures.pow import CHALLENGE_SLOT, challenge_issue
from undersigned.signatures.selectors import (
    ORDERS,
    list_page,
    ordered_page,
    signatures_by_version,
    tally_for,
)
from undersigned.signatures.services import (
    SignAgainRefused,
    SignerDetails,
    SigningClosed,
    SigningPaused,
    TokenProblem,
    sign_again_until,
    signature_check_confirmable,
    signature_confirm,
    signature_from_token,
    signature_set_visibility,
    signature_sign_again,
    signature_withdraw,
    signing_paused,
    submission_create,
)
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Statement, TextRevision
from undersigned.statements.selectors import (
    open_statements,
    public_revisions,
    public_statement_get,
    revision_for,
    statement_text_for,
    statement_version_key,
    text_changed_on,
)
from undersigned.statements.services import PreviewProblem, preview_statement

FORMS = {
    Signature.Kind.INDIVIDUAL: IndividualSignForm,
    Signature.Kind.ORGANIZATION: OrganizationSignForm,
}
LIST_KINDS = {
    "organizations": Signature.Kind.ORGANIZATION,
    "individuals": Signature.Kind.INDIVIDUAL,
}


def closed_reason(statement: Statement, kind: str) -> str:
    """Why this statement takes no signature of this kind now, in the reader's language; ''
    when it does."""
    now = timezone.now()
    if statement.state == Statement.State.CLOSED or (
        statement.closes_at and statement.closes_at <= now
    ):
        return _("This statement is closed and no longer accepts signatures.")
    if statement.opens_at and statement.opens_at > now:
        # In the statement's own time zone, named: readers are anywhere.
        opens = timezone.localtime(statement.opens_at, ZoneInfo(statement.time_zone))
        return _("Signing opens on %(date)s.") % {
            "date": f"{formats.date_format(opens, 'DATETIME_FORMAT')} ({statement.time_zone})"
        }
    if not statement.accepts_kind(kind):
        if kind == Signature.Kind.ORGANIZATION:
            return _("This statement is signed by individuals only.")
        return _("This statement is signed by organizations only.")
    if not statement.accepts_signatures(now):
        return _("This statement does not accept signatures.")
    return ""


PAUSE_RETRY_AFTER_SECONDS = 300


def paused_reason(statement: Statement) -> str:
    """Why signing is paused right now (on this statement or on the whole site); '' if not."""
    if signing_paused(statement):
        return _(
            "Signing is paused for a while. Please come back later: nothing sent now is stored."
        )
    return ""


def _paused_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A POST while signing is paused: 503 with Retry-After, nothing stored."""
    response = render(request, template, context, status=503)
    response["Retry-After"] = str(PAUSE_RETRY_AFTER_SECONDS)
    return response


def _details(kind: str, data: dict) -> SignerDetails:
    if kind == Signature.Kind.INDIVIDUAL:
        return SignerDetails(
            kind=kind,
            name=data["name"],
            country=data["country"],
            email=data["email"],
            affiliation=data["affiliation"],
            show_name=data["visibility"] == "show",
            wants_updates=data["wants_updates"],
        )
    return SignerDetails(
        kind=kind,
        name=data["name"],
        acronym=data["acronym"],
        country=data["country"],
        email=data["email"],
        website=data["website"],
        contact_name=data["contact_name"],
        contact_role=data["contact_role"],
        show_name=True,
        wants_updates=data["wants_updates"],
    )


def _submit(request: HttpRequest, statement: Statement, form, *, kind: str, text,
            early: bool = False) -> None:  # fmt: skip
    """Store a valid signing form as a submission (SigningClosed or SigningPaused when the
    statement stopped taking it meanwhile)."""
    flags = form.abuse_flags()  # also finds the solved challenge, if any
    submission_create(
        statement=statement,
        details=_details(kind, form.cleaned_data),
        text=text,
        language=request.LANGUAGE_CODE,
        ip=client_ip(request),
        flags=flags,
        challenge_nonce=form.challenge_nonce,
        early=early,
    )


@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    return _sign_page(request, slug, kind, template="signatures/sign.html", sent="signatures:sent")


def _sign_page(request: HttpRequest, slug: str, kind: str, *, template: str,
               sent: str) -> HttpResponse:  # fmt: skip
    """The signing form and what a POST of it does, for the statement's own page and for its
    embed page (`template`; `sent`: where a stored signature goes next)."""
    statement = public_statement_get(slug=slug)
    choice = statement_text_for(statement, request.LANGUAGE_CODE)
    if choice is None:
        raise Http404("statement without text")
    context = {"statement": statement, "choice": choice, "kind": kind}
    paused = paused_reason(statement)
    if paused:
        if request.method == "POST":
            return _paused_response(request, template, {**context, "closed": paused})
        return render(request, template, {**context, "closed": paused})
    reason = closed_reason(statement, kind)
    if reason:
        status = 403 if request.method == "POST" else 200
        return render(request, template, {**context, "closed": reason}, status=status)
    asks_pow = statement.asks_proof_of_work
    context["pow_difficulty"] = settings.POW_DIFFICULTY if asks_pow else None
    if request.method != "POST":
        # Nothing typed yet: the same page for everybody but the CSRF token, the form's
        # timestamp and (where asked) its proof-of-work challenge.
        per_visitor = {RENDERED_SLOT: form_timestamp()}
        if asks_pow:
            per_visitor[CHALLENGE_SLOT] = challenge_issue(statement.pk)
        return cached_page(
            request,
            (
                "sign",
                template,
                kind,
                request.LANGUAGE_CODE,
                *statement_version_key(statement),
                asks_pow,
            ),  # fmt: skip
            lambda extra: render_to_string(
                template,
                {**context, "form": FORMS[kind](current_version=choice.text.version), **extra},
                request,
            ),
            with_form=True,
            per_visitor=per_visitor,
        )
    form = FORMS[kind](
        request.POST,
        current_version=choice.text.version,
        pow_statement_id=statement.pk if asks_pow else None,
    )
    if form.is_valid():
        try:
            _submit(request, statement, form, kind=kind, text=choice.text)
        except SigningPaused:  # paused between the check above and the write
            return _paused_response(
                request, template, {**context, "closed": paused_reason(statement)}
            )
        except SigningClosed:
            return render(
                request,
                template,
                {
                    **context,
                    "closed": closed_reason(statement, kind)
                    or _("This statement does not accept signatures."),
                },
                status=403,
            )
        # The same answer whether the address is new, pending or already confirmed.
        return redirect(sent, slug=statement.slug)
    return render(request, template, {**context, "form": form})


# --- Embeds: pages another site shows in a frame ------------------------------------------


def embeddable(view):
    """Let the view's pages be framed by the sites the statement's owners listed (any site when
    they listed none); every other page keeps frame-ancestors 'none' and X-Frame-Options DENY."""

    @xframe_options_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args, **kwargs):
        response = view(request, slug, *args, **kwargs)
        statement = public_statement_get(slug=slug)
        origins = statement.embed_origins.split()
        response._csp_replace = {"frame-ancestors": origins or ["*"]}
        return response

    return wrapped


@embeddable
@require_http_methods(["GET", "HEAD"])
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """Counts, progress and a sign button, for a partner's page (in an iframe)."""
    statement = public_statement_get(slug=slug)
    tally = tally_for(statement)
    return render(
        request,
        "signatures/embed.html",
        {
            "statement": statement,
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
            "tally": tally,
            "goal_percent": goal_percent(statement, tally),
            "can_sign": {
                kind: not (paused_reason(statement) or closed_reason(statement, kind))
                for kind in ("organization", "individual")
            },
        },
    )


# Signing in a partner's frame: the signing form is anonymous (no session, nothing a forged
# request could act as), and a browser sends no cookie to a framed site in another site's
# page, so the CSRF cookie cannot be asked for. Every other rule is the same as on the
# platform's page: the same form, abuse flags, proof of work and email confirmation.
@embeddable
@csrf_exempt
@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def embed_sign(request: HttpRequest, slug: str) -> HttpResponse:
    return _sign_page(request, slug, "individual", template="signatures/embed_sign.html",
                      sent="signatures:embed_sent")  # fmt: skip


@embeddable
@no_store
def embed_sent(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement_get(slug=slug)
    return render(request, "signatures/embed_sent.html", {"statement": statement})


@no_store
def sent(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement_get(slug=slug)
    return render(
        request,
        "signatures/sent.html",
        {"statement": statement, "choice": statement_text_for(statement, request.LANGUAGE_CODE)},
    )


PROBLEM_STATUS = {"invalid": 404, "expired": 410, "used": 409}


@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET (and HEAD) only show the page: mail scanners open links. The button POSTs."""
    try:
        if request.method == "POST":
            try:
                signature_confirm(token=token)
            except SigningPaused:
                statement = signature_from_token(token).statement
                context = {"problem": "paused", "message": paused_reason(statement)}
                return _paused_response(
                    request, "signatures/confirm_problem.html", {**context, "statement": statement}
                )
            return redirect("signatures:confirm", token=token)
        signature = signature_from_token(token)
        signature_check_confirmable(signature)
    except TokenProblem as problem:
        signature = problem.signature
        if (
            request.method != "POST"
            and problem.code == "used"
            and signature is not None
            and signature.status in (Signature.Status.PUBLISHED, Signature.Status.IN_REVIEW)
        ):
            # Opening the link again (or landing here after the button) shows the outcome.
            return _thanks(request, signature)
        context = {"problem": problem.code, "statement": signature.statement if signature else None}
        return render(
            request, "signatures/confirm_problem.html", context, status=PROBLEM_STATUS[problem.code]
        )
    statement = signature.statement
    return render(
        request,
        "signatures/confirm.html",
        {
            "statement": statement,
            "signature": signature,
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
        },
    )


MANAGE_ACTIONS = {
    "withdraw": lambda token: signature_withdraw(token=token),
    "sign_again": lambda token: signature_sign_again(token=token),
    "hide": lambda token: signature_set_visibility(token=token, show_name=False),
    "show": lambda token: signature_set_visibility(token=token, show_name=True),
}

SIGN_AGAIN_PROBLEMS = {
    "late": gettext_lazy(
        "The time to undo the withdrawal has passed. You can sign again with the form on the "
        "statement's page: we will send you a new email."
    ),
    "closed": gettext_lazy("This statement no longer accepts signatures."),
    "taken": gettext_lazy(
        "This signature cannot be put back: a newer signature from the same address, or an "
        "organization of the same name, is on the list already."
    ),
}


@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The signer's own page, from the link in their email: withdraw (after a confirmation
    step, and undone with one button for a while), or change whether their name is shown.
    GET and HEAD change nothing; each change is a button (POST)."""
    done = problem = ""
    try:
        if request.method == "POST":
            action = request.POST.get("action", "")
            if action not in MANAGE_ACTIONS:
                return HttpResponseBadRequest(_("Unknown action."))
            try:
                signature = MANAGE_ACTIONS[action](token)
                done = action
            except SignAgainRefused as refused:
                signature = signature_from_token(token, purpose="manage")
                problem = str(SIGN_AGAIN_PROBLEMS[refused.code])
        else:
            signature = signature_from_token(token, purpose="manage")
    except SigningPaused:
        statement = signature_from_token(token, purpose="manage").statement
        return _paused_response(
            request,
            "signatures/confirm_problem.html",
            {"problem": "paused", "message": paused_reason(statement), "statement": statement},
        )
    except TokenProblem as problem_:
        if problem_.code == "used" and problem_.signature is not None:
            signature = problem_.signature
        else:
            return render(
                request,
                "signatures/confirm_problem.html",
                {"problem": "invalid", "statement": None},
                status=404,
            )
    statement = signature.statement
    can_change = signature.status in lifecycle.SIGNER_CAN_CHANGE
    return render(
        request,
        "signatures/manage.html",
        {
            **signed_text(signature),
            "statement": statement,
            "signature": signature,
            "done": done,
            "problem": problem,
            "withdrawn": signature.status == Signature.Status.WITHDRAWN,
            "sign_again_until": sign_again_until(signature),
            "sign_again_hours": settings.SIGN_AGAIN_HOURS,
            "can_change": can_change,
            # The confirmation step: a GET, so it works without JavaScript and changes nothing.
            "confirm_withdraw": can_change
            and request.method != "POST"
            and request.GET.get("step") == "withdraw",
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
        },
    )


def revision_diff(old: TextRevision, new: TextRevision) -> dict:
    """Title and body of two versions, word by word (core/textdiff.py). Revisions never change,
    so the result is kept (a public page computes it)."""

    def compute() -> dict:
        return {
            "title": word_diff(old.title, new.title)[0] if old.title or new.title else [],
            "body": word_diff(old.body, new.body),
        }

    return cache.get_or_set(f"textdiff:{old.pk}:{new.pk}", compute, DIFF_CACHE_SECONDS) or {}


DIFF_CACHE_SECONDS = 3600


def signed_text(signature: Signature) -> dict:
    """The exact text a signature signed, and what changed in it since (for the manage page)."""
    signed = revision_for(signature.statement, signature.text_language, signature.text_version)
    if signed is None:
        return {}
    current = signature.statement.texts.filter(language=signature.text_language).first()
    context: dict = {
        "signed": signed,
        "signed_html": markdown_to_safe_html(signed.body),
        "signed_direction": direction(signed.language),
    }
    if current is not None and current.version != signed.version:
        latest = revision_for(signature.statement, current.language, current.version)
        if latest is not None:
            context["since"] = revision_diff(signed, latest)
            context["current"] = latest
    return context


def direction(language: str) -> str:
    return "rtl" if language == "ar" else "ltr"


# How long the thank-you page tells a signer the list takes to show them: the refresh is a
# worker job (signatures.refresh_list) that runs within seconds unless the worker is behind.
LIST_UPDATE_SECONDS = 60


def share_links(statement: Statement, title: str) -> dict:
    """The statement's address, and links that share it (plain links: nothing is loaded from
    those sites until the reader follows one). Signal has no such link: its entry copies the
    address; Mastodon asks for the reader's own server (`share_mastodon`)."""
    url = settings.BASE_URL + reverse("signatures:statement", kwargs={"slug": statement.slug})
    text = f"{title} {url}"
    return {
        "url": url,
        "title": title,
        "slug": statement.slug,
        "links": [
            ("email", _("Email"), f"mailto:?subject={quote(title)}&body={quote(url)}"),
            ("whatsapp", "WhatsApp", f"https://wa.me/?text={quote(text)}"),
            (
                "telegram",
                "Telegram",
                f"https://t.me/share/url?url={quote(url)}&text={quote(title)}",
            ),
            ("x", "X", f"https://x.com/intent/post?text={quote(text)}"),
            ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={quote(url)}"),
            ("bluesky", "Bluesky", f"https://bsky.app/intent/compose?text={quote(text)}"),
        ],
    }


@require_http_methods(["GET", "HEAD"])
def share_card(request: HttpRequest, slug: str) -> FileResponse:
    """The statement's share card (og:image), 1200×630 PNG in the page's language."""
    statement = public_statement_get(slug=slug)
    path = card_path(statement, tally_for(statement), request.LANGUAGE_CODE)
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = f"public, max-age={REDRAW_SECONDS}"
    return response


def shorten(text: str, most: int) -> str:
    """`text` in at most `most` characters, cut between words with … when it is longer."""
    text = " ".join(text.split())
    if len(text) <= most:
        return text
    cut = text[: most - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def share_meta(statement: Statement, choice, language: str) -> dict:
    """OpenGraph and Twitter card values: title ≤ 70 characters, description ≤ 200."""
    title = choice.text.title if choice else statement.slug
    with translation.override(language):
        image = reverse("signatures:card", kwargs={"slug": statement.slug})
        url = reverse("signatures:statement", kwargs={"slug": statement.slug})
    return {
        "title": shorten(title, 70),
        "description": shorten(strip_tags(choice.text.body_html) if choice else "", 200),
        "image": settings.BASE_URL + image,
        "url": settings.BASE_URL + url,
        "locale": translation.to_locale(language),
    }


# A Mastodon server's host name: labels of letters, digits and hyphens, at least one dot.
_HOST = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@require_http_methods(["GET", "HEAD"])
def share_mastodon(request: HttpRequest, slug: str) -> HttpResponse:
    """Share on the reader's own Mastodon server: they type its name (e.g. mastodon.social),
    and are sent to its share page with the title and address filled in. Anything but a host
    name gets an error beside the field."""
    statement = public_statement_get(slug=slug)
    choice = statement_text_for(statement, request.LANGUAGE_CODE)
    share = share_links(statement, choice.text.title if choice else statement.slug)
    instance = request.GET.get("instance", "").strip().lower()
    instance = instance.removeprefix("https://").removeprefix("http://").rstrip("/")
    error = ""
    if "instance" in request.GET:
        if _HOST.match(instance):
            text = quote(f"{share['title']} {share['url']}")
            return HttpResponseRedirect(f"https://{instance}/share?text={text}")
        error = _("Write the name of your Mastodon server, such as mastodon.social.")
    return render(
        request,
        "signatures/share_mastodon.html",
        {"statement": statement, "share": share, "error": error, "instance": instance},
        status=400 if error else 200,
    )


def _thanks(request: HttpRequest, signature: Signature) -> HttpResponse:
    """After confirming: what happens to the signature now, honestly (counted already, being
    added by the next list refresh, or waiting for review), and what to do next."""
    statement = signature.statement
    choice = statement_text_for(statement, request.LANGUAGE_CODE)
    # Read fresh, not from the per-process copy: this page says whether the signer is counted.
    tally = ListTally.objects.filter(statement=statement).first() or ListTally(statement=statement)
    published = signature.status == Signature.Status.PUBLISHED
    counted = bool(
        published
        and tally.refreshed
        and signature.published_at
        and tally.refreshed >= signature.published_at
    )
    manage_token = make_token(
        purpose="manage", signature_id=signature.pk, nonce=signature.token_nonce
    )
    return render(
        request,
        "signatures/thanks.html",
        {
            "statement": statement,
            "signature": signature,
            # From the statement's rules, never from the signature's flags: a held-back
            # submission sees the same page as everyone else.
            "in_review": signature.kind == Signature.Kind.ORGANIZATION
            and statement.review_organizations,
            "counted": counted,
            "tally": tally,
            "update_seconds": LIST_UPDATE_SECONDS,
            "manage_url": reverse("signatures:manage", kwargs={"token": manage_token}),
            "share": share_links(statement, choice.text.title if choice else statement.slug),
            "choice": choice,
            "goal_percent": goal_percent(statement, tally),
        },
    )


def goal_percent(statement: Statement, tally: ListTally) -> int | None:
    return min(100, tally.total * 100 // statement.goal) if statement.goal else None


def public_list_context(statement: Statement, tally: ListTally | None = None) -> dict:
    """Counts and the first page of each public list, as the statement page shows them."""
    size = settings.LIST_PAGE_SIZE
    tally = tally or tally_for(statement)
    return {
        "tally": tally,
        "organizations": list_page(
            statement=statement, kind=Signature.Kind.ORGANIZATION, start=1, size=size
        ),
        "individuals": list_page(
            statement=statement, kind=Signature.Kind.INDIVIDUAL, start=1, size=size
        ),
        "goal_percent": goal_percent(statement, tally),
        "by_country": [(Country(code), orgs, people) for code, orgs, people in tally.countries()],
    }


# --- The public pages of statements: the open ones, and one with its text and lists ------


@public_cache
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    entries = []
    for statement in open_statements()[:50]:
        tally = tally_for(statement)
        entries.append(
            {
                "statement": statement,
                "choice": statement_text_for(statement, request.LANGUAGE_CODE),
                "tally": tally,
                "goal_percent": goal_percent(statement, tally),
            }
        )
    return render(request, "signatures/home.html", {"entries": entries})


@public_cache
@require_http_methods(["GET", "HEAD"])
def privacy(request: HttpRequest) -> HttpResponse:
    """What the platform keeps about signers, who sees it and for how long: written from this
    installation's settings, so it says what this server really does."""
    return render(
        request,
        "signatures/privacy.html",
        {
            "confirmation_hours": settings.CONFIRMATION_TTL_HOURS,
            "unconfirmed_days": settings.RETENTION_UNCONFIRMED_DAYS,
            "ip_days": settings.RETENTION_IP_DAYS,
            "contact_months": settings.RETENTION_CONTACT_MONTHS,
            "sign_again_hours": settings.SIGN_AGAIN_HOURS,
            "access_log": settings.ACCESS_LOG,
        },
    )


@public_cache
@require_http_methods(["GET", "HEAD"])
def statement_page(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement_get(slug=slug)
    tally = tally_for(statement)
    paused = paused_reason(statement)
    closed = {
        kind: paused or closed_reason(statement, kind) for kind in ("organization", "individual")
    }

    def render_page(extra: dict) -> str:
        choice = statement_text_for(statement, request.LANGUAGE_CODE)
        return render_to_string(
            "signatures/statement.html",
            {
                "statement": statement,
                "choice": choice,
                "changed_on": text_changed_on(statement, choice.text.language) if choice else None,
                "sign_kinds": [kind for kind, reason in closed.items() if not reason],
                "closed": all(closed.values()) and closed["individual"],
                "share": share_links(statement, choice.text.title if choice else statement.slug),
                "meta": share_meta(statement, choice, request.LANGUAGE_CODE),
                **public_list_context(statement, tally),
                **extra,
            },
            request,
        )

    # Counts and lists change only when the refresh job runs: one rendering per refresh.
    key = ("detail", request.LANGUAGE_CODE, tally.refreshed, *closed.values())
    return cached_page(request, key + statement_version_key(statement), render_page)


SEARCH_MAX_CHARS = 100


def search_text(request: HttpRequest) -> str:
    """The searched text: one line of printable characters (no NUL, which PostgreSQL refuses),
    at most SEARCH_MAX_CHARS."""
    text = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:SEARCH_MAX_CHARS]


def start_number(request: HttpRequest) -> int:
    raw = request.GET.get("from", "1")
    return ascii_int(raw, max_digits=9) or 1


@public_cache
@require_http_methods(["GET", "HEAD"])
def signatory_list(request: HttpRequest, slug: str, kinds: str) -> HttpResponse:
    """One public list, by number; organizations also A–Z, by country, or searched."""
    statement = public_statement_get(slug=slug)
    tally = tally_for(statement)
    start = start_number(request)
    organizations = kinds == "organizations"
    order = request.GET.get("order", "") if organizations else ""
    if order not in ORDERS:
        order = ""
    search = search_text(request) if organizations else ""
    after = ascii_int(request.GET.get("after", ""), max_digits=9)

    def render_page(extra: dict) -> str:
        context = {
            "statement": statement,
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
            "kinds": kinds,
            "tally": tally,
            "order": order,
            "search": search,
        }
        if order and not search:
            context["ordered"] = ordered_page(
                statement=statement, order=order, after=after, size=settings.LIST_PAGE_SIZE
            )
        else:
            context["page"] = list_page(
                statement=statement,
                kind=LIST_KINDS[kinds],
                start=start,
                size=settings.LIST_PAGE_SIZE,
                search=search,
            )
        return render_to_string("signatures/list.html", context, request)

    key = ("list", kinds, order, search, start, after, request.LANGUAGE_CODE, tally.refreshed)
    return cached_page(request, key + statement_version_key(statement), render_page)


# --- The public history of the texts --------------------------------------------------------


@public_cache
@require_http_methods(["GET", "HEAD"])
def history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public version of each language's text with its date, its note and the number of
    signatures it received; with `?from=&to=` (or only `to`: against the version before it),
    what changed between two versions of one language, word by word."""
    statement = public_statement_get(slug=slug)
    wanted = [ascii_int(request.GET.get(name, ""), max_digits=12) for name in ("from", "to")]
    revisions = public_revisions(statement)
    counts = signatures_by_version(statement)
    names = dict(settings.LANGUAGES)
    history_languages = []
    by_pk: dict[int, TextRevision] = {}
    for code, rows in revisions.items():
        versions = []
        for number, revision in enumerate(rows, start=1):
            by_pk[revision.pk] = revision
            revision.number = number  # type: ignore[attr-defined]
            versions.append(
                {
                    "revision": revision,
                    "number": number,
                    "previous": rows[number - 2] if number > 1 else None,
                    "signatures": counts.get((code, revision.version), 0),
                }
            )
        history_languages.append(
            {"code": code, "name": names.get(code, code), "versions": versions}
        )
    context: dict[str, object] = {
        "statement": statement,
        "choice": statement_text_for(statement, request.LANGUAGE_CODE),
        "history_languages": history_languages,
    }
    status = 200
    old_pk, new_pk = wanted
    if old_pk or new_pk or request.GET.get("to") or request.GET.get("from"):
        new = by_pk.get(new_pk or 0)
        old = by_pk.get(old_pk or 0)
        if new is not None and old is None and not request.GET.get("from"):
            rows = revisions[new.language]
            at = rows.index(new)
            old = rows[at - 1] if at else None
        if new is None or old is None or old.language != new.language or old is new:
            context["compare_problem"] = _(
                "These two versions cannot be compared: choose two versions of the same "
                "language from the list below."
            )
            status = 404
        else:
            context["compare"] = {
                "old": old,
                "new": new,
                "direction": direction(new.language),
                **revision_diff(old, new),
            }
    return render(request, "signatures/history.html", context, status=status)


# --- The draft's preview link: partners read the draft, and sign it as organizations ---------


def _unlisted(response: HttpResponse) -> HttpResponse:
    """A preview page: never indexed, never stored, and its address never sent to another site."""
    response["Cache-Control"] = NO_STORE
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # never to another site; a form still posts
    return response


def _preview_problem(request: HttpRequest) -> HttpResponse:
    return _unlisted(render(request, "signatures/preview_problem.html", status=404))


@require_http_methods(["GET", "HEAD", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The draft as its coordinators share it with partners before it opens. Organizations sign
    here with the same form, checks and email confirmation as on the public page; they are the
    initial signatories once it opens. Once public, the link leads to the public page."""
    try:
        statement = preview_statement(token)
    except PreviewProblem:
        return _preview_problem(request)
    kind = Signature.Kind.ORGANIZATION
    choice = statement_text_for(statement, request.LANGUAGE_CODE)
    context: dict = {"statement": statement, "choice": choice, "token": token, "kind": kind}
    if statement.is_public or choice is None:
        return _unlisted(render(request, "signatures/preview.html", context))
    closed = paused_reason(statement) or (
        "" if statement.accepts_kind(kind) else _("This statement is signed by individuals only.")
    )
    if closed:
        status = (503 if paused_reason(statement) else 403) if request.method == "POST" else 200
        return _unlisted(
            render(request, "signatures/preview.html", {**context, "closed": closed}, status=status)
        )
    asks_pow = statement.asks_proof_of_work
    context["pow_difficulty"] = settings.POW_DIFFICULTY if asks_pow else None
    if request.method != "POST":
        form = FORMS[kind](current_version=choice.text.version)
        page = render(request, "signatures/preview.html", {**context, "form": form})
        per_visitor = {RENDERED_SLOT: form_timestamp()}
        if asks_pow:
            per_visitor[CHALLENGE_SLOT] = challenge_issue(statement.pk)
        html = page.content.decode()
        for placeholder, value in per_visitor.items():
            html = html.replace(placeholder, value)
        page.content = html.encode()
        return _unlisted(page)
    form = FORMS[kind](
        request.POST,
        current_version=choice.text.version,
        pow_statement_id=statement.pk if asks_pow else None,
    )
    if form.is_valid():
        try:
            _submit(request, statement, form, kind=kind, text=choice.text, early=True)
        except (SigningClosed, SigningPaused):
            context["closed"] = paused_reason(statement) or _(
                "This draft no longer takes signatures: it has opened or closed."
            )
            return _unlisted(render(request, "signatures/preview.html", context, status=403))
        return _unlisted(redirect("signatures:preview_sent", token=token))
    return _unlisted(render(request, "signatures/preview.html", {**context, "form": form}))


@require_http_methods(["GET", "HEAD"])
def preview_sent(request: HttpRequest, token: str) -> HttpResponse:
    try:
        statement = preview_statement(token)
    except PreviewProblem:
        return _preview_problem(request)
    return _unlisted(
        render(
            request,
            "signatures/sent.html",
            {
                "statement": statement,
                "choice": statement_text_for(statement, request.LANGUAGE_CODE),
                "back_url": reverse("signatures:preview", kwargs={"token": token}),
                "initial": True,
            },
        )
    )
