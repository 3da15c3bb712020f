"""Sign-in lockout, security headers and CSP, `check --deploy`, error pages and logs without personal data."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.db import IntegrityError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse

from accounts.models import User
from audit.models import AuditEvent
from sharing_app.log_redaction import RedactingFormatter, redact

from .base import PASSWORD, World

ROOT = Path(__file__).resolve().parent.parent
LOGIN = reverse("accounts:login")
NOW = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


WRONG_PASSWORD = "wrong password"


def attempt(client: Client, username: str = "alice_practitioner", password: str | None = None) -> Any:
    return client.post(LOGIN, {"username": username, "password": password or WRONG_PASSWORD})


class LockoutTests(World):
    def test_five_failures_lock_that_username_from_that_address(self) -> None:
        client = Client(REMOTE_ADDR="192.0.2.1")
        for _ in range(4):
            assert attempt(client).status_code == 200
        locked = attempt(client)
        assert locked.status_code == 429
        html = locked.content.decode()
        assert "You cannot sign in at the moment" in html and "30 minutes" in html
        assert "govuk-template" in html and "alice_practitioner" not in html
        # The right password does not get through while locked.
        assert attempt(client, password=PASSWORD).status_code == 429
        assert client.get(reverse("home")).status_code == 302
        event = AuditEvent.objects.get(action="login_locked_out")
        assert event.organisation == self.org_a and event.actor is None
        assert event.details == {"username": "alice_practitioner", "known_user": True, "failures": 5}
        assert "wrong password" not in str(list(AuditEvent.objects.values_list("details", flat=True)))

    def test_the_same_username_from_another_address_and_other_usernames_still_work(self) -> None:
        client = Client(REMOTE_ADDR="192.0.2.1")
        for _ in range(5):
            attempt(client)
        assert attempt(Client(REMOTE_ADDR="192.0.2.2"), password=PASSWORD).status_code == 302
        assert attempt(client, username="amir_practitioner", password=PASSWORD).status_code == 302

    def test_unknown_usernames_lock_the_same_way(self) -> None:
        client = Client(REMOTE_ADDR="192.0.2.1")
        responses = [attempt(client, username="nobody_at_all") for _ in range(5)]
        assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]

    def test_a_successful_sign_in_clears_earlier_failures(self) -> None:
        client = Client(REMOTE_ADDR="192.0.2.1")
        for _ in range(4):
            attempt(client)
        assert attempt(client, password=PASSWORD).status_code == 302
        fresh = Client(REMOTE_ADDR="192.0.2.1")
        assert [attempt(fresh).status_code for _ in range(4)] == [200] * 4

    def test_the_lock_lifts_after_the_cool_off(self) -> None:
        with time_machine.travel(NOW, tick=False) as traveller:
            client = Client(REMOTE_ADDR="192.0.2.1")
            for _ in range(5):
                attempt(client)
            traveller.shift(dt.timedelta(minutes=29))
            assert attempt(Client(REMOTE_ADDR="192.0.2.1"), password=PASSWORD).status_code == 429
            # That try started the cool-off again.
            traveller.shift(dt.timedelta(minutes=31))
            assert attempt(Client(REMOTE_ADDR="192.0.2.1"), password=PASSWORD).status_code == 302

    def superuser(self) -> Client:
        return self.client_for(User.objects.create_superuser("root_superuser", password=PASSWORD))

    def test_superuser_unlocks_from_the_user_page_action(self) -> None:
        for _ in range(5):
            attempt(Client(REMOTE_ADDR="192.0.2.1"))
        response = self.superuser().post(
            reverse("admin:accounts_user_changelist"),
            {"action": "unlock_sign_in", "_selected_action": [self.alice_practitioner_org_a.pk]},
        )
        assert response.status_code == 302
        assert attempt(Client(REMOTE_ADDR="192.0.2.1"), password=PASSWORD).status_code == 302
        event = AuditEvent.objects.get(action="login_unlocked")
        assert event.actor.username == "root_superuser" and event.organisation == self.org_a
        assert event.details == {"username": "alice_practitioner", "attempts_removed": 1}

    def test_superuser_unlocks_by_deleting_the_attempt_in_axes_admin(self) -> None:
        for _ in range(5):
            attempt(Client(REMOTE_ADDR="192.0.2.1"))
        record = AccessAttempt.objects.get(username="alice_practitioner")
        admin = self.superuser()
        listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
        assert listing.status_code == 200 and "alice_practitioner" in listing.content.decode()
        assert (
            "wrong password"
            not in admin.get(reverse("admin:axes_accessattempt_change", args=[record.pk])).content.decode()
        )
        response = admin.post(reverse("admin:axes_accessattempt_delete", args=[record.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert attempt(Client(REMOTE_ADDR="192.0.2.1"), password=PASSWORD).status_code == 302
        assert AuditEvent.objects.filter(action="login_unlocked").count() == 1


# Scripts with no src, except data blocks (json_script), which the browser never runs.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Everything a CSP without 'unsafe-inline' would block."""
    found = []
    for name, pattern in [
        ("inline script", INLINE_SCRIPT),
        ("event handler attribute", INLINE_HANDLER),
        ("style attribute", STYLE_ATTRIBUTE),
        ("style element", STYLE_ELEMENT),
    ]:
        found += [f"{name}: {m.group(0)}" for m in pattern.finditer(html)]
    return found


