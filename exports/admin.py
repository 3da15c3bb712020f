from django.contrib import admin
from django.http import HttpRequest

from .models import BulkExport


@admin.register(BulkExport)
class BulkExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "organisation", "requested_by", "status", "done", "total", "created_at", "expires_at"]
    list_filter = ["status", "organisation"]
    readonly_fields = [f.name for f in BulkExport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
