"""Print a demo account's current two-step verification code, so the demonstration needs no phone.

Only for accounts `seed_demo` made (marked as demo accounts, which no form can set): anyone else's key or
code is never printed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import twofactor


class Command(BaseCommand):
    help = "Print the current two-step code of a demo account made by seed_demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("demo_code runs only in the demo profile (DEMO=true, as `make run` sets).")
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No user with that username.")
        if not user.demo_account:
            raise CommandError(
                f"{user.get_username()} is not a demo account made by seed_demo: its two-step codes are never printed."
            )
        try:
            code, left = twofactor.demo_code(user)
        except twofactor.NotADemoAccount:
            raise CommandError(
                f"{user.get_username()} has no two-step key: it signs in with its password alone."
            ) from None
        self.stdout.write(code)
        self.stderr.write(f"Valid for {left} more second{'s' if left != 1 else ''}; each code works once.")