class HeaderTests(World):
    def test_content_security_policy_allows_no_inline_code(self) -> None:
        response = Client().get(LOGIN)
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
        )
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
        assert policy["img-src"] == "'self' data:"
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
        assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
        assert "unsafe" not in response["Content-Security-Policy"]

    def test_other_security_headers(self) -> None:
        response = self.client_for(self.sue_supervisor_org_a).get(reverse("home"))
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Content-Security-Policy" in response
        policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", feature
        # Sign-in and error pages too, not only pages behind it.
        assert "camera=()" in Client().get(LOGIN)["Permissions-Policy"]

    def test_cookies_are_http_only(self) -> None:
        client = Client()
        client.get(LOGIN)
        assert client.cookies["csrftoken"]["httponly"]
        attempt(client, password=PASSWORD)
        assert client.cookies["sessionid"]["httponly"]
        assert client.cookies["sessionid"]["samesite"] == "Lax"

    def test_no_template_has_inline_script_or_style(self) -> None:
        problems = {}
        for template in (ROOT / "templates").rglob("*.html"):
            if "pdf" in template.relative_to(ROOT / "templates").parts:
                continue  # rendered to PDF by WeasyPrint, never served to a browser
            found = inline_code(template.read_text())
            if found:
                problems[str(template.relative_to(ROOT))] = found
        assert problems == {}

    def test_pages_as_rendered_have_no_inline_code(self) -> None:
        pages = [
            (Client(), LOGIN),
            (self.client_for(self.alice_practitioner_org_a), reverse("home")),
            (self.client_for(self.alice_practitioner_org_a), reverse("accounts:security")),
            (self.client_for(self.sue_supervisor_org_a), reverse("audit:log")),
        ]
        for client, url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert inline_code(response.content.decode()) == [], url


def production_env(**extra: str) -> dict[str, str]:
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_", "SESSION_"))
        and k not in {"DATABASE_URL", "STATICFILES_BACKEND", "DEMO"}
    }
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "sharing_app.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "decisions.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://decisions.example.org",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "BEHIND_TLS_PROXY": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        # Production's database is PostgreSQL; the check does not need to reach it (nothing listens on port 1).
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/decisions",
        **extra,
    }


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_warns_when_emails_would_go_to_the_logs() -> None:
    env = production_env(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "accounts.W001" in result.stdout + result.stderr


def test_check_deploy_fails_without_signing_keys() -> None:
    env = production_env(AUDIT_SIGNING_KEY_FILE="/nonexistent/key.pem", PDF_SIGNING_PKCS12_FILE="/nonexistent/x.p12")
    result = manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "audit.E001" in output and "decisions.E001" in output


PRINT_SECURITY = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SECURE_SSL_REDIRECT', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SESSION_COOKIE_AGE', 'DEBUG']}))"
)


