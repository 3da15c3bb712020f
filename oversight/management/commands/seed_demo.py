"""Create (or refresh) two demo organisations with a user for every role, and sample decisions in every
state with six months of history (oversight/demo.py). Safe to run again: existing samples are kept.

It lives in oversight, the top of the layering, because the samples are made through the decision and review
services.

Demo supervisors, admins, auditors and the superuser get an authenticator key at once, so the demonstration
needs no phone: the keys are printed, and `manage.py demo_code USERNAME` prints the current code. Every
account made here is marked as a demo account; an existing account that is not one is never touched.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts import twofactor
from accounts.models import Membership, Organisation, Role, Team, User
from oversight import demo

DEMO_ORGANISATIONS = [
    ("Northshire Safeguarding Partnership", "northshire", "NSP", "Children's Services Front Door", "north"),
    ("Southvale Safeguarding Partnership", "southvale", "SVP", "Early Help Team", "south"),
]
PEOPLE = {
    Role.PRACTITIONER: ("Alex", "Practitioner", "Social worker"),
    Role.SUPERVISOR: ("Sam", "Supervisor", "Team manager"),
    Role.ADMIN: ("Ari", "Admin", "Safeguarding business manager"),
    Role.AUDITOR: ("Jo", "Auditor", "Information governance auditor"),
}
# A second admin in each organisation, so the demo can show a disposal proposed by one admin and approved by
# another (retention needs two).
SECOND_ADMINS = [("admin2", Role.ADMIN, ("Bea", "Admin", "Records manager"))]


class Command(BaseCommand):
    help = (
        "Create demo organisations, teams, one user per role in each and sample decisions in every state "
        "(idempotent). Prints the logins and the two-step keys of the demo accounts that need one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-decisions", action="store_true", help="Only the organisations and people, no sample decisions"
        )

    def demo_user(self, username: str, defaults: dict[str, Any]) -> User | None:
        """The demo account with this username, made now if missing; None (and a warning) if a real account
        has the name."""
        user, created = User.objects.get_or_create(username=username, defaults={**defaults, "demo_account": True})
        if not created and not user.demo_account:
            self.stderr.write(
                f"{username} exists and was not made by seed_demo, so it was left as it is (no new password, "
                "no two-step key)."
            )
            return None
        return user

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError(
                "seed_demo makes accounts whose passwords and two-step keys it prints: it runs only in the demo "
                "profile (DEMO=true, as `make run` sets), never against real records."
            )
        fixed_password = os.environ.get("DEMO_PASSWORD")
        rows: list[tuple[str, str, str, str]] = []
        keys: list[tuple[str, str]] = []
        casts: dict[str, dict[str, Any]] = {}
        fresh = not Organisation.objects.filter(slug__in=[o[1] for o in DEMO_ORGANISATIONS]).exists()
        with self._history_start() if fresh and not options["no_decisions"] else nullcontext():
            self._people(fixed_password, rows, keys, casts)
        if not options["no_decisions"]:
            self._samples(casts)
        self._print(rows, keys)

    def _history_start(self) -> AbstractContextManager[Any]:
        """On a new database the people join when the samples' history starts, so the audit trail reads in
        order from its first event."""
        import time_machine

        return time_machine.travel(timezone.now() - dt.timedelta(days=demo.HISTORY_DAYS), tick=False)

    def _people(
        self,
        fixed_password: str | None,
        rows: list[tuple[str, str, str, str]],
        keys: list[tuple[str, str]],
        casts: dict[str, dict[str, Any]],
    ) -> None:
        for name, slug, prefix, team_name, short in DEMO_ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                # The samples' history begins under the July 2018 advice; Southvale's admin moves it to 2024
                # a week before now (oversight/demo.py).
                slug=slug,
                defaults={"name": name, "reference_prefix": prefix, "guidance_edition": "2018"},
            )
            team, _ = Team.objects.get_or_create(organisation=organisation, name=team_name)
            accounts = [(role.value, role, names) for role, names in PEOPLE.items()] + SECOND_ADMINS
            for stem, role, (first, last, title) in accounts:
                username = f"{stem}.{short}"
                user = self.demo_user(
                    username, {"first_name": first, "last_name": f"{last} ({short.title()})", "job_title": title}
                )
                if user is None:
                    continue
                password = fixed_password or secrets.token_urlsafe(12)
                # A password change is an audited account change: running again with the same password makes none.
                if not (fixed_password and user.check_password(password)):
                    user.set_password(password)
                user.email = f"{username}@example.org"
                user.save()
                Membership.objects.update_or_create(
                    user=user, defaults={"organisation": organisation, "team": team, "role": role}
                )
                user.refresh_from_db()
                rows.append((organisation.name, str(role.label), username, password))
                casts.setdefault(short, {"organisation": organisation, "short": short})[stem] = user
                if twofactor.is_required(user):
                    twofactor.enrol_demo(user=user)
                    keys.append((username, twofactor.demo_key(user)))
        superuser = self.demo_user("superuser", {"first_name": "Site", "last_name": "Superuser"})
        if superuser is not None:
            superuser.is_staff = superuser.is_superuser = True
            password = fixed_password or secrets.token_urlsafe(12)
            if not (fixed_password and superuser.check_password(password)):
                superuser.set_password(password)
            superuser.save()
            rows.append(("(Django admin at /django-admin/)", "Superuser", "superuser", password))
            twofactor.enrol_demo(user=superuser)
            keys.append(("superuser", twofactor.demo_key(superuser)))

    def _samples(self, casts: dict[str, dict[str, Any]]) -> None:
        for offset, (short, people) in enumerate(casts.items()):
            needed = [role.value for role in PEOPLE]
            if any(role not in people for role in needed):
                self.stderr.write(f"No sample decisions for {short}: not every demo account there is seed_demo's.")
                continue
            cast = demo.Cast(
                organisation=people["organisation"],
                short=short,
                practitioner=people[Role.PRACTITIONER.value],
                supervisor=people[Role.SUPERVISOR.value],
                admin=people[Role.ADMIN.value],
                auditor=people[Role.AUDITOR.value],
            )
            # The second organisation reviews before sharing: its admin changed the setting early on.
            report = demo.seed_samples(cast, offset=offset, settings_change=offset == 1)
            self.stdout.write(
                f"Sample decisions for {cast.organisation.name}: {len(report.made)} made, {report.kept} already there."
            )

    def _print(self, rows: list[tuple[str, str, str, str]], keys: list[tuple[str, str]]) -> None:
        self.stdout.write("Demo logins (passwords are new each run unless DEMO_PASSWORD is set):")
        for org, role_label, username, password in rows:
            self.stdout.write(f"  {org:<40} {role_label:<13} {username:<22} {password}")
        self.stdout.write("")
        self.stdout.write(
            "Two-step verification keys (the same on every run). At the code prompt, run "
            "`make demo-code WHO=<username>` for the current code, or type the key into any authenticator app:"
        )
        for username, key in keys:
            self.stdout.write(f"  two-step key {username:<22} {key}")
