"""Break glass: reset someone's two-step verification from the server, e.g. the only superuser's."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import twofactor


class Command(BaseCommand):
    help = "Remove a user's authenticator app and recovery codes; they set it up again at their next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="Kept in the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No user with that username.")
        operator = getpass.getuser()
        twofactor.reset(user=user, by_label=f"manage.py ({operator})", reason=options["reason"])
        self.stdout.write(f"Two-step verification reset for {user.get_username()}.")
