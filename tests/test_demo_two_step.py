"""The demonstration needs no phone: seed_demo enrols its accounts' authenticator keys and prints them, and
demo_code prints the current code, for seed_demo's own accounts only."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import os
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import Role, User
from audit import actions
from audit.models import AuditEvent

from .base import World, make_user

DEMO_PASSWORD = "demo password for tests"
TWO_STEP_ROLES = {
    "supervisor.north", "admin.north", "admin2.north", "auditor.north", "supervisor.south", "admin.south",
    "admin2.south",
}  # fmt: skip


def seed() -> str:
    out = StringIO()
    with mock.patch.dict(os.environ, {"DEMO_PASSWORD": DEMO_PASSWORD}):
        call_command("seed_demo", "--no-decisions", stdout=out, stderr=StringIO())
    return out.getvalue()


def printed_keys(output: str) -> dict[str, str]:
    return {
        line.split()[2]: "".join(line.split()[3:]) for line in output.splitlines() if line.startswith("  two-step key ")
    }


def demo_code(username: str) -> str:
    out = StringIO()
    call_command("demo_code", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@override_settings(DEMO=True)  # seed_demo and demo_code run only in the demo profile
class SeedDemoTwoStepTests(World):
    def test_accounts_that_need_two_step_get_a_printed_key_practitioners_none(self) -> None:
        keys = printed_keys(seed())
        assert TWO_STEP_ROLES | {"auditor.south", "superuser"} == set(keys)
        for username, key in keys.items():
            user = User.objects.get(username=username)
            assert user.demo_account and twofactor.has_app_device(user), username
            device = TOTPDevice.objects.get(user=user)
            assert base64.b32encode(device.bin_key).decode().rstrip("=") == key
        practitioner = User.objects.get(username="practitioner.north")
        assert practitioner.demo_account and not twofactor.has_app_device(practitioner)

    def test_each_organisation_has_a_second_admin_so_the_demo_can_dispose_of_a_record(self) -> None:
        seed()
        for short in ("north", "south"):
            first, second = (User.objects.get(username=f"{stem}.{short}") for stem in ("admin", "admin2"))
            assert first.membership.organisation == second.membership.organisation
            assert second.membership.role == Role.ADMIN and second.demo_account
            assert second.display_name != first.display_name

    def test_running_again_keeps_the_keys_and_audits_each_set_up_once(self) -> None:
        first = printed_keys(seed())
        assert printed_keys(seed()) == first
        events = AuditEvent.objects.filter(action=actions.TWO_FACTOR_ENROL)
        assert events.count() == len(first)
        event = events.get(target_id=str(User.objects.get(username="admin.north").pk))
        assert event.details == {"demo": True} and event.actor_label == "manage.py seed_demo"

    def test_a_real_account_with_a_demo_name_is_left_alone_and_its_key_never_printed(self) -> None:
        real = make_user("supervisor.north", self.org_a, Role.SUPERVISOR)
        real_key = base64.b32encode(TOTPDevice.objects.get(user=real).bin_key).decode().rstrip("=")
        password = real.password
        errors = StringIO()
        out = StringIO()
        with mock.patch.dict(os.environ, {"DEMO_PASSWORD": DEMO_PASSWORD}):
            call_command("seed_demo", "--no-decisions", stdout=out, stderr=errors)
        real.refresh_from_db()
        assert real.password == password and not real.demo_account
        assert "supervisor.north exists and was not made by seed_demo" in errors.getvalue()
        assert "supervisor.north" not in printed_keys(out.getvalue())
        grouped = " ".join(real_key[i : i + 4] for i in range(0, len(real_key), 4))
        assert real_key not in out.getvalue() and grouped not in out.getvalue()
        with pytest.raises(CommandError, match="never printed"):
            demo_code("supervisor.north")


@override_settings(DEMO=True)  # seed_demo and demo_code run only in the demo profile
class DemoCodeTests(World):
    def setUp(self) -> None:
        self.keys = printed_keys(seed())

    def test_prints_the_code_the_app_would_show(self) -> None:
        with time_machine.travel(dt.datetime(2026, 11, 25, 12, 0, 5, tzinfo=dt.UTC), tick=False):
            code = demo_code("auditor.north")
            key = base64.b32decode(self.keys["auditor.north"] + "=" * (-len(self.keys["auditor.north"]) % 8))
            assert code == f"{totp(key):06d}"

    def test_the_code_passes_two_step_verification(self) -> None:
        client = Client()
        assert client.login(username="supervisor.north", password=DEMO_PASSWORD)
        response = client.post(reverse("accounts:two_factor_verify"), {"code": demo_code("supervisor.north")})
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert client.get(reverse("oversight:queue")).status_code == 200

    def test_never_for_real_accounts(self) -> None:
        real = self.sue_supervisor_org_a
        device = TOTPDevice.objects.get(user=real)
        out = StringIO()
        with pytest.raises(CommandError, match="not a demo account"):
            call_command("demo_code", real.username, stdout=out, stderr=StringIO())
        assert out.getvalue() == ""
        assert f"{totp(device.bin_key):06d}" not in out.getvalue()
        with pytest.raises(twofactor.NotADemoAccount):
            twofactor.demo_code(real)
        with pytest.raises(twofactor.NotADemoAccount):
            twofactor.demo_key(real)
        with pytest.raises(twofactor.NotADemoAccount):
            twofactor.enrol_demo(user=real)

    def test_unknown_users_and_demo_accounts_without_a_key(self) -> None:
        with pytest.raises(CommandError, match="No user"):
            demo_code("nobody.at.all")
        with pytest.raises(CommandError, match="has no two-step key"):
            demo_code("practitioner.north")

    def test_the_mark_cannot_be_set_in_the_django_admin(self) -> None:
        root = User.objects.create_superuser("root_admin", password="x" * 20)
        admin = Client()
        admin.force_login(root)
        session = admin.session
        session["otp_device_id"] = TOTPDevice.objects.create(user=root, confirmed=True).persistent_id
        session.save()
        real = self.sue_supervisor_org_a
        url = reverse("admin:accounts_user_change", args=[real.pk])
        html = admin.get(url).content.decode()
        assert "Demo account" in html and 'name="demo_account"' not in html


@override_settings(DEMO=True)  # seed_demo and demo_code run only in the demo profile
class EarlierDemoAccountsTests(World):
    def test_the_migration_marks_only_seed_demos_own_accounts(self) -> None:
        migration = importlib.import_module("accounts.migrations.0002_user_demo_account")
        old_demo = User.objects.create(username="admin.north", email="admin.north@example.org")
        look_alike = User.objects.create(username="admin.south", email="ari@southvale.example")
        migration.mark_earlier_demo_accounts(apps, None)
        old_demo.refresh_from_db()
        look_alike.refresh_from_db()
        assert old_demo.demo_account and not look_alike.demo_account
        assert not User.objects.filter(demo_account=True).exclude(pk=old_demo.pk).exists()
