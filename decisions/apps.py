from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Information-sharing decisions"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the deploy check of the PDF signing certificate)
            wizard,  # noqa: F401  (loads every edition's pages, before anything imports one edition's)
        )
