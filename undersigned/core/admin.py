from django.contrib import admin

from undersigned.core.models import AuditEntry, Switch
from undersigned.core.switches import switch_set


class RecordAdmin(admin.ModelAdmin):
    """Rows that are evidence: shown, never added, changed or deleted through the admin."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
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


@admin.register(Switch)
class SwitchAdmin(admin.ModelAdmin):
    """Site-wide switches. "Pause all signing": select signing_paused and turn it on."""

    list_display = ["name", "is_on", "updated"]
    readonly_fields = ["name", "is_on", "updated"]
    actions = ["turn_on", "turn_off"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Turn the selected switches on")
    def turn_on(self, request, queryset):
        for switch in queryset:
            switch_set(name=switch.name, on=True, user=request.user)

    @admin.action(description="Turn the selected switches off")
    def turn_off(self, request, queryset):
        for switch in queryset:
            switch_set(name=switch.name, on=False, user=request.user)
