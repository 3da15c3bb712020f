"""Deployment checks of our own, run by `manage.py check --deploy` next to Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

LOGGING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@checks.register(checks.Tags.security, deploy=True)
def email_not_written_to_logs(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Review emails name people and decisions; the console backend would print them into the logs."""
    if settings.EMAIL_BACKEND in LOGGING_EMAIL_BACKENDS:
        return [
            checks.Warning(
                "EMAIL_BACKEND writes emails, with the people they name, to the console or to files.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST settings.",
                id="accounts.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def idle_timeout_is_short(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    # Renewed while in use (accounts/sessions.py), or saved on every request: either way they end when idle.
    renewed = "accounts.sessions.RenewSessionMiddleware" in settings.MIDDLEWARE and (
        getattr(settings, "SESSION_RENEW_SECONDS", 60) <= settings.SESSION_COOKIE_AGE / 10
    )
    if settings.SESSION_COOKIE_AGE > 8 * 60 * 60 or not (settings.SESSION_SAVE_EVERY_REQUEST or renewed):
        return [
            checks.Warning(
                "Sessions last more than 8 hours, or do not expire when idle.",
                hint=(
                    "Keep SESSION_COOKIE_AGE short (the default is 1800 seconds), and keep "
                    "accounts.sessions.RenewSessionMiddleware with SESSION_RENEW_SECONDS at most a tenth of it."
                ),
                id="accounts.W002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def no_demo_accounts(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """seed_demo's accounts have published passwords and printed two-step keys. Looked for in the databases the
    check is given, as Django's own database checks are: `check --deploy --database default`."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    if "default" not in (kwargs.get("databases") or ()):
        return []
    try:
        found = list(get_user_model().objects.filter(demo_account=True).values_list("username", flat=True)[:5])
    except DatabaseError:  # no database yet (a check at build time): nothing to find
        return []
    if not found:
        return []
    return [
        checks.Error(
            f"The database has demo accounts made by seed_demo: {', '.join(found)}.",
            hint="Production starts from an empty database; remove the demo accounts (and their sample records).",
            id="accounts.E001",
        )
    ]
