from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention and disposal"

    def ready(self) -> None:
        from audit.verify import register_record_check

        from . import db, integrity, signals  # noqa: F401  (connects the receivers)

        register_record_check(integrity.versions_problem)
