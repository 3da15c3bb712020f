"""Create (or refresh) two demo organisations with a user for every role. Safe to run again."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Organisation, Role, Team, User

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


class Command(BaseCommand):
    help = "Create demo organisations, teams and one user per role in each (idempotent). Prints the logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        fixed_password = os.environ.get("DEMO_PASSWORD")
        rows: list[tuple[str, str, str, str]] = []
        for name, slug, prefix, team_name, short in DEMO_ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                slug=slug, defaults={"name": name, "reference_prefix": prefix}
            )
            team, _ = Team.objects.get_or_create(organisation=organisation, name=team_name)
            for role, (first, last, title) in PEOPLE.items():
                username = f"{role.value}.{short}"
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": f"{last} ({short.title()})",
                        "job_title": title,
                    },
                )
                password = fixed_password or secrets.token_urlsafe(12)
                user.set_password(password)
                user.email = f"{username}@example.org"
                user.save()
                Membership.objects.update_or_create(
                    user=user, defaults={"organisation": organisation, "team": team, "role": role}
                )
                rows.append((organisation.name, str(role.label), username, password))
        superuser, _ = User.objects.get_or_create(
            username="superuser", defaults={"first_name": "Site", "last_name": "Superuser"}
        )
        superuser.is_staff = superuser.is_superuser = True
        password = fixed_password or secrets.token_urlsafe(12)
        superuser.set_password(password)
        superuser.save()
        rows.append(("(Django admin at /django-admin/)", "Superuser", "superuser", password))
        self.stdout.write("Demo logins (passwords are new each run unless DEMO_PASSWORD is set):")
        for org, role_label, username, password in rows:
            self.stdout.write(f"  {org:<40} {role_label:<13} {username:<22} {password}")
