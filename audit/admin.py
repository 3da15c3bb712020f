from django.contrib import admin

from .models import AuditEvent, ChainCheck


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the table is append-only, and the database enforces it too."""

    list_display = ["occurred_at", "organisation", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action", "organisation"]
    search_fields = ["target_ref", "actor_label"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ChainCheck)
class ChainCheckAdmin(admin.ModelAdmin):
    list_display = ["checked_at", "ok", "events_checked", "message"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
