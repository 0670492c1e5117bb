"""The owner's import page: paste or upload a list, correct the preview, import."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries

from undersigned.core.http import no_store
from undersigned.imports.forms import ImportMetaForm, ListSourceForm, entry_formset
from undersigned.imports.models import ImportBatch
from undersigned.imports.selectors import preview_rows, unpublished_imports
from undersigned.imports.services import ImportRefused, import_batch_publish, signatures_import
from undersigned.statements.models import Statement
from undersigned.statements.selectors import statement_for


def _preview(request: HttpRequest, statement: Statement, formset, meta, **context) -> HttpResponse:
    return render(
        request,
        "imports/preview.html",
        {
            "statement": statement,
            "formset": formset,
            "meta": meta,
            "country_names": list(countries),
            **context,
        },
    )


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Step one: the list. Sent, it becomes the preview; nothing is stored yet."""
    statement = statement_for(user=request.user, slug=slug, can="moderate")
    form = ListSourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        parsed = form.parsed
        rows = preview_rows(statement, parsed, form.cleaned_data["country"])
        meta = ImportMetaForm(
            initial={"source_name": form.cleaned_data["source_name"], "encoding": parsed.encoding}
        )
        return _preview(
            request,
            statement,
            entry_formset(initial=rows),
            meta,
            summary=True,
            warnings=parsed.warnings(),
            encoding=parsed.encoding,
            to_check=sum(1 for row in rows if row["notes"]),
        )
    return render(
        request,
        "imports/start.html",
        {"statement": statement, "form": form, "held": unpublished_imports(statement)},
    )


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Step two: the corrected preview. Every ticked row is imported, or none."""
    statement = statement_for(user=request.user, slug=slug, can="moderate")
    if request.method != "POST":
        return redirect("imports:start", slug=slug)
    formset = entry_formset(data=request.POST)
    meta = ImportMetaForm(request.POST)
    if not (formset.is_valid() and meta.is_valid()):
        return _preview(request, statement, formset, meta)
    chosen = formset.entries()
    try:
        batch = signatures_import(
            statement=statement,
            entries=[entry for _row, entry in chosen],
            user=cast(User, request.user),  # login_required
            source_name=meta.cleaned_data["source_name"],
            encoding=meta.cleaned_data["encoding"],
            publish=meta.cleaned_data["publish"] == "now",
        )
    except ImportRefused as refused:
        if refused.entry is not None:
            formset.forms[chosen[refused.entry][0]].add_error("name", str(refused))
        return _preview(request, statement, formset, meta, problem=str(refused))
    if batch.published_at is None:
        messages.success(
            request,
            ngettext(
                "%(n)d entry imported (import #%(batch)d), kept off the public list until you "
                "publish the import.",
                "%(n)d entries imported (import #%(batch)d), kept off the public list until you "
                "publish the import.",
                batch.count,
            )
            % {"n": batch.count, "batch": batch.pk},
        )
        return redirect("imports:start", slug=slug)
    messages.success(
        request,
        ngettext(
            "%(n)d entry imported (import #%(batch)d). The public list shows it within a minute.",
            "%(n)d entries imported (import #%(batch)d). The public list shows them within a "
            "minute.",
            batch.count,
        )
        % {"n": batch.count, "batch": batch.pk},
    )
    return redirect("moderation:queue", slug=slug)


@no_store
@login_required
@require_POST
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Put an import that was kept off the list on it."""
    statement = statement_for(user=request.user, slug=slug, can="moderate")
    batch = get_object_or_404(ImportBatch, statement=statement, pk=pk)
    count = import_batch_publish(batch=batch, user=cast(User, request.user))
    messages.success(
        request,
        ngettext(
            "Import #%(batch)d is published: %(n)d entry goes on the public list within a minute.",
            "Import #%(batch)d is published: %(n)d entries go on the public list within a minute.",
            count,
        )
        % {"n": count, "batch": batch.pk},
    )
    return redirect("imports:start", slug=slug)
