from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from undersigned.core.models import AuditEntry, Switch
from undersigned.core.switches import switch_set


class SuperuserOnly:
    """Site-wide records (switches, block rules, jobs, tallies, the whole audit log, accounts):
    only a superuser sees or touches them in the admin, whatever permissions a staff account
    was given. A statement's owner reads their own statement's history on its dashboard."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


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
class AuditEntryAdmin(SuperuserOnly, RecordAdmin):
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
class SwitchAdmin(SuperuserOnly, admin.ModelAdmin):
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


# Accounts are site-wide too: a staff account that could edit users could make itself a
# superuser, and the user list names every coordinator.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(SuperuserOnly, UserAdmin):
    pass


@admin.register(Group)
class AccountGroupAdmin(SuperuserOnly, GroupAdmin):
    pass
