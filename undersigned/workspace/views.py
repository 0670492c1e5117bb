"""The coordinators' workspace: their statements with what waits on each, and the entries of a
statement to find, correct or take off the list. Every page checks the user through
`statement_for` / `member_statements` with what the page needs (see Membership.CAN);
anybody else gets a 404."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from undersigned.api.models import ApiToken
from undersigned.api.tokens import token_create, token_revoke
from undersigned.core.audit import entries_for
from undersigned.core.http import no_store
from undersigned.core.numbers import ascii_int
from undersigned.core.sanitize import markdown_to_safe_html
from undersigned.deliveries.models import Delivery, Export, Milestone, Recipient
from undersigned.deliveries.posters import poster_pdf, qr_bytes, short_address
from undersigned.deliveries.sending import (
    delivery_confirm,
    delivery_create,
    delivery_discard,
    milestone_add,
    milestone_remove,
    recipient_retry,
)
from undersigned.deliveries.services import export_folder, export_request
from undersigned.moderation.selectors import waiting_counts
from undersigned.moderation.services import RestoreRefused, signature_remove, signature_restore
from undersigned.signatures import lifecycle
from undersigned.signatures.forms import EntryEditForm, EntryRemoveForm, EntryRestoreForm
from undersigned.signatures.models import Signature
from undersigned.signatures.selectors import (
    EDITABLE,
    ENTRY_STATES,
    owner_entries,
    signing_activity,
    tally_for,
)
from undersigned.signatures.services import (
    signature_edit,
    signature_set_initial,
    signers_notify_of_change,
)
from undersigned.signatures.views import LIST_KINDS, search_text, start_number
from undersigned.statements.models import (
    Invitation,
    Membership,
    Statement,
    StatementText,
)
from undersigned.statements.selectors import (
    capabilities,
    language_states,
    member_statements,
    open_checklist,
    revision_for,
    statement_for,
    statement_text_for,
    translation_rows,
)
from undersigned.statements.services import (
    ChangeNoteRequired,
    InvitationProblem,
    MembershipRefused,
    addressee_add,
    addressee_remove,
    change_note_required,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    membership_remove,
    preview_revoke,
    preview_rotate,
    preview_token,
    slug_suggest,
    statement_create,
    statement_set_paused,
    statement_set_state,
    statement_settings_save,
    statement_text_save,
)
from undersigned.textchecks.selectors import findings_for
from undersigned.textchecks.services import UnknownFinding, finding_acknowledge, open_findings
from undersigned.workspace.forms import (
    AddresseeForm,
    DeliveryForm,
    ExportForm,
    InviteForm,
    JoinForm,
    MilestoneForm,
    StatementCreateForm,
    StatementSettingsForm,
    TextForm,
    TokenForm,
)


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """The statements this user coordinates, in any role, with what waits for them on each."""
    user = cast(User, request.user)
    statements = list(member_statements(user)[:200])
    waiting = waiting_counts([s.pk for s in statements])
    activity = signing_activity([s.pk for s in statements])
    roles = dict(
        Membership.objects.filter(user=user, statement__in=statements).values_list(
            "statement_id", "role"
        )
    )
    entries = []
    for statement in statements:
        role = Membership.Role.OWNER if user.is_superuser else roles.get(statement.pk)
        entries.append(
            {
                "statement": statement,
                "choice": statement_text_for(statement, request.LANGUAGE_CODE),
                "tally": tally_for(statement),
                "in_review": waiting.get(statement.pk, (0, 0))[0],
                "duplicates": waiting.get(statement.pk, (0, 0))[1],
                "role": role,
                "role_label": Membership.Role(role).label if role else "",
                "can": Membership.CAN.get(role, set()) if role else set(),
                "activity": activity[statement.pk],
                "stale": [
                    item.name for item in language_states(statement) if item.state == "needs_update"
                ],
            }
        )
    return render(request, "workspace/dashboard.html", {"entries": entries})


# --- The owner's view of the entries: find one, correct it, or take it off the list ---------


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def entries(request: HttpRequest, slug: str) -> HttpResponse:
    """The statement's entries of one kind: the listed ones by number (the default), or those
    in one other state (in review, pending, removed, withdrawn, rejected, merged)."""
    statement = statement_for(user=cast(User, request.user), slug=slug, can="moderate")
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


# Entries an owner may list among the initial signatories: confirmed ones (imported entries
# are confirmed on import).
INITIAL_STATUSES = (Signature.Status.PUBLISHED, Signature.Status.IN_REVIEW)


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    statement = statement_for(user=cast(User, request.user), slug=slug, can="moderate")
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
    can_mark_initial = {"moderate", "settings"} <= capabilities(user, statement) and (
        signature.status in INITIAL_STATUSES
    )
    if can_mark_initial and action == "initial":
        initial_mark = request.POST.get("initial") == "1"
        signature_set_initial(signature=signature, initial=initial_mark, user=user)
        messages.success(
            request,
            _("It is listed among the initial signatories.")
            if initial_mark
            else _("It is no longer listed among the initial signatories."),
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
            "can_mark_initial": can_mark_initial,
            "signed_revision": revision_for(
                statement, signature.text_language, signature.text_version
            ),
        },
    )


# --- Coordinators of a statement: members and invitations ----------------------------------


def _posted_row(rows, request: HttpRequest, name: str):
    """The row of `rows` (already limited to one statement) whose id the form posted as
    `name`; None for a missing, foreign or malformed id."""
    return rows.filter(pk=ascii_int(request.POST.get(name, ""), max_digits=12) or 0).first()


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The statement's coordinators and their roles; an owner invites, revokes and removes."""
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="members")
    action = request.POST.get("action") if request.method == "POST" else None
    form = InviteForm(
        request.POST if action == "invite" else None,
        initial={"language": request.LANGUAGE_CODE},
    )
    if action == "invite" and form.is_valid():
        data = form.cleaned_data
        invitation_create(
            statement=statement,
            email=data["email"],
            role=data["role"],
            language=data["language"],
            user=user,
        )
        messages.success(request, _("The invitation is on its way to %(email)s.") % data)
        return redirect("workspace:members", slug=slug)
    if action == "revoke":
        invitation = _posted_row(
            Invitation.objects.filter(statement=statement), request, "invitation"
        )
        if invitation is not None:
            invitation_revoke(invitation=invitation, user=user)
            messages.success(request, _("The invitation was withdrawn: its link no longer works."))
        return redirect("workspace:members", slug=slug)
    if action == "remove":
        membership = _posted_row(
            Membership.objects.filter(statement=statement).select_related("statement"),
            request,
            "membership",
        )
        if membership is not None:
            try:
                membership_remove(membership=membership, user=user)
            except MembershipRefused:
                messages.error(request, _("A statement keeps at least one owner."))
            else:
                messages.success(request, _("The coordinator was removed from this statement."))
        return redirect("workspace:members", slug=slug)
    return render(
        request,
        "workspace/members.html",
        {
            "statement": statement,
            "form": form,
            "memberships": Membership.objects.filter(statement=statement)
            .select_related("user")
            .order_by("role", "user__username"),
            "invitations": Invitation.objects.filter(
                statement=statement, accepted__isnull=True, revoked__isnull=True
            ),
            "now": timezone.now(),
        },
    )


