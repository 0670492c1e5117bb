from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from undersigned.core.http import no_store, public_cache
from undersigned.core.pagecache import cached_page
from undersigned.moderation.selectors import waiting_counts
from undersigned.signatures.selectors import tally_for
from undersigned.signatures.views import closed_reason, paused_reason, public_list_context
from undersigned.statements.selectors import (
    open_statements,
    owned_statements,
    public_statement_get,
    statement_text_for,
    statement_version_key,
)


@public_cache
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    entries = [
        {
            "statement": statement,
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
            "tally": tally_for(statement),
        }
        for statement in open_statements()[:50]
    ]
    return render(request, "statements/home.html", {"entries": entries})


@public_cache
@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = public_statement_get(slug=slug)
    tally = tally_for(statement)
    paused = paused_reason(statement)
    closed = {
        kind: paused or closed_reason(statement, kind) for kind in ("organization", "individual")
    }

    def render_page(extra: dict) -> str:
        return render_to_string(
            "statements/detail.html",
            {
                "statement": statement,
                "choice": statement_text_for(statement, request.LANGUAGE_CODE),
                "sign_kinds": [kind for kind, reason in closed.items() if not reason],
                "closed": all(closed.values()) and closed["individual"],
                **public_list_context(statement, tally),
                **extra,
            },
            request,
        )

    # Counts and lists change only when the refresh job runs: one rendering per refresh.
    key = ("detail", request.LANGUAGE_CODE, tally.refreshed, *closed.values())
    return cached_page(request, key + statement_version_key(statement), render_page)


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """The statements this user coordinates, with what waits for them on each."""
    statements = list(owned_statements(request.user)[:200])
    waiting = waiting_counts([s.pk for s in statements])
    entries = [
        {
            "statement": statement,
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
            "tally": tally_for(statement),
            "in_review": waiting.get(statement.pk, (0, 0))[0],
            "duplicates": waiting.get(statement.pk, (0, 0))[1],
        }
        for statement in statements
    ]
    return render(request, "statements/dashboard.html", {"entries": entries})
