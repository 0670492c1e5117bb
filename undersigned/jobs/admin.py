from django.contrib import admin

from undersigned.core.admin import SuperuserOnly
from undersigned.jobs.models import Job


@admin.register(Job)
class JobAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ["id", "kind", "status", "attempts", "created", "run_after", "finished"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
