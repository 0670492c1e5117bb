from django.contrib import admin

from undersigned.core.admin import RecordAdmin, SuperuserOnly
from undersigned.signatures.models import ListTally, Signature, Submission
from undersigned.signatures.services import signatures_approve, signatures_reject
from undersigned.statements.admin import OwnedStatementsAdmin


@admin.register(Signature)
class SignatureAdmin(OwnedStatementsAdmin):
    """Signatures are evidence: the admin shows them and acts on them through services, but
    never edits or deletes them directly."""

    list_display = [
        "id",
        "name",
        "acronym",
        "kind",
        "country",
        "status",
        "statement",
        "created",
        "confirmed_at",
        "position",
        "flags",
    ]
    list_filter = ["status", "kind", "statement", "show_name", "flags", "country"]
    search_fields = ["name", "acronym", "email_normalized", "contact_name"]
    list_select_related = ["statement"]
    date_hierarchy = "created"
    actions = ["approve", "reject"]
    exclude = ["token_nonce"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Signature._meta.fields if f.name != "token_nonce"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Approve the selected signatures (in review → published)")
    def approve(self, request, queryset):
        done = signatures_approve(
            signatures=queryset, user=request.user, reason="approved in the admin"
        )
        self.message_user(request, f"{done} signature(s) approved and published.")

    @admin.action(description="Reject the selected signatures (in review → rejected, never public)")
    def reject(self, request, queryset):
        done = signatures_reject(
            signatures=queryset, user=request.user, reason="rejected in the admin"
        )
        self.message_user(request, f"{done} signature(s) rejected.")


@admin.register(ListTally)
class ListTallyAdmin(SuperuserOnly, RecordAdmin):
    """The stored counts, site-wide: the worker keeps them; nobody edits or deletes them."""

    list_display = [
        "statement",
        "organizations",
        "individuals_named",
        "individuals_unnamed",
        "refreshed",
    ]


@admin.register(Submission)
class SubmissionAdmin(OwnedStatementsAdmin, RecordAdmin):
    """Submissions waiting for the worker, and any it could not record (with the error): they
    were acknowledged to their signers, so they are never deleted here."""

    list_display = ["id", "statement", "kind", "created", "failed"]
    list_filter = ["statement"]