INVITATION_STATUS = {"invalid": 404, "expired": 410, "used": 409, "revoked": 410}


@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens. GET shows it; joining is a button (POST): with the
    account the person is signed in with, or with a new one made here."""
    try:
        found = invitation_from_token(token)
    except InvitationProblem as problem:
        return render(
            request,
            "workspace/invitation_problem.html",
            {"problem": problem.code},
            status=INVITATION_STATUS[problem.code],
        )
    signed_in = request.user.is_authenticated
    action = request.POST.get("action") if request.method == "POST" else None
    join_form = JoinForm(request.POST if action == "create" and not signed_in else None)
    user = None
    if action == "join" and signed_in:
        user = cast(User, request.user)
    elif action == "create" and not signed_in and join_form.is_valid():
        with transaction.atomic():
            user = join_form.save(commit=False)
            user.email = found.email
            user.save()
    if user is not None:
        try:
            invitation_accept(token=token, user=user)
        except InvitationProblem as problem:  # used or revoked meanwhile
            return render(
                request,
                "workspace/invitation_problem.html",
                {"problem": problem.code},
                status=INVITATION_STATUS[problem.code],
            )
        if not signed_in:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome: you now coordinate this statement."))
        return redirect("workspace:dashboard")
    texts = {t.language: t for t in found.statement.texts.all()}
    text = texts.get(request.LANGUAGE_CODE) or texts.get(found.statement.default_language)
    return render(
        request,
        "workspace/invitation.html",
        {
            "invitation": found,
            "title": text.title if text else found.statement.slug,
            "join_form": join_form,
            "signed_in": signed_in,
            "login_next": request.path,
        },
    )


# --- Statements: create, settings, state, texts --------------------------------------------


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def statement_new(request: HttpRequest) -> HttpResponse:
    """Any coordinator creates a statement (a draft) and becomes its owner."""
    user = cast(User, request.user)
    form = StatementCreateForm(
        request.POST if request.method == "POST" else None,
        initial={"default_language": request.LANGUAGE_CODE, "time_zone": "UTC"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in StatementSettingsForm.Meta.fields if name != "slug"}
        slug = data["slug"] or slug_suggest(data["title"])
        try:
            with transaction.atomic():
                statement = statement_create(
                    slug=slug,
                    texts={data["default_language"]: (data["title"], "")},
                    user=user,
                    owner=user,
                    state=Statement.State.DRAFT,
                    **fields,
                )
        except (IntegrityError, ValidationError):  # the slug was taken meanwhile
            form.add_error("slug", _("Another statement has this address. Choose another one."))
        else:
            messages.success(request, _("The statement is created as a draft. Write its text now."))
            return redirect(
                "workspace:text", slug=statement.slug, language=statement.default_language
            )
    return render(request, "workspace/statement_new.html", {"form": form})


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def statement_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """One statement for its coordinators: its languages, its state and what opening needs.
    Changing the state needs the settings right (owners and editors)."""
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can=None)
    mine = capabilities(user, statement)
    allowed = "settings" in mine
    action = request.POST.get("action", "") if request.method == "POST" else ""
    problems = open_checklist(statement)
    if action and not allowed:
        raise Http404("not allowed")
    unresolved = open_findings(statement) if statement.state == Statement.State.DRAFT else []
    if action == "open":
        if problems:
            messages.error(request, _("The statement cannot open yet: see the checklist."))
        elif unresolved and request.POST.get("confirm") != "yes":
            return render(
                request,
                "workspace/statement.html",
                {
                    **_overview_context(request, statement, problems, allowed, mine),
                    "unresolved": unresolved,
                    "confirm_open": True,
                },
            )
        else:
            statement_set_state(statement=statement, state=Statement.State.OPEN, user=user)
            messages.success(request, _("The statement is open for signatures."))
        return redirect("workspace:statement", slug=slug)
    if action in ("close", "draft"):
        state = Statement.State.CLOSED if action == "close" else Statement.State.DRAFT
        statement_set_state(statement=statement, state=state, user=user)
        messages.success(
            request,
            _("Done: the statement is now %(state)s.") % {"state": Statement.State(state).label},
        )
        return redirect("workspace:statement", slug=slug)
    if action in ("pause", "resume"):
        statement_set_paused(statement=statement, paused=action == "pause", user=user)
        return redirect("workspace:statement", slug=slug)
    if action == "preview_rotate":
        had = bool(statement.preview_nonce)
        preview_rotate(statement=statement, user=user)
        messages.success(
            request,
            _("A new preview link is ready. The old one no longer works.")
            if had
            else _("The preview link is ready. Send it to the partners you trust."),
        )
        return redirect("workspace:statement", slug=slug)
    if action == "preview_revoke":
        preview_revoke(statement=statement, user=user)
        messages.success(request, _("The preview link is withdrawn: it shows nothing now."))
        return redirect("workspace:statement", slug=slug)
    return render(
        request,
        "workspace/statement.html",
        {
            **_overview_context(request, statement, problems, allowed, mine),
            "unresolved": unresolved,
        },
    )


def _overview_context(request, statement, problems, allowed, mine) -> dict:
    token = preview_token(statement)
    return {
        "preview_url": settings.BASE_URL + reverse("signatures:preview", kwargs={"token": token})
        if token and allowed
        else "",
        "statement": statement,
        "choice": statement_text_for(statement, request.LANGUAGE_CODE),
        "language_rows": language_states(statement),
        "problems": problems,
        "can_settings": allowed,
        "can_texts": "texts" in mine,
        "can_members": "members" in mine,
    }


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def statement_settings(request: HttpRequest, slug: str) -> HttpResponse:
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="settings")
    form = StatementSettingsForm(
        request.POST if request.method == "POST" else None, instance=statement
    )
    if request.method == "POST" and form.is_valid():
        statement_settings_save(statement=form.instance, changed=form.changed_data, user=user)
        messages.success(request, _("The settings are saved."))
        return redirect("workspace:statement", slug=form.instance.slug)
    return render(request, "workspace/settings.html", {"statement": statement, "form": form})


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def text_edit(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """One language's title and body: written in Markdown, previewed as the sanitized HTML the
    public page will show (rendered here, so it works without JavaScript), then saved."""
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="texts")
    names = dict(settings.LANGUAGES)
    if language not in names:
        raise Http404("no such language")
    text = statement.texts.filter(language=language).first()
    initial = {"title": text.title, "body": text.body} if text else {}
    form = TextForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        language=language,
        max_chars=settings.TEXT_MAX_CHARS,
        public=statement.is_public,
        current=text.version if text else "",
        note_required=text is not None and change_note_required(text),
    )
    preview = ""
    findings = findings_for(statement, language) if text else []
    if request.method == "POST" and request.POST.get("action") == "acknowledge":
        response = _acknowledge(request, statement, findings)
        if response is not None:
            return response
        form = TextForm(initial=initial, language=language, max_chars=settings.TEXT_MAX_CHARS,
                        public=statement.is_public)  # fmt: skip
        preview = text.body_html if text else ""
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            text = text or StatementText(statement=statement, language=language)
            text.title, text.body = data["title"], data["body"]
            try:
                with transaction.atomic():
                    statement_text_save(text=text, user=user, note=data.get("note", ""))
                    revision = text.revision  # type: ignore[attr-defined]
                    notify = data.get("notify") and revision.public_since and revision.note
                    if notify:
                        signers_notify_of_change(revision=revision, user=user)
            except ChangeNoteRequired:
                form.add_error(
                    "note",
                    _("Write a short note: the text is public, and readers see what changed."),
                )
            else:
                messages.success(
                    request, _("The %(language)s text is saved.") % {"language": names[language]}
                )
                if notify:
                    messages.success(
                        request,
                        _("The people who signed an earlier version are being told by email."),
                    )
                return redirect("workspace:text", slug=slug, language=language)
        if form.is_valid():
            preview = markdown_to_safe_html(data["body"])
    elif text and request.method != "POST":
        preview = text.body_html
    return render(
        request,
        "workspace/text.html",
        {
            "statement": statement,
            "form": form,
            "language": language,
            "language_name": names[language],
            "direction": "rtl" if language == "ar" else "ltr",
            "preview": preview,
            "preview_title": form.data.get("title") if form.is_bound else initial.get("title"),
            "others": [(code, name) for code, name in settings.LANGUAGES if code != language],
            "source_language": names[statement.default_language],
            "rows": translation_rows(statement, language)
            if language != statement.default_language
            else [],
            "findings": findings,
            "open_count": sum(1 for item in findings if item.acknowledgment is None),
            "can_acknowledge": True,
        },
    )


def _acknowledge(request: HttpRequest, statement: Statement, findings: list) -> HttpResponse | None:
    """Acknowledge the posted finding with its reason; None (the page again, with the error
    beside the reason) when the reason is missing."""
    index = ascii_int(request.POST.get("finding", ""), max_digits=4) or 0
    if not 0 < index <= len(findings):
        messages.error(request, _("This finding is no longer in the text."))
        return redirect(request.path)
    item = findings[index - 1]
    reason = " ".join(request.POST.get("reason", "").split())[:300]
    if not reason:
        item.error = _("Say why the text is right as it is.")
        return None
    try:
        finding_acknowledge(
            statement=statement,
            language=item.finding.language,
            kind=item.finding.kind,
            excerpt=item.finding.excerpt,
            reason=reason,
            user=cast(User, request.user),
        )
    except UnknownFinding:
        messages.error(request, _("This finding is no longer in the text."))
    else:
        messages.success(request, _("The finding is acknowledged."))
    return redirect(request.path + "#check-heading")


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def addressees(request: HttpRequest, slug: str) -> HttpResponse:
    """Who the statement is addressed to (owners and editors): add one, or remove one."""
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="settings")
    action = request.POST.get("action") if request.method == "POST" else None
    form = AddresseeForm(
        request.POST if action == "add" else None,
        initial={"language": statement.default_language},
    )
    if action == "add" and form.is_valid():
        addressee_add(statement=statement, user=user, **form.cleaned_data)
        messages.success(request, _("The addressee is added."))
        return redirect("workspace:addressees", slug=slug)
    if action == "remove":
        addressee = _posted_row(statement.addressees.all(), request, "addressee")
        if addressee is not None:
            addressee_remove(addressee=addressee, user=user)
            messages.success(request, _("The addressee is removed."))
        return redirect("workspace:addressees", slug=slug)
    return render(
        request,
        "workspace/addressees.html",
        {"statement": statement, "form": form, "addressees": statement.addressees.all()},
    )


# --- Exports: owners only (the owner scope holds contact persons) ---------------------------


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def export(request: HttpRequest, slug: str) -> HttpResponse:
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="members")
    form = ExportForm(
        request.POST if request.method == "POST" else None,
        initial={"language": statement.default_language},
        statement_languages=tuple(
            statement.texts.order_by("language").values_list("language", flat=True)
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export_request(
            statement=statement, fmt=data["format"], scope=data["scope"],
            language=data["language"], bom=data["bom"], user=user, paper=data["paper"],
            texts=data["texts"],
        )  # fmt: skip
        messages.success(request, _("The export is being made: it appears below when ready."))
        return redirect("workspace:export", slug=slug)
    exports = list(Export.objects.filter(statement=statement).select_related("statement")[:20])
    return render(
        request,
        "workspace/export.html",
        {
            "statement": statement,
            "form": form,
            "exports": exports,
            "pending": any(
                e.status in (Export.Status.QUEUED, Export.Status.RUNNING) for e in exports
            ),
        },
    )


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def export_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """An export's file, or (?manifest=1) its signed manifest, as a download."""
    statement = statement_for(user=cast(User, request.user), slug=slug, can="members")
    export = Export.objects.filter(statement=statement, pk=pk, status=Export.Status.DONE).first()
    if export is None:
        raise Http404("no such export")
    name = export.file_name + (".manifest.json" if request.GET.get("manifest") else "")
    path = export_folder(export) / name
    if not path.is_file():
        raise Http404("the file is gone")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


