from django.contrib import admin

from .models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews are evidence and the database refuses changes to them."""

    list_display = ["created_at", "decision", "reviewer", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["decision__reference"]
    # The comment is the record's content (it may name the child): read on the record's page, where it is audited.
    exclude = ["comment"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
