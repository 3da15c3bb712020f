"""Links in notification emails must be absolute: SITE_URL is required in production."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def site_url_problem() -> str:
    """Why SITE_URL cannot make clickable links, or "" when it can (or when running with DEBUG on)."""
    site_url = str(getattr(settings, "SITE_URL", "") or "")
    if not site_url:
        return "" if settings.DEBUG else "SITE_URL is not set, so links in notification emails could not be clicked."
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"SITE_URL must be the service's address starting http:// or https://, not {site_url!r}."
    return ""


SITE_URL_HINT = "Set SITE_URL to the address people use to reach the service, for example https://decisions.example.org"


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_set(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = site_url_problem()
    if not problem:
        return []
    return [checks.Error(problem, hint=SITE_URL_HINT, id="oversight.E001")]
