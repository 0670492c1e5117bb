"""The coordinators' workspace: their statements with what waits on each, and the entries of a
statement to find, correct or take off the list. Every page checks the user through
`owned_statement_get` / `owned_statements`; anybody else gets a 404."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from undersigned.core.audit import entries_for
from undersigned.core.http import no_store
from undersigned.core.numbers import ascii_int
from undersigned.moderation.selectors import waiting_counts
from undersigned.moderation.services import RestoreRefused, signature_remove, signature_restore
from undersigned.signatures import lifecycle
from undersigned.signatures.forms import EntryEditForm, EntryRemoveForm, EntryRestoreForm
from undersigned.signatures.models import Signature
from undersigned.signatures.selectors import EDITABLE, ENTRY_STATES, owner_entries, tally_for
from undersigned.signatures.services import signature_edit
from undersigned.signatures.views import LIST_KINDS, search_text, start_number
from undersigned.statements.selectors import (
    owned_statement_get,
    owned_statements,
    statement_text_for,
)


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
    return render(request, "workspace/dashboard.html", {"entries": entries})


# --- The owner's view of the entries: find one, correct it, or take it off the list ---------


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def entries(request: HttpRequest, slug: str) -> HttpResponse:
    """The statement's entries of one kind: the listed ones by number (the default), or those
    in one other state (in review, pending, removed, withdrawn, rejected, merged)."""
    statement = owned_statement_get(user=cast(User, request.user), slug=slug)
    kinds = request.GET.get("kinds", "organizations")
    kinds = kinds if kinds in LIST_KINDS else "organizations"
    state = request.GET.get("state", "listed")
    state = state if state in ENTRY_STATES else "listed"
    search = search_text(request)
    size = settings.LIST_PAGE_SIZE
    found = owner_entries(
        statement=statement,
        kind=LIST_KINDS[kinds],
        state=state,
        search=search,
        start=start_number(request),
        after=ascii_int(request.GET.get("after", ""), max_digits=12) or 0,
        size=size + 1,
    )
    more = len(found) > size and not search
    shown = found[:size]
    next_query = ""
    if more and state == "listed":
        next_query = f"from={(shown[-1].position or 0) + 1}"
    elif more:
        next_query = f"after={shown[-1].pk}"
    return render(
        request,
        "workspace/entries.html",
        {
            "statement": statement,
            "kinds": kinds,
            "state": state,
            "states": [(code, label) for code, label in ENTRY_STATES.items()],
            "search": search,
            "entries": shown,
            "next_query": next_query,
        },
    )


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    statement = owned_statement_get(user=cast(User, request.user), slug=slug)
    signature = Signature.objects.filter(statement=statement, pk=pk).first()
    if signature is None:
        raise Http404("no such entry")
    editable = signature.status in EDITABLE
    restorable = lifecycle.can("restore", signature.status)
    initial = {f: getattr(signature, f) for f in ("name", "acronym", "affiliation")}
    initial["country"] = signature.country.code
    action = request.POST.get("action") if request.method == "POST" else None
    # The other forms have their own prefix: their fields (all have a reason) keep distinct ids.
    edit = EntryEditForm(request.POST if action == "edit" else None, initial=initial)
    remove = EntryRemoveForm(request.POST if action == "remove" else None, prefix="remove")
    restore = EntryRestoreForm(request.POST if action == "restore" else None, prefix="restore")
    user = cast(User, request.user)
    if editable and action == "edit" and edit.is_valid():
        data = edit.cleaned_data
        try:
            signature_edit(
                signature=signature,
                user=user,
                reason=data["reason"],
                name=data["name"],
                acronym=data["acronym"],
                country=data["country"],
                affiliation=data["affiliation"],
            )
        except IntegrityError:
            edit.add_error(
                "name",
                _("An organization with this name and country is on the list already."),
            )
        else:
            messages.success(request, _("The entry was corrected."))
            return redirect("workspace:entry", slug=slug, pk=pk)
    if editable and action == "remove" and remove.is_valid():
        signature_remove(signature=signature, user=user, reason=remove.cleaned_data["reason"])
        messages.success(
            request,
            _("The entry was taken off the list. It is kept, and you can put it back below."),
        )
        return redirect("workspace:entry", slug=slug, pk=pk)
    if restorable and action == "restore" and restore.is_valid():
        try:
            signature_restore(signature=signature, user=user, reason=restore.cleaned_data["reason"])
        except RestoreRefused as refused:
            if refused.code == "taken":
                restore.add_error(
                    None,
                    _(
                        "An organization with this name and country is on the list now. "
                        "Merge the two in the review instead."
                    ),
                )
            else:
                restore.add_error(None, _("This entry is no longer removed."))
        else:
            messages.success(request, _("The entry is back as it was before its removal."))
            return redirect("workspace:entry", slug=slug, pk=pk)
    return render(
        request,
        "workspace/entry.html",
        {
            "statement": statement,
            "signature": signature,
            "editable": editable,
            "restorable": restorable,
            "edit": edit,
            "remove": remove,
            "restore": restore,
            "history": entries_for(signature).select_related("actor")[:50],
        },
    )
