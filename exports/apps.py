from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "PDF exports and verification"

    def ready(self) -> None:
        from audit import actions

        from . import expiry
        from .models import BulkExport, SubjectAccessRequest

        expiry.register(BulkExport)
        expiry.register(SubjectAccessRequest, action=actions.SUBJECT_ACCESS_EXPIRE)
