from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from undersigned.core.http import public_cache
from undersigned.signatures.selectors import tally_for
from undersigned.signatures.views import closed_reason, public_list_context
from undersigned.statements.selectors import (
    open_statements,
    public_statement_get,
    statement_text_for,
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
    return render(
        request,
        "statements/detail.html",
        {
            "statement": statement,
            "choice": statement_text_for(statement, request.LANGUAGE_CODE),
            "sign_kinds": [
                kind
                for kind in ("organization", "individual")
                if not closed_reason(statement, kind)
            ],
            "closed": closed_reason(statement, "individual")
            and closed_reason(statement, "organization"),
            **public_list_context(statement),
        },
    )
