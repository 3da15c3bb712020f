from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "PDF exports and verification"

    def ready(self) -> None:
        from . import expiry
        from .models import BulkExport

        expiry.register(BulkExport)
