"""Issue 25 item 3: a database writer cleared the client data (addresses, browsers) of 1,246 recent events with two
SQL statements, a far-future clearing row and an UPDATE, and verify_audit still said OK. Clearing rows are now
signed with the checkpoint key, the database refuses a cut-off later than its start minus the keep period, and the
chain check fails on an unsigned or future row and on any recent event whose client data is gone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from audit import actions, clearing
from audit import services as audit
from audit.models import AuditEvent, ClientDataClearing
from audit.verify import verify_chains

from ..audit_helpers import triggers_disabled
from ..base import World

TODAY = timezone.now()
LAST_YEAR = TODAY - dt.timedelta(days=400)
CLEAR = "UPDATE audit_auditevent SET ip_address = NULL, user_agent = '', typed_username = NULL, client_salt = NULL"


def signed_in(ip: str = "192.0.2.7") -> AuditEvent:
    request = RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT="Browser/1.0")
    return audit.record(action=actions.LOGIN, request=request)


def forge_clearing_row(cleared_before: dt.datetime, started_at: dt.datetime, **extra: object) -> None:
    columns = ["cleared_before", "started_at", *extra]
    values = [cleared_before, started_at, *extra.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO audit_clientdataclearing({', '.join(columns)}) "  # noqa: S608 - test constants
            f"VALUES ({', '.join(['%s'] * len(values))})",
            values,
        )


def clear_with_sql() -> int:
    with connection.cursor() as cursor:
        cursor.execute(CLEAR + " WHERE ip_address IS NOT NULL")
        return cursor.rowcount


class ForgedClearingRows(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with time_machine.travel(LAST_YEAR, tick=False):
            cls.old = signed_in()
        cls.today = [signed_in(f"192.0.2.{n}") for n in range(1, 6)]

    def test_a_far_future_cutoff_is_refused_and_clears_nothing(self) -> None:
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            forge_clearing_row(dt.datetime(2999, 1, 1, tzinfo=dt.UTC), TODAY)
        # With the row refused, the UPDATE that followed it in the attack clears nothing.
        cleared = 0
        try:
            with transaction.atomic():
                cleared = clear_with_sql()
        except (IntegrityError, DatabaseError):
            pass
        assert cleared == 0
        assert AuditEvent.objects.filter(ip_address__isnull=True, client_digest__gt="").count() == 0

    def test_a_row_starting_in_the_future_is_refused(self) -> None:
        start = TODAY + dt.timedelta(days=800)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            forge_clearing_row(start - dt.timedelta(days=400), start, keep_days=365)

    def test_an_unsigned_row_that_keeps_to_the_rule_fails_the_chain_check(self) -> None:
        # A writer who cannot sign, keeping within what the trigger allows: one day's keep period.
        forge_clearing_row(TODAY - dt.timedelta(days=2), TODAY, keep_days=1)
        assert verify_chains(save=False).ok is False

    def test_a_far_future_row_slipped_past_the_trigger_fails_the_chain_check(self) -> None:
        with triggers_disabled("audit_clientdataclearing", "audit_auditevent"):
            forge_clearing_row(dt.datetime(2999, 1, 1, tzinfo=dt.UTC), TODAY)
            clear_with_sql()
        report = verify_chains(save=False)
        assert report.ok is False, report.message

    def test_recent_events_cleared_behind_a_signed_row_fail_the_chain_check(self) -> None:
        clearing.clearing_open(before=TODAY - dt.timedelta(days=365))
        with triggers_disabled("audit_auditevent"):
            AuditEvent.objects.filter(pk=self.today[0].pk).update(
                ip_address=None, user_agent="", typed_username=None, client_salt=None
            )
        report = verify_chains(save=False)
        assert report.ok is False and "before its time" in report.message, report.message

    def test_the_service_clears_old_events_and_the_chain_still_verifies(self) -> None:
        clearing.clearing_open(before=TODAY - dt.timedelta(days=365))
        with transaction.atomic():
            batch = clearing.clear_batch(before=TODAY - dt.timedelta(days=365), after=None, cursor=None, limit=100)
        assert batch.events == 1
        row = ClientDataClearing.objects.get()
        assert row.signature and row.keep_days == 365
        assert verify_chains(save=False).ok

    def test_the_service_refuses_a_cutoff_inside_the_keep_period(self) -> None:
        with pytest.raises(ValueError):
            clearing.clearing_open(before=TODAY - dt.timedelta(days=10))

    @override_settings(AUDIT_CLIENT_DATA_KEEP_DAYS=365)
    def test_rows_from_before_signing_are_checked_by_the_rule(self) -> None:
        # Written before migration 0005: no keep period, no signature. One that kept to the rule is accepted...
        with triggers_disabled("audit_clientdataclearing"):
            forge_clearing_row(TODAY - dt.timedelta(days=366), TODAY)
        assert verify_chains(save=False).ok
        # ...one that did not is not.
        with triggers_disabled("audit_clientdataclearing"):
            forge_clearing_row(TODAY - dt.timedelta(days=3), TODAY)
        assert verify_chains(save=False).ok is False
