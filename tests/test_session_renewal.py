"""A session in use is renewed at most once a minute (one database write a minute, not one a page), and one left
idle for SESSION_COOKIE_AGE ends as before."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import checks
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.checks import idle_timeout_is_short
from sharing_app.sessions import stored_key

from .base import World

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
HOME = reverse("home")


def session_writes(queries: CaptureQueriesContext) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    )


class SessionRenewalTests(World):
    def expiry(self, client: object) -> dt.datetime:
        key = stored_key(client.session.session_key)  # type: ignore[arg-type]
        return Session.objects.get(session_key=key).expire_date  # type: ignore[attr-defined]

    def test_renewed_at_most_once_a_minute_while_in_use(self) -> None:
        with time_machine.travel(START, tick=False):
            client = self.client_for(self.alice_practitioner_org_a)
            with CaptureQueriesContext(connection) as queries:
                client.get(HOME)
            assert session_writes(queries) == 0  # signing in saved it, as renewed
            first = self.expiry(client)
        with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(HOME).status_code == 200
            assert session_writes(queries) == 0
            assert self.expiry(client) == first
        with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):
            with CaptureQueriesContext(connection) as queries:
                client.get(HOME)
            assert session_writes(queries) == 1
            assert self.expiry(client) == first + dt.timedelta(seconds=61)
        with time_machine.travel(START + dt.timedelta(seconds=100), tick=False):
            with CaptureQueriesContext(connection) as queries:
                client.get(HOME)
            assert session_writes(queries) == 0

    def test_kept_alive_by_use_and_ended_by_idleness(self) -> None:
        age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        with time_machine.travel(START, tick=False):
            client = self.client_for(self.alice_practitioner_org_a)
            client.get(HOME)
        # In use every 20 minutes for an hour: still signed in.
        for minutes in (20, 40, 60):
            with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
                assert client.get(HOME).status_code == 200
        # Then idle for the whole SESSION_COOKIE_AGE: signed out.
        with time_machine.travel(START + dt.timedelta(minutes=60) + age + dt.timedelta(seconds=1), tick=False):
            response = client.get(HOME)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    def test_the_deploy_check_accepts_renewal_and_warns_without_it(self) -> None:
        assert idle_timeout_is_short(None) == []
        middleware = [m for m in settings.MIDDLEWARE if m != "accounts.sessions.RenewSessionMiddleware"]
        with override_settings(MIDDLEWARE=middleware):
            warnings = idle_timeout_is_short(None)
        assert [w.id for w in warnings] == ["accounts.W002"] and isinstance(warnings[0], checks.Warning)
        with override_settings(SESSION_RENEW_SECONDS=600):
            assert [w.id for w in idle_timeout_is_short(None)] == ["accounts.W002"]
