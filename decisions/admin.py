from django.contrib import admin

from .models import Decision, DecisionVersion


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Read-only oversight for superusers; decisions change only through the service."""

    list_display = ["reference", "organisation", "owner", "status", "review_status", "outcome", "updated_at"]
    list_filter = ["organisation", "status", "review_status"]
    search_fields = ["reference", "case_reference"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DecisionVersion)
class DecisionVersionAdmin(DecisionAdmin):
    list_display = ["decision", "number", "outcome", "consent_status", "submitted_at"]
    list_filter = ["outcome", "consent_status"]
    search_fields = ["decision__reference"]
