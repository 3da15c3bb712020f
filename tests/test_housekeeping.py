"""Housekeeping: expired sessions removed, expired export files deleted (on disk and in a bucket), the client data
of old audit events cleared without breaking the chain; each audited with counts only, on a daily schedule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit import actions, clearing
from audit import services as audit
from audit.models import AuditEvent, ClientDataClearing, LegacyClearing
from audit.verify import verify_chains
from exports import expiry
from exports.models import BulkExport, ExportStatus
from exports.storage import export_storage
from housekeeping import jobs, tasks
from housekeeping.models import HousekeepingRun, RunStatus

from .audit_helpers import triggers_disabled
from .base import World
from .storage_helpers import bucket_keys, exports_in, exports_in_bucket, moto_endpoint, new_bucket  # noqa: F401

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LONG_AGO = dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
# A cut-off after LONG_AGO's events that is older than the keep period (clearing rows refuse a later one).
OPEN_BEFORE = LONG_AGO + dt.timedelta(days=1)


def request_from(ip: str = "192.0.2.7", ua: str = "Browser/1.0") -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


def legacy_event(**kwargs: Any) -> AuditEvent:
    """An event as written before format 2: its hash covers the raw address and browser."""
    from unittest import mock

    with mock.patch("audit.services.PAYLOAD_FORMAT", None):
        event = audit.record(**kwargs)
    with triggers_disabled("audit_auditevent"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET client_salt = NULL, client_digest = NULL WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.format == 1 and event.compute_hash() == event.hash
    return event


def run_housekeeping() -> HousekeepingRun:
    run = jobs.housekeeping_start()
    assert run is not None
    run.refresh_from_db()
    return run


@override_settings(TASKS=IMMEDIATE, HOUSEKEEPING_BATCH=2)
class ClientDataTests(World):
    def old_and_new_events(self) -> tuple[list[AuditEvent], list[AuditEvent]]:
        with time_machine.travel(LONG_AGO, tick=False):
            old = [
                audit.record(action=actions.LOGIN, actor=self.alice_practitioner_org_a, organisation=self.org_a,
                             request=request_from()),
                legacy_event(action=actions.LOGIN, actor=self.sue_supervisor_org_a, organisation=self.org_a,
                             request=request_from("198.51.100.4", "Old/2.0")),
                audit.record(action=actions.LOGIN_FAILED, details={"known_user": False},
                             typed_username="someone@example.org", request=request_from()),
                legacy_event(action=actions.LOGOUT, actor=self.sue_supervisor_org_a, organisation=self.org_a,
                             request=request_from("198.51.100.4", "Old/2.0")),
            ]  # fmt: skip
        with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
            new = [audit.record(action=actions.LOGIN, actor=self.alice_practitioner_org_a, organisation=self.org_a,
                                request=request_from("203.0.113.9"))]  # fmt: skip
        return old, new

    def test_new_events_hash_a_salted_digest_not_the_address(self) -> None:
        event = audit.record(action=actions.LOGIN, organisation=self.org_a, request=request_from())
        payload = str(event.canonical_payload())
        assert event.format == 2 and "192.0.2.7" not in payload and "Browser" not in payload
        assert len(event.client_salt or "") == 32 and event.client_digest == event.compute_client_digest()
        # The same address in another event gives another digest: the digest says nothing on its own.
        other = audit.record(action=actions.LOGIN, organisation=self.org_a, request=request_from())
        assert other.client_digest != event.client_digest
        assert verify_chains(save=False).ok

    def test_changing_a_new_events_address_is_detected(self) -> None:
        event = audit.record(action=actions.LOGIN, organisation=self.org_a, request=request_from())
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET ip_address = '10.0.0.1' WHERE id = %s", [event.pk])
        report = verify_chains(save=False)
        assert not report.ok and report.first_broken_event_id == event.pk and "address" in report.message

    def test_old_client_data_is_cleared_and_the_chain_still_verifies(self) -> None:
        old, new = self.old_and_new_events()
        with time_machine.travel(NOW, tick=False):
            run = run_housekeeping()
        assert run.status == RunStatus.DONE
        assert (run.client_events_cleared, run.format_1_events_cleared, run.client_events_left) == (4, 2, 0)
        for event in old:
            event.refresh_from_db()
            assert event.client_cleared
            assert (event.ip_address, event.user_agent, event.typed_username, event.client_salt) == (
                None,
                "",
                None,
                None,
            )
        new[0].refresh_from_db()
        assert new[0].ip_address == "203.0.113.9"
        assert LegacyClearing.objects.count() == 2
        report = verify_chains(save=False)
        assert report.ok, report.message
        # Counts only, in the global chain.
        summary = AuditEvent.objects.get(action=actions.HOUSEKEEPING_CLIENT_DATA)
        assert summary.details["events_cleared"] == 4 and summary.chain_key == "global"
        assert "192.0.2.7" not in str(list(AuditEvent.objects.values_list("details", flat=True)))

    def test_a_second_run_clears_only_what_aged_since(self) -> None:
        self.old_and_new_events()
        # Runs in the past, not the future: the database refuses a clearing that starts ahead of its own clock.
        with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
            audit.record(action=actions.LOGIN, organisation=self.org_a, request=request_from("203.0.113.10"))
        with time_machine.travel(NOW - dt.timedelta(days=360), tick=False):
            run_housekeeping()
        with time_machine.travel(NOW, tick=False):
            second = run_housekeeping()
        assert second.client_data_from is not None and second.client_events_cleared == 1
        assert not AuditEvent.objects.filter(clearing.HAS_CLIENT_DATA, occurred_at__lt=second.client_data_before)
        assert verify_chains(save=False).ok

    def test_the_keeping_period_is_a_setting(self) -> None:
        self.old_and_new_events()
        with time_machine.travel(NOW, tick=False), override_settings(AUDIT_CLIENT_DATA_KEEP_DAYS=7):
            run = run_housekeeping()
        assert run.client_events_cleared == 5 and verify_chains(save=False).ok

    def test_tampering_after_clearing_is_still_detected(self) -> None:
        old, _ = self.old_and_new_events()
        with time_machine.travel(NOW, tick=False):
            run_housekeeping()
        legacy = old[1]
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'innocent' WHERE id = %s", [legacy.pk])
        report = verify_chains(save=False)
        assert not report.ok and report.first_broken_event_id == legacy.pk
        assert "after its address and browser were cleared" in report.message

    def test_a_forged_clearing_record_is_detected(self) -> None:
        old, _ = self.old_and_new_events()
        with time_machine.travel(NOW, tick=False):
            run_housekeeping()
        legacy = old[3]
        legacy.action = "innocent"
        forged = legacy.compute_hash(without_client=True)
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'innocent' WHERE id = %s", [legacy.pk])
            cursor.execute("UPDATE audit_legacyclearing SET rest_digest = %s WHERE event_id = %s", [forged, legacy.pk])
        report = verify_chains(save=False)
        assert not report.ok and "signature does not verify" in report.message

    def test_new_events_cleared_without_a_salt_are_detected(self) -> None:
        old, _ = self.old_and_new_events()
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET client_salt = NULL WHERE id = %s", [old[0].pk])
        assert not verify_chains(save=False).ok

    def test_without_a_signing_key_old_format_events_are_left(self) -> None:
        old, _ = self.old_and_new_events()
        with time_machine.travel(NOW, tick=False), override_settings(AUDIT_SIGNING_KEY_FILE="", AUDIT_SIGNING_KEY=""):
            run = run_housekeeping()
            # Its clearing row is unsigned: without a key that is all there can be (with one, it would not verify).
            assert verify_chains(save=False).ok
        assert (run.client_events_cleared, run.client_events_left) == (2, 2)
        old[1].refresh_from_db()
        assert old[1].ip_address == "198.51.100.4"


class NarrowPathTests(World):
    """The database refuses every change to an event but the clearing, and the clearing except through its path."""

    def setUp(self) -> None:
        with time_machine.travel(LONG_AGO, tick=False):
            self.event = audit.record(action=actions.LOGIN, organisation=self.org_a, request=request_from())
            self.legacy = legacy_event(action=actions.LOGIN, organisation=self.org_a, request=request_from())

    def refused(self, **changes: Any) -> None:
        with pytest.raises((IntegrityError, DatabaseError)) as excinfo, transaction.atomic():
            AuditEvent.objects.filter(pk=self.event.pk).update(**changes)
        assert "append-only" in str(excinfo.value)

    def test_clearing_without_a_clearing_row_is_refused(self) -> None:
        self.refused(ip_address=None, user_agent="", client_salt=None, typed_username=None)

    def test_clearing_an_event_newer_than_the_cutoff_is_refused(self) -> None:
        clearing.clearing_open(before=LONG_AGO - dt.timedelta(days=1))
        self.refused(ip_address=None, user_agent="", client_salt=None, typed_username=None)

    def test_changing_anything_else_is_refused_even_when_clearing_is_open(self) -> None:
        clearing.clearing_open(before=OPEN_BEFORE)
        self.refused(ip_address=None, user_agent="", client_salt=None, typed_username=None, action="innocent")
        self.refused(ip_address="10.0.0.1")
        self.refused(ip_address=None, user_agent="", typed_username=None)  # the salt would be left behind

    def test_the_narrow_path_is_allowed(self) -> None:
        clearing.clearing_open(before=OPEN_BEFORE)
        AuditEvent.objects.filter(pk=self.event.pk).update(
            ip_address=None, user_agent="", client_salt=None, typed_username=None
        )
        self.event.refresh_from_db()
        assert self.event.client_cleared and verify_chains(save=False).ok

    def test_an_old_format_event_needs_its_signed_record(self) -> None:
        clearing.clearing_open(before=OPEN_BEFORE)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            AuditEvent.objects.filter(pk=self.legacy.pk).update(ip_address=None, user_agent="")

    def test_events_and_clearing_records_cannot_be_deleted(self) -> None:
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            AuditEvent.objects.filter(pk=self.event.pk).delete()
        row = clearing.clearing_open(before=OPEN_BEFORE)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            ClientDataClearing.objects.filter(pk=row.pk).delete()


@override_settings(TASKS=IMMEDIATE, HOUSEKEEPING_BATCH=2)
class SessionTests(World):
    def test_expired_sessions_are_removed_and_live_ones_kept(self) -> None:
        with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
            for _ in range(5):
                Client().session.save()
            self.client_for(self.alice_practitioner_org_a)
        with time_machine.travel(NOW, tick=False):
            live = self.client_for(self.sue_supervisor_org_a)
            assert Session.objects.filter(expire_date__lt=NOW).count() == 6
            run = run_housekeeping()
            assert run.sessions_removed == 6 and Session.objects.count() == 1
            assert live.get("/").status_code == 200
        event = AuditEvent.objects.get(action=actions.HOUSEKEEPING_SESSIONS)
        assert event.details == {"sessions_removed": run.sessions_removed}


@override_settings(TASKS=IMMEDIATE, HOUSEKEEPING_BATCH=2)
class ExportFileTests(World):
    def make_export(self, *, expires_at: dt.datetime, name: str) -> BulkExport:
        stored = export_storage().save(name, ContentFile(b"zip bytes"))
        return BulkExport.objects.create(
            organisation=self.org_a,
            requested_by=self.ada_admin_org_a,
            submitted_from=NOW.date(),
            submitted_to=NOW.date(),
            verify_url="http://testserver/exports/verify",
            status=ExportStatus.READY,
            total=1,
            done=1,
            file_name=stored,
            file_size=9,
            created_at=expires_at - dt.timedelta(days=1),
            updated_at=expires_at - dt.timedelta(days=1),
            expires_at=expires_at,
        )

    def check_expiry(self) -> None:
        with time_machine.travel(NOW, tick=False):
            expired = [self.make_export(expires_at=NOW - dt.timedelta(hours=h), name=f"e{h}.zip") for h in (1, 2, 3)]
            fresh = self.make_export(expires_at=NOW + dt.timedelta(hours=5), name="fresh.zip")
            run = run_housekeeping()
        assert run.export_files_removed == 3
        for export in expired:
            export.refresh_from_db()
            assert export.file_name == "" and export.status == ExportStatus.READY  # the row stays, as the record
        fresh.refresh_from_db()
        assert export_storage().exists(fresh.file_name)
        # Each deletion in the organisation's chain, like the start and the download; the total in the global one.
        per_file = AuditEvent.objects.filter(action=actions.EXPORT_FILE_EXPIRED)
        assert sorted(int(e.target_id) for e in per_file) == sorted(e.pk for e in expired)
        assert {e.chain_key for e in per_file} == {f"org:{self.org_a.pk}"}
        assert AuditEvent.objects.get(action=actions.HOUSEKEEPING_EXPORT_FILES).details == {"files_removed": 3}

    def test_expired_files_on_disk_are_deleted(self) -> None:
        folder = Path(self._tmp)
        with override_settings(STORAGES=exports_in(folder)):
            self.check_expiry()
            assert sorted(p.name for p in folder.iterdir()) == ["fresh.zip"]

    @pytest.fixture(autouse=True)
    def _folders(self, tmp_path: Path) -> None:
        self._tmp = tmp_path

    def test_bulk_exports_are_registered(self) -> None:
        assert BulkExport in [kind.model for kind in expiry.kinds()]

    def test_a_file_already_gone_is_still_recorded_once(self) -> None:
        with override_settings(STORAGES=exports_in(self._tmp)), time_machine.travel(NOW, tick=False):
            export = self.make_export(expires_at=NOW - dt.timedelta(hours=1), name="gone.zip")
            export_storage().delete(export.file_name)  # a worker deleted it, then was killed before recording it
            assert run_housekeeping().export_files_removed == 1
            assert run_housekeeping().export_files_removed == 0
        assert AuditEvent.objects.filter(action=actions.EXPORT_FILE_EXPIRED).count() == 1


@override_settings(TASKS=IMMEDIATE, HOUSEKEEPING_BATCH=2)
class BucketExpiryTests(ExportFileTests):
    @pytest.fixture(autouse=True)
    def _endpoint(self, moto_endpoint: str) -> None:  # noqa: F811 - the fixture
        self.endpoint = moto_endpoint

    def test_expired_files_in_a_bucket_are_deleted(self) -> None:
        bucket = new_bucket(self.endpoint)
        with override_settings(STORAGES=exports_in_bucket(self.endpoint, bucket)):
            self.check_expiry()
            assert bucket_keys(self.endpoint, bucket) == ["fresh.zip"]

    def test_expired_files_on_disk_are_deleted(self) -> None:
        pytest.skip("the disk case is ExportFileTests'")


@override_settings(TASKS=DATABASE)
class ScheduleTests(World):
    def test_the_daily_run_is_queued_once_and_queues_the_next(self) -> None:
        with time_machine.travel(NOW, tick=False):
            assert tasks.schedule_daily_housekeeping() is True
            assert tasks.schedule_daily_housekeeping() is False
            queued = DBTaskResult.objects.get(task_path=tasks.daily_housekeeping.module_path)
            assert queued.run_after == NOW + tasks.DAILY
            # The worker runs it: today's run is planned, and tomorrow's queued.
            DBTaskResult.objects.filter(pk=queued.pk).update(status="RUNNING")
            assert tasks.daily_housekeeping.call().startswith("run ")
            waiting = DBTaskResult.objects.filter(task_path=tasks.daily_housekeeping.module_path, status="READY")
            assert [r.run_after for r in waiting] == [NOW + tasks.DAILY]
            assert HousekeepingRun.objects.get().status == RunStatus.RUNNING
            # A second start while it runs does nothing.
            assert jobs.housekeeping_start() is None

    def test_the_command_schedules_it(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("housekeeping", "--schedule", stdout=out)
        call_command("housekeeping", "--schedule", stdout=out)
        assert out.getvalue().splitlines() == ["Daily housekeeping queued", "Daily housekeeping already queued"]


def test_the_clearing_period_defaults_to_twelve_months(settings: Any) -> None:
    assert settings.AUDIT_CLIENT_DATA_KEEP_DAYS == 365
    assert clearing.client_data_cutoff(NOW) == NOW - dt.timedelta(days=365)
    assert timezone.is_aware(clearing.client_data_cutoff())
