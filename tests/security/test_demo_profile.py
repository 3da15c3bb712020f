"""Issue 25 item 10: seed_demo and demo_code worked with DEBUG off, and `check --deploy` was clean with demo
accounts, the demo certificate and demo keys in place. Outside the demo profile both commands refuse; the
production check fails on each demo part; the demo says on every page that it is one."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from decisions.signing import make_self_signed_pkcs12

from ..base import World

BANNER = "Demo – not for real records"


def deploy_errors(**kwargs: object) -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True, **kwargs) if message.id}  # type: ignore[arg-type]


@override_settings(DEMO=False)
class OutsideTheDemoProfile(World):
    def test_seed_demo_refuses(self) -> None:
        with pytest.raises(CommandError, match="demo profile"):
            call_command("seed_demo", "--no-decisions", stdout=StringIO(), stderr=StringIO())
        assert not User.objects.filter(demo_account=True).exists()

    def test_demo_code_refuses(self) -> None:
        User.objects.filter(pk=self.sue_supervisor_org_a.pk).update(demo_account=True)
        with pytest.raises(CommandError, match="demo profile"):
            call_command("demo_code", self.sue_supervisor_org_a.username, stdout=StringIO(), stderr=StringIO())

    def test_no_banner(self) -> None:
        assert BANNER not in Client().get(reverse("accounts:login")).content.decode()

    def test_the_production_check_fails_on_demo_accounts(self) -> None:
        assert "accounts.E001" not in deploy_errors(databases=["default"])
        User.objects.filter(pk=self.sue_supervisor_org_a.pk).update(demo_account=True)
        assert "accounts.E001" in deploy_errors(databases=["default"])

    def test_the_production_check_fails_on_the_demo_certificate(self) -> None:
        assert "decisions.E002" not in deploy_errors()
        # As `make_demo_keys` makes it.
        demo = make_self_signed_pkcs12("Information sharing decisions (demo)", BANNER)
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "demo.p12").write_bytes(demo)
        with override_settings(PDF_SIGNING_PKCS12_FILE=str(folder / "demo.p12")):
            assert "decisions.E002" in deploy_errors()


class InTheDemoProfile(World):
    def test_the_production_check_fails_while_demo_is_on(self) -> None:
        with override_settings(DEMO=True):
            assert "sharing_app.E004" in deploy_errors()

    def test_every_page_says_it_is_a_demo(self) -> None:
        with override_settings(DEMO=True):
            assert BANNER in Client().get(reverse("accounts:login")).content.decode()
            page = self.client_for(self.alice_practitioner_org_a).get(reverse("home")).content.decode()
            assert BANNER in page and "govuk-phase-banner" in page
