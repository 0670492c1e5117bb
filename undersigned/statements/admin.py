from django import forms
from django.contrib import admin, messages

from undersigned.core.audit import log_action
from undersigned.core.recent import forget_on_commit
from undersigned.statements.models import Membership, Statement, StatementText
from undersigned.statements.selectors import owned_statements
from undersigned.statements.services import (
    change_note_required,
    membership_remove,
    membership_save,
    statement_set_paused,
    statement_set_state,
    statement_settings_save,
    statement_text_delete,
    statement_text_save,
    text_version,
)


class OwnedStatementsAdmin(admin.ModelAdmin):
    """The admin of rows that belong to a statement: a staff account sees, filters, picks and
    acts on only those of the statements it owns (`owned_statements`, the one selector for
    that); a superuser on all. `statement_field` is the path from the row to its statement."""

    statement_field = "statement"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        owned = owned_statements(request.user).values("pk")
        return queryset.filter(**{f"{self.statement_field}__in": owned})

    def get_list_filter(self, request):
        # Django's related-field filter offers every statement; this one only the listed rows'.
        return [
            (name, admin.RelatedOnlyFieldListFilter) if name == self.statement_field else name
            for name in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Statement:
            kwargs["queryset"] = owned_statements(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        had_owner = any(f.initial.get("role") == Membership.Role.OWNER for f in self.initial_forms)
        if had_owner and not any(d.get("role") == Membership.Role.OWNER for d in kept):
            raise forms.ValidationError("A statement keeps at least one owner.")


class MembershipInline(admin.TabularInline):
    """Who coordinates the statement, with which role: picked by a superuser only (the user
    list would show every account); owners invite co-workers from the workspace."""

    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_superuser
    )


class StatementTextForm(forms.ModelForm):
    """A text in the admin, with the change note a public text needs (as in the workspace)."""

    change_note = forms.CharField(
        max_length=300,
        required=False,
        help_text="Required when the statement is public and readers saw an earlier version.",
    )

    class Meta:
        model = StatementText
        fields = ["language", "title", "body"]

    def clean(self):
        data = super().clean()
        text = self.instance
        if (
            text.pk
            and {"title", "body"} & set(self.changed_data)
            and text_version(data.get("title", ""), data.get("body", "")) != text.version
            and change_note_required(text)
            and not " ".join(data.get("change_note", "").split())
        ):
            self.add_error("change_note", "The text is public: say what changed and why.")
        return data


class StatementTextInline(admin.StackedInline):
    model = StatementText
    form = StatementTextForm
    extra = 1
    fields = ["language", "title", "body", "change_note"]


def _set_state_action(state: str, label: str):
    def action(modeladmin, request, queryset):
        for statement in queryset:
            statement_set_state(statement=statement, state=state, user=request.user)
        modeladmin.message_user(request, f"{queryset.count()} statement(s) set to {state}.")

    action.__name__ = f"make_{state}"
    action.short_description = label
    return action


@admin.register(Statement)
class StatementAdmin(OwnedStatementsAdmin):
    list_display = [
        "slug",
        "reference",
        "state",
        "signers",
        "review_organizations",
        "goal",
        "opens_at",
        "closes_at",
        "created",
    ]
    list_filter = [
        "state",
        "signing_paused",
        "proof_of_work",
        "signers",
        "review_organizations",
        "default_language",
    ]
    search_fields = ["slug", "reference", "texts__title"]
    prepopulated_fields = {"slug": ["reference"]}
    inlines = [StatementTextInline, MembershipInline]
    actions = [
        "pause_signing",
        "resume_signing",
        _set_state_action("open", "Open the selected statements for signing"),
        _set_state_action("closed", "Close the selected statements"),
        _set_state_action("draft", "Return the selected statements to draft"),
    ]
    fieldsets = [
        (None, {"fields": ["slug", "reference", "state", "default_language"]}),
        (
            "Signing",
            {
                "fields": [
                    "signers",
                    "review_organizations",
                    "goal",
                    "opens_at",
                    "closes_at",
                    "proof_of_work",
                    "pow_surge_since",
                ]
            },
        ),
        ("About (public)", {"fields": ["organizer", "contact_email", "contact_url"]}),
    ]

    statement_field = "pk"

    def get_readonly_fields(self, request, obj=None):
        # Pausing goes through the actions, which audit it.
        return ["signing_paused", "pow_surge_since"]

    @admin.action(description="Pause signing on the selected statements (pages stay readable)")
    def pause_signing(self, request, queryset):
        for statement in queryset:
            statement_set_paused(statement=statement, paused=True, user=request.user)
        self.message_user(request, f"Signing paused on {queryset.count()} statement(s).")

    @admin.action(description="Resume signing on the selected statements")
    def resume_signing(self, request, queryset):
        for statement in queryset:
            statement_set_paused(statement=statement, paused=False, user=request.user)
        self.message_user(request, f"Signing resumed on {queryset.count()} statement(s).")

    def save_model(self, request, obj, form, change):
        # The same services and audit entries as the workspace: the state through
        # statement_set_state, any other field through statement_settings_save.
        others = [name for name in form.changed_data if name != "state"]
        if change and "state" in form.changed_data:
            new_state = obj.state
            obj.state = form.initial["state"]
            statement_settings_save(statement=obj, changed=others, user=request.user)
            statement_set_state(statement=obj, state=new_state, user=request.user)
        elif change:
            statement_settings_save(statement=obj, changed=others, user=request.user)
        else:
            super().save_model(request, obj, form, change)
        forget_on_commit()  # this process sees the change at once, others within a second
        if not change:
            log_action(obj, "statements.statement.created", user=request.user)
        if not change and not request.user.is_superuser:
            obj.owners.add(request.user)

    def save_formset(self, request, form, formset, change):
        # Texts and coordinators go through the same services, and audit entries, as the
        # workspace: texts are rendered, sanitized and versioned there.
        saved = formset.save(commit=False)
        notes = {
            id(f.instance): f.cleaned_data.get("change_note", "")
            for f in formset.forms
            if getattr(f, "cleaned_data", None)
        }
        for deleted in formset.deleted_objects:
            if isinstance(deleted, StatementText):
                statement_text_delete(text=deleted, user=request.user)
            elif isinstance(deleted, Membership):
                membership_remove(membership=deleted, user=request.user)
        for row in saved:
            if isinstance(row, StatementText):
                statement_text_save(text=row, user=request.user, note=notes.get(id(row), ""))
            elif isinstance(row, Membership):
                membership_save(membership=row, user=request.user)
        if formset.model is not StatementText:
            return
        if any(f.has_changed() for f in formset.forms) and form.instance.signatures.exists():
            messages.warning(
                request,
                "The text changed after people signed. Each signature keeps the version it signed.",
            )
