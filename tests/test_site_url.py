"""Issue 24 item 9: links in notification emails are absolute, built from SITE_URL, and the worker refuses to
start in production without it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from oversight.checks import site_url_is_set

from .base import World
from .factories import make_submitted_decision
from .mail_helpers import run_worker
from .test_security import manage, production_env


class AbsoluteLinkTests(World):
    def setUp(self) -> None:
        self.sue_supervisor_org_a.email = "sue@example.org"
        self.sue_supervisor_org_a.save(update_fields=["email"])

    @override_settings(SITE_URL="https://decisions.example.org/")
    def test_the_review_email_links_to_the_service_in_full(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        run_worker()
        [message] = mail.outbox
        reference = version.decision.reference
        assert f"Review it here: https://decisions.example.org/decisions/{reference}\n" in message.body
        # Every link in the email can be clicked.
        assert not re.search(r"(?<![\w/:])/decisions/", message.body)

    @override_settings(DEBUG=False, SITE_URL="")
    def test_the_worker_refuses_to_start_in_production_without_site_url(self) -> None:
        with pytest.raises(CommandError, match="SITE_URL"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    @override_settings(DEBUG=False, SITE_URL="decisions.example.org")
    def test_the_worker_refuses_an_address_without_its_scheme(self) -> None:
        with pytest.raises(CommandError, match="https://"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    @override_settings(DEBUG=True, SITE_URL="")
    def test_in_development_the_worker_starts_without_it(self) -> None:
        run_worker()

    @override_settings(DEBUG=False, SITE_URL="")
    def test_the_deploy_check_names_the_setting(self) -> None:
        [error] = site_url_is_set(None)
        assert error.id == "oversight.E001" and "SITE_URL" in error.msg


def test_check_deploy_fails_without_site_url() -> None:
    env = production_env()
    env.pop("SITE_URL", None)
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0 and "oversight.E001" in result.stdout + result.stderr
    env["SITE_URL"] = "https://decisions.example.org"
    assert "oversight.E001" not in manage("check", "--deploy", env=env).stdout
