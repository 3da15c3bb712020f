from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention and disposal"

    def ready(self) -> None:
        from . import db, signals  # noqa: F401  (connects the receivers)
