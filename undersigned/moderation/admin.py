from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from undersigned.core.admin import SuperuserOnly
from undersigned.core.recent import forget_on_commit
from undersigned.moderation.forms import InvalidationForm
from undersigned.moderation.models import Invalidation
from undersigned.moderation.services import (
    invalidation_matches,
    invalidation_undo,
    signatures_invalidate,
)
from undersigned.signatures.models import BlockRule
from undersigned.statements.admin import OwnedStatementsAdmin
from undersigned.statements.selectors import owned_statements


@admin.register(BlockRule)
class BlockRuleAdmin(SuperuserOnly, admin.ModelAdmin):
    """Block rules apply to every statement: a superuser's."""

    list_display = ["kind", "value", "reason", "created", "created_by"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    readonly_fields = ["created", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.value = obj.value.strip().lower()
        super().save_model(request, obj, form, change)
        forget_on_commit()  # blocked networks are kept for a moment (abuse.network_blocked)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        forget_on_commit()


@admin.register(Invalidation)
class InvalidationAdmin(OwnedStatementsAdmin):
    """Adding an invalidation is a two-step page: preview the count, then confirm. It offers,
    counts and touches only the statements the user owns (all of them for a superuser)."""

    list_display = ["id", "statement", "count", "reason", "created", "created_by", "undone"]
    list_filter = ["statement"]
    readonly_fields = [f.name for f in Invalidation._meta.fields]
    actions = ["undo"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InvalidationForm(request.POST or None, statements=owned_statements(request.user))
        count = None
        if request.method == "POST" and form.is_valid():
            criteria = form.criteria()
            statement = form.cleaned_data["statement"]
            count = invalidation_matches(statement=statement, criteria=criteria).count()
            if request.POST.get("confirm"):
                invalidation = signatures_invalidate(
                    statement=statement,
                    criteria=criteria,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
                self.message_user(
                    request, f"{invalidation.count} signature(s) invalidated (#{invalidation.pk})."
                )
                return redirect("admin:moderation_invalidation_changelist")
        return render(
            request,
            "admin/moderation/invalidate.html",
            {**self.admin_site.each_context(request), "form": form, "count": count},
        )

    @admin.action(
        description="Undo the selected invalidations (restore and recount)",
        permissions=["add"],
    )
    def undo(self, request, queryset):
        restored = sum(invalidation_undo(invalidation=i, user=request.user) for i in queryset)
        self.message_user(request, f"{restored} signature(s) restored.")
