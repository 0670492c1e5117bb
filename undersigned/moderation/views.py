"""The owner's review page: signatures held back, with why, and probable duplicates."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from undersigned.core.http import no_store
from undersigned.core.numbers import ascii_int
from undersigned.moderation.forms import DuplicateDecisionForm, ReviewForm
from undersigned.moderation.selectors import (
    FLAG_LABELS,
    UNFLAGGED,
    open_suggestions,
    queue_flags,
    review_queue,
)
from undersigned.moderation.services import MergeRefused, duplicate_distinct, duplicate_merge
from undersigned.signatures.models import DuplicateSuggestion
from undersigned.signatures.services import signatures_approve, signatures_reject
from undersigned.statements.selectors import statement_for

MERGE_REFUSED = {
    "decided": gettext_lazy("This pair was decided already."),
    # One of the two was withdrawn, removed or merged meanwhile: nothing left to decide.
    "gone": gettext_lazy("One of these entries is no longer on the list."),
}


def _after(request: HttpRequest) -> int:
    raw = request.GET.get("after", "")
    return ascii_int(raw, max_digits=18) or 0


def _queue_url(slug: str, flag: str) -> str:
    url = reverse("moderation:queue", kwargs={"slug": slug})
    return f"{url}?{urlencode({'flag': flag})}" if flag else url


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(user=request.user, slug=slug, can="moderate")
    flag = request.GET.get("flag", "")
    if flag not in FLAG_LABELS and flag != UNFLAGGED:
        flag = ""
    form = ReviewForm(request.POST or None, statement=statement)
    if request.method == "POST" and form.is_valid():
        decide = (
            signatures_approve
            if form.cleaned_data["decision"] == "approve"
            else (signatures_reject)
        )
        chosen = form.cleaned_data["signatures"]
        done = decide(signatures=chosen, user=request.user, reason=form.cleaned_data["reason"])
        if form.cleaned_data["decision"] == "approve":
            text = ngettext(
                "%(n)d signature approved and published.",
                "%(n)d signatures approved and published.",
                done,
            )
        else:
            text = ngettext("%(n)d signature rejected.", "%(n)d signatures rejected.", done)
        messages.success(request, text % {"n": done})
        if done < len(chosen):
            messages.warning(
                request,
                _(
                    "%(n)d could not be changed: decided meanwhile, or (to approve) an "
                    "organization with the same name and country is listed already. Merge "
                    "those below instead."
                )
                % {"n": len(chosen) - done},
            )
        return redirect(_queue_url(slug, flag))
    waiting, next_after = review_queue(statement=statement, flag=flag, after=_after(request))
    ticked = {str(pk) for pk in request.POST.getlist("signatures")}
    return render(
        request,
        "moderation/queue.html",
        {
            "statement": statement,
            "form": form,
            "flags": queue_flags(statement),
            "flag": flag,
            "waiting": waiting,
            "ticked": ticked,
            "next_after": next_after,
            "suggestions": open_suggestions(statement),
        },
    )


@no_store
@login_required
@require_POST
def duplicate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    statement = statement_for(user=request.user, slug=slug, can="moderate")
    suggestion = (
        DuplicateSuggestion.objects.filter(statement=statement, pk=pk)
        .select_related("signature", "other")
        .first()
    )
    if suggestion is None:
        raise Http404("no such suggestion")
    form = DuplicateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to merge the two entries or to keep both."))
        return redirect("moderation:queue", slug=slug)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    keep = suggestion.signature if decision == "keep_first" else suggestion.other
    gone = suggestion.other if decision == "keep_first" else suggestion.signature
    try:
        if decision == "distinct":
            duplicate_distinct(suggestion=suggestion, user=request.user, reason=reason)
        else:
            kept = duplicate_merge(
                suggestion=suggestion, keep=keep, user=request.user, reason=reason
            )
    except MergeRefused as refused:
        # The service checks under its locks; a co-owner may have decided a moment before.
        messages.warning(request, MERGE_REFUSED[refused.reason])
        return redirect("moderation:queue", slug=slug)
    if decision == "distinct":
        messages.success(request, _("Both entries stay on the list as different organizations."))
    else:
        messages.success(
            request,
            _("Merged: «%(kept)s» stays on the list; «%(gone)s» is kept in the records only.")
            % {"kept": kept.name, "gone": gone.name},
        )
    return redirect("moderation:queue", slug=slug)
