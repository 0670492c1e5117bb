from django.contrib import admin

from undersigned.moderation.models import BlockRule


@admin.register(BlockRule)
class BlockRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "reason", "created", "created_by"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    readonly_fields = ["created", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.value = obj.value.strip().lower()
        super().save_model(request, obj, form, change)
