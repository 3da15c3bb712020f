"""Two-step verification: required for supervisors, admins, auditors (and staff), optional for practitioners."""

from __future__ import annotations

import base64
import datetime as dt
import re
from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import Role, User
from audit.models import AuditEvent
from audit.verify import verify_chains

from .base import PASSWORD, World, make_user

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
CODES = reverse("accounts:two_factor_recovery_codes")
SECURITY = reverse("accounts:security")
LOGIN = reverse("accounts:login")
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(username: str, next_url: str = "") -> tuple[Client, object]:
    client = Client()
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN + (f"?next={next_url}" if next_url else ""), data)
    return client, response


class EnrolmentTests(World):
    def setUp(self) -> None:
        TOTPDevice.objects.filter(user=self.sue_supervisor_org_a).delete()

    def test_supervisor_is_sent_to_set_up_after_the_password_and_nothing_else_opens(self) -> None:
        client, response = sign_in("sue_supervisor")
        assert response.status_code == 302
        for url in [reverse("home"), reverse("decisions:list"), reverse("audit:log"), "/django-admin/"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(SETUP + "?next="), (url, response["Location"])
        # Sign-out and the health check still work before verification.
        assert client.get(reverse("healthz")).status_code == 200
        assert client.post(reverse("accounts:logout")).status_code == 302

    def test_set_up_with_qr_code_and_typed_key_then_recovery_codes_shown_once(self) -> None:
        client, _ = sign_in("sue_supervisor", next_url=reverse("audit:log"))
        page = client.get(f"{SETUP}?next={reverse('audit:log')}")
        html = page.content.decode()
        assert page.status_code == 200 and "Set up two-step verification" in html
        qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
        assert qr is not None
        assert base64.b64decode(qr.group(1)).lstrip().startswith(b"<?xml") or b"<svg" in base64.b64decode(qr.group(1))
        device = TOTPDevice.objects.get(user=self.sue_supervisor_org_a, confirmed=False)
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        assert secret[:4] + " " + secret[4:8] in html
        # The same secret on a refresh, so an app that already scanned it still works.
        client.get(SETUP)
        assert TOTPDevice.objects.filter(user=self.sue_supervisor_org_a).count() == 1

        with time_machine.travel(START, tick=False) as traveller:
            wrong = client.post(SETUP, {"code": "000000", "next": reverse("audit:log")})
            assert wrong.status_code == 200 and "The code is not right" in wrong.content.decode()
            assert "govuk-error-summary" in wrong.content.decode()
            too_soon = client.post(SETUP, {"code": code_for(device), "next": reverse("audit:log")})
            assert "Wait 1 second" in too_soon.content.decode()
            traveller.shift(dt.timedelta(seconds=2))
            response = client.post(SETUP, {"code": code_for(device), "next": reverse("audit:log")})
            assert response.status_code == 302 and response["Location"].startswith(CODES)
            shown = client.get(response["Location"])
            codes = list(
                StaticToken.objects.filter(device__user=self.sue_supervisor_org_a).values_list("token", flat=True)
            )
            assert len(codes) == 10
            assert all(code in shown.content.decode() for code in codes)
            assert f'href="{reverse("audit:log")}"' in shown.content.decode()
            assert client.get(CODES)["Location"] == SECURITY  # shown once only
            assert client.get(reverse("audit:log")).status_code == 200
        event = AuditEvent.objects.get(action="two_factor_enrol")
        assert event.actor == self.sue_supervisor_org_a and event.organisation == self.org_a
        assert "key" not in str(event.details) and device.key not in str(event.canonical_payload())

    def test_set_up_page_rejects_empty_and_overlong_input(self) -> None:
        client, _ = sign_in("sue_supervisor")
        client.get(SETUP)
        assert "Enter the code" in client.post(SETUP, {"code": "  "}).content.decode()
        assert client.post(SETUP, {"code": "1" * 500}).status_code == 200
        assert not TOTPDevice.objects.filter(user=self.sue_supervisor_org_a, confirmed=True).exists()


class VerificationTests(World):
    def device(self, user: User) -> TOTPDevice:
        return TOTPDevice.objects.get(user=user, confirmed=True)

    def test_code_at_sign_in_then_back_where_they_were_going(self) -> None:
        with time_machine.travel(START, tick=False):
            client, response = sign_in("aud_auditor", next_url=reverse("audit:log"))
            assert response["Location"] == reverse("audit:log")
            response = client.get(reverse("audit:log"))
            assert response["Location"] == f"{VERIFY}?next=%2Faudit%2F"
            page = client.get(response["Location"])
            assert "Enter the code from your authenticator app" in page.content.decode()
            before = client.session.session_key
            response = client.post(VERIFY, {"code": code_for(self.device(self.aud_auditor_org_a)), "next": "/audit/"})
            assert response["Location"] == "/audit/"
            assert client.session.session_key != before  # a new session key once verified
            assert client.get("/audit/").status_code == 200
        event = AuditEvent.objects.get(action="two_factor_verify")
        assert event.actor == self.aud_auditor_org_a and event.details == {"method": "app"}

    def test_wrong_code_is_refused_audited_and_slowed_down(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            client, _ = sign_in("ada_admin")
            wrong = client.post(VERIFY, {"code": "123456"})
            assert wrong.status_code == 200 and "The code is not right" in wrong.content.decode()
            assert AuditEvent.objects.filter(action="two_factor_failed", actor=self.ada_admin_org_a).count() == 1
            # Straight away, even the right code waits: django-otp doubles the wait after each wrong one.
            slowed = client.post(VERIFY, {"code": code_for(self.device(self.ada_admin_org_a))})
            assert "Wait" in slowed.content.decode()
            assert client.get(reverse("home"))["Location"].startswith(VERIFY)
            traveller.shift(dt.timedelta(seconds=31))
            ok = client.post(VERIFY, {"code": code_for(self.device(self.ada_admin_org_a))})
            assert ok.status_code == 302
            assert client.get(reverse("home")).status_code == 200

    def test_a_code_cannot_be_used_twice(self) -> None:
        with time_machine.travel(START, tick=False):
            code = code_for(self.device(self.sue_supervisor_org_a))
            first, _ = sign_in("sue_supervisor")
            assert first.post(VERIFY, {"code": code}).status_code == 302
            second, _ = sign_in("sue_supervisor")
            assert second.post(VERIFY, {"code": code}).status_code == 200

    def test_recovery_code_works_once(self) -> None:
        codes = twofactor._new_recovery_codes(self.sue_supervisor_org_a)
        client, _ = sign_in("sue_supervisor")
        response = client.post(VERIFY, {"code": codes[0].upper()[:4] + "-" + codes[0][4:]}, follow=True)
        assert "You used a recovery code. You have 9 left" in response.content.decode()
        event = AuditEvent.objects.get(action="two_factor_verify")
        assert event.details == {"method": "recovery_code", "recovery_codes_left": 9}
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
            again, _ = sign_in("sue_supervisor")
            assert again.post(VERIFY, {"code": codes[0]}).status_code == 200

    def test_a_mistyped_app_code_does_not_hold_up_a_recovery_code(self) -> None:
        codes = twofactor._new_recovery_codes(self.sue_supervisor_org_a)
        with time_machine.travel(START, tick=False):
            client, _ = sign_in("sue_supervisor")
            assert client.post(VERIFY, {"code": "123456"}).status_code == 200
            assert client.post(VERIFY, {"code": codes[1]}).status_code == 302

    def test_next_cannot_send_the_user_to_another_site(self) -> None:
        with time_machine.travel(START, tick=False):
            client, _ = sign_in("sue_supervisor")
            response = client.post(
                VERIFY, {"code": code_for(self.device(self.sue_supervisor_org_a)), "next": "https://evil.example/"}
            )
            assert response["Location"] == reverse("home")

    def test_a_password_alone_cannot_swap_the_app(self) -> None:
        client, _ = sign_in("sue_supervisor")
        response = client.get(SETUP)
        assert response["Location"].startswith(VERIFY)
        assert client.post(SETUP, {"code": "123456"})["Location"].startswith(VERIFY)

    def test_verified_test_clients_for_every_role(self) -> None:
        for user in [*self.every_role_org_a, *self.every_role_org_b]:
            assert self.client_for(user).get(reverse("home")).status_code == 200, user


class PractitionerOptInTests(World):
    def test_practitioners_are_not_asked_unless_they_turn_it_on(self) -> None:
        client, _ = sign_in("alice_practitioner")
        assert client.get(reverse("home")).status_code == 200
        page = client.get(SECURITY).content.decode()
        assert "Set up two-step verification" in page and "Off" in page

    def test_turn_on_then_asked_at_sign_in_then_turn_off(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            client, _ = sign_in("alice_practitioner")
            client.get(SETUP)
            device = TOTPDevice.objects.get(user=self.alice_practitioner_org_a)
            assert client.post(SETUP, {"code": code_for(device)}).status_code == 302
            assert "On" in client.get(SECURITY).content.decode()

            traveller.shift(dt.timedelta(minutes=1))
            other, _ = sign_in("alice_practitioner")
            assert other.get(reverse("decisions:list"))["Location"].startswith(VERIFY)
            device.refresh_from_db()
            assert other.post(VERIFY, {"code": code_for(device)}).status_code == 302
            assert other.get(reverse("decisions:list")).status_code == 200

            response = other.post(reverse("accounts:two_factor_disable"))
            assert response["Location"] == SECURITY
        assert not TOTPDevice.objects.filter(user=self.alice_practitioner_org_a).exists()
        assert not StaticDevice.objects.filter(user=self.alice_practitioner_org_a).exists()
        actions = set(AuditEvent.objects.filter(actor=self.alice_practitioner_org_a).values_list("action", flat=True))
        assert {"two_factor_enrol", "two_factor_verify", "two_factor_disable"} <= actions

    def test_required_roles_cannot_turn_it_off(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        assert "Turn off" not in client.get(SECURITY).content.decode()
        assert client.post(reverse("accounts:two_factor_disable")).status_code == 403
        assert TOTPDevice.objects.filter(user=self.sue_supervisor_org_a).exists()

    def test_new_recovery_codes_replace_the_old(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        old = twofactor._new_recovery_codes(self.sue_supervisor_org_a)
        response = client.post(CODES)
        assert response["Location"] == CODES
        html = client.get(CODES).content.decode()
        new = list(StaticToken.objects.filter(device__user=self.sue_supervisor_org_a).values_list("token", flat=True))
        assert len(new) == 10 and not set(new) & set(old)
        assert all(code in html for code in new)
        assert AuditEvent.objects.filter(action="two_factor_recovery_codes").count() == 1


class AdminResetTests(World):
    def superuser_client(self) -> Client:
        admin = User.objects.create_superuser("root_superuser", password=PASSWORD)
        return self.client_for(admin)

    def test_staff_need_two_step_verification_too(self) -> None:
        User.objects.create_superuser("site_admin", password=PASSWORD)
        client, _ = sign_in("site_admin")
        assert client.get("/django-admin/")["Location"].startswith(SETUP)

    def test_admin_action_resets_and_the_user_sets_up_again(self) -> None:
        sue = self.sue_supervisor_org_a
        twofactor._new_recovery_codes(sue)
        sue_client = self.client_for(sue)
        assert sue_client.get(reverse("home")).status_code == 200
        response = self.superuser_client().post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [sue.pk]},
        )
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=sue).exists() and not StaticDevice.objects.filter(user=sue).exists()
        # The open session is no longer verified: set up again before anything else.
        assert sue_client.get(reverse("home"))["Location"].startswith(SETUP)
        event = AuditEvent.objects.get(action="two_factor_reset")
        assert event.actor.username == "root_superuser" and event.organisation == self.org_a
        assert event.target_id == str(sue.pk) and event.details["devices_removed"] == 2

    def test_admin_user_page_shows_the_state_but_not_the_secret(self) -> None:
        device = TOTPDevice.objects.get(user=self.sue_supervisor_org_a)
        html = (
            self.superuser_client()
            .get(reverse("admin:accounts_user_change", args=[self.sue_supervisor_org_a.pk]))
            .content.decode()
        )
        assert "Set up, with 0 recovery codes left" in html and device.key not in html

    def test_command_line_reset(self) -> None:
        out = StringIO()
        call_command("reset_two_factor", "ada_admin", "--reason", "Lost phone", stdout=out)
        assert "reset for ada_admin" in out.getvalue()
        assert not TOTPDevice.objects.filter(user=self.ada_admin_org_a).exists()
        event = AuditEvent.objects.get(action="two_factor_reset")
        assert event.actor is None and event.actor_label.startswith("manage.py")
        assert event.details["reason"] == "Lost phone"
        assert verify_chains(save=False).ok

    def test_new_users_in_required_roles_start_without_a_device(self) -> None:
        user = User.objects.create_user("new_supervisor", password=PASSWORD)
        from accounts.models import Membership

        Membership.objects.create(user=user, organisation=self.org_a, role=Role.SUPERVISOR)
        client, _ = sign_in("new_supervisor")
        assert client.get(reverse("home"))["Location"].startswith(SETUP)
        assert make_user  # (World's make_user gives its named users a device; real accounts have none)


class TimeoutWithTwoStepTests(World):
    def test_answer_typed_before_a_timeout_survives_sign_in_and_the_code(self) -> None:
        from .wizard_helpers import start, step_url, valid_post

        alice = self.alice_practitioner_org_a
        device = TOTPDevice.objects.create(user=alice, name="Phone", confirmed=True)
        with time_machine.travel(START, tick=False):
            client, _ = sign_in("alice_practitioner")
            client.post(VERIFY, {"code": code_for(device)})
            reference = start(client)
            url = step_url(reference, "request")
        # 45 minutes later the session has expired; the answer typed is posted, and kept.
        with time_machine.travel(START + dt.timedelta(minutes=45), tick=False):
            response = client.post(url, valid_post("request", requester_name="Typed before timeout"))
            assert response["Location"].startswith(LOGIN)
            response = client.post(
                f"{LOGIN}?next={url}", {"username": "alice_practitioner", "password": PASSWORD, "next": url}
            )
            assert response["Location"] == url
            response = client.get(url)
            assert response["Location"].startswith(VERIFY)
            page = client.get(response["Location"]).content.decode()
            assert "Your decisions" not in page  # no menu until verified
            device.refresh_from_db()
            assert client.post(response["Location"], {"code": code_for(device)})["Location"] == url
            html = client.get(url).content.decode()
        assert "Typed before timeout" in html and "signed out before this page was saved" in html
