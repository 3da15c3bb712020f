from django.contrib import admin

from .models import Decision


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Read-only oversight for superusers; decisions change only through the service.

    Nothing a record says is shown here: no version (their answers name children and parents), no case reference.
    Reading a record is done on its page, where the read is audited. Versions, drafts and people are not registered
    at all (tests/security/test_admin_content.py keeps it so)."""

    list_display = ["reference", "organisation", "owner", "status", "review_status", "outcome", "updated_at"]
    list_filter = ["organisation", "status", "review_status"]
    search_fields = ["reference"]
    fields = [
        "reference", "organisation", "team", "owner", "edition", "status", "review_status", "outcome",
        "created_at", "updated_at", "submitted_at",
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