# --- Delivery to the addressees: owners only ------------------------------------------------


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def deliver(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the statement to chosen addressees, each in a language; follow each recipient's
    email, retry the failed ones; confirm what a milestone prepared; set milestones."""
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="members")
    action = request.POST.get("action") if request.method == "POST" else None
    languages = tuple(statement.texts.order_by("language").values_list("language", flat=True))
    with_email = statement.addressees.exclude(email="").order_by("id")
    form = DeliveryForm(request.POST if action == "send" else None, addressees=with_email,
                        languages=languages or (statement.default_language,))  # fmt: skip
    milestone_form = MilestoneForm(
        request.POST if action == "milestone" else None, initial={"signatures": statement.goal}
    )
    deliveries = Delivery.objects.filter(statement=statement)
    if action == "send" and form.is_valid():
        delivery_create(statement=statement, user=user, recipients=form.chosen(),
                        public_names=form.cleaned_data["public_names"])  # fmt: skip
        messages.success(request, _("The statement is being delivered: follow each email below."))
        return redirect("workspace:deliver", slug=slug)
    if action == "milestone" and milestone_form.is_valid():
        milestone_add(statement=statement, user=user,
                      signatures=milestone_form.cleaned_data["signatures"])  # fmt: skip
        messages.success(request, _("The milestone is set."))
        return redirect("workspace:deliver", slug=slug)
    if action == "milestone_remove":
        milestone = _posted_row(Milestone.objects.filter(statement=statement), request, "milestone")
        if milestone is not None:
            milestone_remove(milestone=milestone, user=user)
            messages.success(request, _("The milestone is removed."))
        return redirect("workspace:deliver", slug=slug)
    if action in ("confirm", "discard"):
        delivery = _posted_row(deliveries, request, "delivery")
        if delivery is not None and action == "confirm":
            delivery_confirm(delivery=delivery, user=user)
            messages.success(request, _("The statement is being delivered."))
        elif delivery is not None:
            delivery_discard(delivery=delivery, user=user)
            messages.success(request, _("The prepared delivery is discarded."))
        return redirect("workspace:deliver", slug=slug)
    if action == "retry":
        recipient = _posted_row(Recipient.objects.filter(delivery__statement=statement), request,
                                "recipient")  # fmt: skip
        if recipient is not None and recipient_retry(recipient=recipient, user=user):
            messages.success(request, _("The email is sent again."))
        return redirect("workspace:deliver", slug=slug)
    shown = list(deliveries.prefetch_related("recipients")[:20])
    return render(
        request,
        "workspace/deliver.html",
        {
            "statement": statement,
            "form": form,
            "milestone_form": milestone_form,
            "without_email": statement.addressees.filter(email=""),
            "deliveries": shown,
            "pending": any(
                d.status in (Delivery.Status.PREPARING, Delivery.Status.SENDING) for d in shown
            ),
            "milestones": Milestone.objects.filter(statement=statement),
        },
    )


# --- Print material: QR codes and posters (every coordinator) ------------------------------


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def share_material(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(user=cast(User, request.user), slug=slug, can=None)
    names = dict(settings.LANGUAGES)
    # (Not "languages": base.html names the site's languages so.)
    material = [
        {
            "code": t.language,
            "name": names[t.language],
            "address": short_address(statement, t.language),
            "snippet": embed_snippet(statement, t.language, t.title),
        }
        for t in statement.texts.order_by("language")
    ]
    return render(request, "workspace/share.html", {"statement": statement, "material": material})


def embed_snippet(statement, language: str, title: str) -> str:
    """What a partner pastes into their page: the frame, and the optional script that fits its
    height to the content."""
    with translation.override(language):
        frame = settings.BASE_URL + reverse("signatures:embed", kwargs={"slug": statement.slug})
    script = settings.BASE_URL + static("undersigned/embed.js")
    return format_html(
        '<iframe src="{}" title="{}" style="width:100%;max-width:40rem;height:24rem;border:0" '
        'loading="lazy"></iframe>\n<script src="{}" async></script>',
        frame, title, script,
    )  # fmt: skip


MATERIAL = {
    "svg": ("image/svg+xml", lambda s, lang: qr_bytes(s, lang, "svg")),
    "png": ("image/png", lambda s, lang: qr_bytes(s, lang, "png")),
    "pdf": ("application/pdf", poster_pdf),
}


@no_store
@login_required
@require_http_methods(["GET", "HEAD"])
def share_file(request: HttpRequest, slug: str, language: str, fmt: str) -> HttpResponse:
    """A QR code (SVG or PNG) or the A4 poster (PDF) of the statement in one of its languages."""
    statement = statement_for(user=cast(User, request.user), slug=slug, can=None)
    if fmt not in MATERIAL or not statement.texts.filter(language=language).exists():
        raise Http404("no such file")
    content_type, make = MATERIAL[fmt]
    name = f"{statement.slug}-{language}-{'poster' if fmt == 'pdf' else 'qr'}.{fmt}"
    response = HttpResponse(make(statement, language), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Owner API tokens ----------------------------------------------------------------------


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners make tokens for their own tools (the secret is shown once), and revoke them."""
    user = cast(User, request.user)
    statement = statement_for(user=user, slug=slug, can="members")
    action = request.POST.get("action") if request.method == "POST" else None
    form = TokenForm(request.POST if action == "create" else None)
    secret = None
    if action == "create" and form.is_valid():
        _token, secret = token_create(statement=statement, user=user,
                                      name=form.cleaned_data["name"],
                                      scopes=form.cleaned_data["scopes"])  # fmt: skip
        form = TokenForm()
    if action == "revoke":
        token = _posted_row(ApiToken.objects.filter(statement=statement), request, "token")
        if token is not None:
            token_revoke(token=token, user=user)
            messages.success(request, _("The token is revoked: it no longer works."))
        return redirect("workspace:tokens", slug=slug)
    return render(
        request,
        "workspace/tokens.html",
        {
            "statement": statement,
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(statement=statement),
        },
    )
