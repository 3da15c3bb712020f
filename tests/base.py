"""A small named world, built once per test class: two organisations, each role in each."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.hashers import make_password
from django.test import Client, TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import Membership, Organisation, Role, Team, User

PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    # Argon2 takes a fraction of a second by design; hashing once per process keeps World quick to build.
    return make_password(PASSWORD)


def make_user(username: str, organisation: Organisation | None, role: Role | None, team: Team | None = None) -> User:
    first, _, last = username.partition("_")
    user = User.objects.create(
        username=username, password=password_hash(), first_name=first.title(), last_name=last.title()
    )
    if organisation is not None and role is not None:
        Membership.objects.create(user=user, organisation=organisation, team=team, role=role)
    if twofactor.is_required(user):
        # Supervisors, admins and auditors have an authenticator app; client_for signs in "with" it.
        TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    return user


def verified_client(user: User) -> Client:
    """A client signed in as `user`, past two-step verification where the role needs it."""
    client = Client()
    client.force_login(user)
    if twofactor.is_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class World(TestCase):
    """`self.alice_practitioner_org_a` and friends. Org B mirrors org A so every test can try the other side."""

    org_a: Organisation
    org_b: Organisation
    team_a: Team
    team_b: Team

    @classmethod
    def setUpTestData(cls) -> None:
        # Both on the 2018 edition, which most tests walk; tests of the 2024 edition switch an organisation over
        # (tests/edition_helpers.py). New organisations otherwise start on 2024.
        cls.org_a = Organisation.objects.create(
            name="Org A Partnership", slug="org-a", reference_prefix="OA", guidance_edition="2018"
        )
        cls.org_b = Organisation.objects.create(
            name="Org B Partnership", slug="org-b", reference_prefix="OB", guidance_edition="2018"
        )
        cls.team_a = Team.objects.create(organisation=cls.org_a, name="Front door A")
        cls.team_b = Team.objects.create(organisation=cls.org_b, name="Front door B")
        cls.alice_practitioner_org_a = make_user("alice_practitioner", cls.org_a, Role.PRACTITIONER, cls.team_a)
        cls.amir_practitioner_org_a = make_user("amir_practitioner", cls.org_a, Role.PRACTITIONER, cls.team_a)
        cls.sue_supervisor_org_a = make_user("sue_supervisor", cls.org_a, Role.SUPERVISOR, cls.team_a)
        cls.ada_admin_org_a = make_user("ada_admin", cls.org_a, Role.ADMIN, cls.team_a)
        cls.aud_auditor_org_a = make_user("aud_auditor", cls.org_a, Role.AUDITOR, cls.team_a)
        cls.bob_practitioner_org_b = make_user("bob_practitioner", cls.org_b, Role.PRACTITIONER, cls.team_b)
        cls.sid_supervisor_org_b = make_user("sid_supervisor", cls.org_b, Role.SUPERVISOR, cls.team_b)
        cls.bea_admin_org_b = make_user("bea_admin", cls.org_b, Role.ADMIN, cls.team_b)
        cls.ben_auditor_org_b = make_user("ben_auditor", cls.org_b, Role.AUDITOR, cls.team_b)
        cls.nobody_without_org = make_user("nobody_noorg", None, None)

    def client_for(self, user: User) -> Client:
        return verified_client(user)

    @property
    def every_role_org_a(self) -> list[User]:
        return [
            self.alice_practitioner_org_a,
            self.sue_supervisor_org_a,
            self.ada_admin_org_a,
            self.aud_auditor_org_a,
        ]

    @property
    def every_role_org_b(self) -> list[User]:
        return [
            self.bob_practitioner_org_b,
            self.sid_supervisor_org_b,
            self.bea_admin_org_b,
            self.ben_auditor_org_b,
        ]


def form_errors(response: Any) -> str:
    """The error summary text of a rendered page, for readable assertions."""
    content = response.content.decode()
    start = content.find("govuk-error-summary")
    return content[start : start + 3000] if start >= 0 else ""
