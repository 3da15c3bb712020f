"""Settings come from the environment, with safe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, "
    "'lang': s.LANGUAGE_CODE, 'secure': s.SESSION_COOKIE_SECURE, 'email': s.EMAIL_BACKEND}))"
)


def settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "sharing_app.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def test_debug_is_off_and_secret_key_required_by_default() -> None:
    result = settings_with({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_like_environment() -> None:
    import json

    result = settings_with(
        {
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "decisions.example.org",
            "DATABASE_URL": "postgres://app:pw@db.example.org:5432/decisions",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    # Django's backend with one safe retry (sharing_app/db_backends).
    assert values["engine"] == "sharing_app.db_backends.postgresql"
    assert values["name"] == "decisions"
    assert values["hosts"] == ["decisions.example.org"]
    assert values["tz"] == "Europe/London"
    assert values["lang"] == "en-gb"
    assert values["secure"] is True
    assert values["email"].endswith("smtp.EmailBackend")


def test_sqlite_under_var_by_default() -> None:
    import json

    result = settings_with({"SECRET_KEY": "x" * 50})
    values = json.loads(result.stdout)
    assert values["engine"] == "sharing_app.db_backends.sqlite3"
    assert values["name"].endswith("var/db.sqlite3")
