from django.contrib import admin

from undersigned.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "action",
        "object_type",
        "object_id",
        "actor",
        "actor_label",
        "reason",
    ]
    list_filter = ["action", "object_type", "actor_label"]
    search_fields = ["action", "reason", "object_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