def test_production_settings_are_secure() -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-c", PRINT_SECURITY], cwd=ROOT, env=production_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SESSION_COOKIE_AGE": 1800,
        "DEBUG": False,
    }


# A test-only URLconf for the error pages (used through override_settings(ROOT_URLCONF=__name__)).
CHILD = "Zebedee Quartermain-Child"


def _explode(request: HttpRequest) -> HttpResponse:
    request.POST.get("subject_details")  # the form was read, as a real view would
    raise RuntimeError("internal detail")


def _missing(request: HttpRequest) -> HttpResponse:
    raise Http404(f"No decision for {CHILD}")


urlpatterns = [path("boom", _explode), path("missing", _missing), path("", include("sharing_app.urls"))]
handler404 = "decisions.views.page_not_found"
handler500 = "sharing_app.errors.server_error"


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log line, formatted as production formats it, from every logger that has handlers."""
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Capture(level=logging.DEBUG)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger(name) for name in ("", "django", "django.request", "django.security", "axes")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
class ErrorPageTests(World):
    def test_server_error_page_reveals_nothing_and_the_log_has_no_form_data(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        client.raise_request_exception = False
        with captured_logs() as lines:
            response = client.post("/boom", {"subject_details": CHILD, "password": "hunter2-secret"})
        assert response.status_code == 500
        html = response.content.decode()
        assert "Sorry, there is a problem with the service" in html
        for secret in ["Traceback", "RuntimeError", "internal detail", CHILD, "SECRET_KEY", "settings", "hunter2"]:
            assert secret not in html, secret
        assert inline_code(html) == []
        log = "\n".join(lines)
        assert "Internal Server Error: /boom" in log and "RuntimeError" in log
        assert "hunter2" not in log and CHILD not in log and "subject_details" not in log

    def test_not_found_page_does_not_repeat_the_reason(self) -> None:
        response = self.client_for(self.alice_practitioner_org_a).get("/missing")
        assert response.status_code == 404
        assert CHILD not in response.content.decode() and "Page not found" in response.content.decode()


class LogTests(World):
    def test_failed_sign_ins_and_lockout_log_no_username_or_password(self) -> None:
        with captured_logs() as lines:
            for _ in range(6):
                attempt(Client(REMOTE_ADDR="192.0.2.1"), password="Pa55word-in-the-logs?")
        log = "\n".join(lines)
        assert "Pa55word" not in log and "alice_practitioner" not in log and "192.0.2.1" not in log

    def test_database_error_details_are_cut_from_tracebacks(self) -> None:
        message = (
            'new row for relation "x" violates check constraint "y"\n'
            f"DETAIL:  Failing row contains (1, {CHILD}, (born 2015)).\n"
        )
        assert CHILD not in redact(message) and "violates check constraint" in redact(message)
        assert "alice" not in redact("Key (username)=(alice) already exists.")
        refused = "SMTPRecipientsRefused({'sue.supervisor@council.example.org': (550, b'No such user')})"
        assert "sue.supervisor" not in redact(refused) and "[email]" in redact(refused)
        try:
            raise IntegrityError(message)
        except IntegrityError:
            record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
        formatted = RedactingFormatter().format(record)
        assert "IntegrityError" in formatted and CHILD not in formatted

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL puts row values in its errors")
    def test_a_real_postgresql_constraint_error_is_redacted(self) -> None:
        User.objects.create(username=CHILD)
        try:
            with transaction.atomic():
                User.objects.create(username=CHILD)
        except IntegrityError:
            record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
        else:
            raise AssertionError("the check constraint did not fire")
        raw = logging.Formatter().format(record)
        assert CHILD in raw  # what PostgreSQL said
        assert CHILD not in RedactingFormatter().format(record)
