"""Sign in and out, what needs a login, the home page per role, seed_demo, healthz."""

from __future__ import annotations

import os
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Membership, Organisation, Team, User
from audit.models import AuditEvent

from .base import PASSWORD, World


class SignInTests(World):
    def test_sign_in_page_renders_with_gov_uk_layout(self) -> None:
        response = Client().get(reverse("accounts:login"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-template" in html and "Sign in" in html
        assert "GDS Transport" not in html and "govuk-crest" not in html

    def test_good_password_signs_in_and_is_audited(self) -> None:
        client = Client(REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="pytest")
        response = client.post(reverse("accounts:login"), {"username": "alice_practitioner", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("home")
        event = AuditEvent.objects.get(action="login")
        assert event.actor == self.alice_practitioner_org_a
        assert event.organisation == self.org_a
        assert (event.ip_address, event.user_agent) == ("192.0.2.10", "pytest")

    def test_bad_password_shows_an_error_and_is_audited_without_the_password(self) -> None:
        response = Client().post(reverse("accounts:login"), {"username": "alice_practitioner", "password": "wrong"})
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
        assert "govuk-error-summary" in response.content.decode()
        event = AuditEvent.objects.get(action="login_failed")
        assert event.actor is None and event.organisation == self.org_a
        assert event.details == {"username": "alice_practitioner", "known_user": True}
        assert "wrong" not in str(event.canonical_payload())

    def test_unknown_user_failure_goes_to_the_global_chain(self) -> None:
        Client().post(reverse("accounts:login"), {"username": "mallory", "password": "x"})
        event = AuditEvent.objects.get(action="login_failed")
        assert event.chain_key == "global" and event.details == {"known_user": False}
        # Whatever was typed is client data: kept outside the hash, cleared with the address.
        assert event.typed_username == "mallory" and event.actor_label == ""
        assert "mallory" not in str(event.canonical_payload())

    def test_empty_form_says_what_to_enter(self) -> None:
        # The world's accounts are in the trail already (issue 25 item 2): an empty form adds nothing to it.
        before = AuditEvent.objects.count()
        response = Client().post(reverse("accounts:login"), {})
        html = response.content.decode()
        assert "Enter your username" in html and "Enter your password" in html
        assert AuditEvent.objects.count() == before

    def test_sign_out_is_a_post_and_is_audited(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        assert client.get(reverse("accounts:logout")).status_code == 405
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert AuditEvent.objects.filter(action="logout", actor=self.alice_practitioner_org_a).exists()
        assert client.get(reverse("home")).status_code == 302


class LoginRequiredTests(World):
    def test_every_page_but_sign_in_and_healthz_needs_a_login(self) -> None:
        client = Client()
        for url in [reverse("home"), reverse("decisions:list"), reverse("decisions:start"), "/decisions/OA-2026-00001"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url

    def test_healthz_is_public_and_checks_the_database(self) -> None:
        response = Client().get(reverse("healthz"))
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert Client().post(reverse("healthz")).status_code == 405


class HomeTests(World):
    def test_practitioner_is_offered_a_new_decision(self) -> None:
        html = self.client_for(self.alice_practitioner_org_a).get(reverse("home")).content.decode()
        assert "Record a new decision" in html

    def test_other_roles_are_not_offered_a_new_decision(self) -> None:
        for user in [self.sue_supervisor_org_a, self.ada_admin_org_a, self.aud_auditor_org_a]:
            html = self.client_for(user).get(reverse("home")).content.decode()
            assert "Record a new decision" not in html, user
            assert "All decisions</a>" in html, user

    def test_user_without_an_organisation_is_told_so(self) -> None:
        html = self.client_for(self.nobody_without_org).get(reverse("home")).content.decode()
        assert "not part of an organisation" in html

    def test_header_names_the_role_and_organisation(self) -> None:
        html = self.client_for(self.sue_supervisor_org_a).get(reverse("home")).content.decode()
        assert "supervisor at Org A Partnership" in html


class ErrorPageTests(World):
    @override_settings(DEBUG=False)
    def test_unknown_page_is_a_gov_uk_404(self) -> None:
        response = self.client_for(self.alice_practitioner_org_a).get("/no-such-page")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


@override_settings(DEMO=True)  # seed_demo and demo_code run only in the demo profile
class SeedDemoTests(World):
    def test_seed_demo_is_idempotent_and_prints_logins(self) -> None:
        out = StringIO()
        with mock.patch.dict(os.environ, {"DEMO_PASSWORD": "demo password for tests"}):
            call_command("seed_demo", "--no-decisions", stdout=out)
            counts = (Organisation.objects.count(), Team.objects.count(), User.objects.count())
            call_command("seed_demo", "--no-decisions", stdout=StringIO())
        assert (Organisation.objects.count(), Team.objects.count(), User.objects.count()) == counts
        # One of each role, and a second admin (disposal needs two).
        assert Membership.objects.filter(organisation__slug="northshire").count() == 5
        assert set(Membership.objects.filter(organisation__slug="southvale").values_list("role", flat=True)) == {
            "practitioner",
            "supervisor",
            "admin",
            "auditor",
        }
        assert "practitioner.north" in out.getvalue() and "demo password for tests" in out.getvalue()
        assert Client().login(username="auditor.south", password="demo password for tests")

    def test_generated_passwords_are_printed_and_work(self) -> None:
        out = StringIO()
        call_command("seed_demo", "--no-decisions", stdout=out)
        line = next(line for line in out.getvalue().splitlines() if "supervisor.north" in line)
        password = line.split()[-1]
        assert len(password) >= 12
        assert Client().login(username="supervisor.north", password=password)
