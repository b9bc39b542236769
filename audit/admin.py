import json

from django.contrib import admin
from django.utils.html import format_html

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log for administrators: searchable and filterable, never added to, changed or deleted here."""

    list_display = ["sequence", "created_at", "actor_display", "action", "target_display"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["action", "actor_name", "target_label", "target_id", "hash"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    fields = [
        "sequence",
        "created_at",
        "actor_display",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "before_display",
        "after_display",
        "previous_hash",
        "hash",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Actor", ordering="actor_name")
    def actor_display(self, obj: AuditEntry) -> str:
        return obj.actor_name or "(system)"

    @admin.display(description="Target", ordering="target_label")
    def target_display(self, obj: AuditEntry) -> str:
        if not obj.target_type_id:
            return "—"
        return f"{obj.target_type.name} {obj.target_id}: {obj.target_label}"

    @admin.display(description="Before")
    def before_display(self, obj: AuditEntry):
        return _pretty(obj.before)

    @admin.display(description="After")
    def after_display(self, obj: AuditEntry):
        return _pretty(obj.after)


def _pretty(value) -> str:
    if value is None:
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))
