"""Bulk export: choosing decisions, the background job, progress, failure and retry, download and expiry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Membership, Role, Team
from audit import actions
from audit.models import AuditEvent
from background import runner
from background.models import Job, JobStatus
from decisions import pdf
from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionVersion
from exports import services, tasks
from exports.models import DOWNLOAD_FOR, STALLED_AFTER, BulkExport, ExportStatus

from .base import World, form_errors, make_user
from .factories import make_submitted_decision
from .storage_helpers import exports_in
from .wizard_helpers import NO_SHARE, NO_SHARE_PATH

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
START = reverse("exports:start")


def today() -> dt.date:
    return timezone.localdate()


def selection(**overrides: Any) -> dict[str, Any]:
    """POST data for the start form: everything submitted today, any team, any decision."""
    start, end = overrides.pop("submitted_from", today()), overrides.pop("submitted_to", today())
    data = {
        "submitted_from_0": str(start.day),
        "submitted_from_1": str(start.month),
        "submitted_from_2": str(start.year),
        "submitted_to_0": str(end.day),
        "submitted_to_1": str(end.month),
        "submitted_to_2": str(end.year),
        "team": "",
        "outcome": "",
    }
    data.update(overrides)
    return data


def detail_url(export: BulkExport, name: str = "detail") -> str:
    return reverse(f"exports:{name}", kwargs={"pk": export.pk})


class ExportWorld(World):
    """Exports are written to a throw-away folder."""

    def setUp(self) -> None:
        super().setUp()
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(STORAGES=exports_in(self.folder)))

    def stored_files(self) -> list[str]:
        return sorted(str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file())

    def make_export(self, by: Any = None, **fields: Any) -> BulkExport:
        now = timezone.now()
        values: dict[str, Any] = {
            "organisation": self.org_a,
            "requested_by": by or self.ada_admin_org_a,
            "submitted_from": today(),
            "submitted_to": today(),
            "verify_url": "http://testserver/exports/verify",
            "total": 3,
            "created_at": now,
            "updated_at": now,
        }
        values.update(fields)
        return BulkExport.objects.create(**values)

    def start(self, user: Any, **overrides: Any) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client_for(user).post(START, selection(**overrides))

    def audit_events(self, action: str) -> Any:
        return AuditEvent.objects.filter(action=action).order_by("seq")


@override_settings(TASKS=IMMEDIATE)
class StartExportTests(ExportWorld):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.share = make_submitted_decision(cls.alice_practitioner_org_a)
        cls.no_share = make_submitted_decision(
            cls.amir_practitioner_org_a,
            steps=NO_SHARE_PATH,
            overrides={"decision": {**NO_SHARE, "reasons": "Not needed for the strategy discussion"}},
        )
        cls.other_org = make_submitted_decision(cls.bob_practitioner_org_b)

    def test_admin_sees_the_form_and_their_exports_only(self) -> None:
        mine = self.make_export(status=ExportStatus.FAILED, error_message="Stopped")
        theirs = self.make_export(by=self.bea_admin_org_b, organisation=self.org_b)
        content = self.client_for(self.ada_admin_org_a).get(START).content.decode()
        assert "Export decisions as PDFs" in content and "Start export" in content
        assert detail_url(mine) in content and detail_url(theirs) not in content
        assert "Front door A" in content and "Front door B" not in content

    def test_other_roles_are_refused(self) -> None:
        for user in (
            self.alice_practitioner_org_a,
            self.sue_supervisor_org_a,
            self.aud_auditor_org_a,
            self.nobody_without_org,
        ):
            assert self.client_for(user).get(START).status_code == 403, user
            assert self.client_for(user).post(START, selection()).status_code == 403, user
        assert not BulkExport.objects.exists()

    def test_wrong_method(self) -> None:
        assert self.client_for(self.ada_admin_org_a).put(START).status_code == 405

    def test_export_runs_and_downloads_a_zip_with_an_index(self) -> None:
        response = self.start(self.ada_admin_org_a)
        export = BulkExport.objects.get()
        assert response.status_code == 302 and response["Location"] == detail_url(export)
        export.refresh_from_db()
        assert (export.status, export.done, export.total, export.attempts) == (ExportStatus.READY, 2, 2, 1)
        assert export.expires_at is not None
        assert export.expires_at - export.finished_at == DOWNLOAD_FOR  # type: ignore[operator]

        page = self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        assert "Your export is ready" in page and "2 of 2" in page and detail_url(export, "download") in page

        response = self.client_for(self.ada_admin_org_a).get(detail_url(export, "download"))
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert export.download_name in response["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
        names = sorted(archive.namelist())
        assert names == sorted(["index.csv", pdf.filename_for(self.share), pdf.filename_for(self.no_share)]), names
        rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
        assert rows[0] == tasks.INDEX_HEADER
        by_ref = {row[0]: row for row in rows[1:]}
        share_row = by_ref[self.share.decision.reference]
        assert share_row[1:4] == ["1", "Share all of the information", "Front door A"]
        assert share_row[5] == pdf.group_code(self.share.content_hash)
        assert by_ref[self.no_share.decision.reference][2] == "Do not share"
        text = " ".join(
            page.extract_text()
            for page in __import__("pypdf").PdfReader(io.BytesIO(archive.read(pdf.filename_for(self.share)))).pages
        )
        assert self.share.decision.reference in text and "by Ada Admin" in text

        start = self.audit_events(actions.BULK_EXPORT_START).get()
        assert start.details["decisions"] == 2 and start.target_id == str(export.pk)
        exported = self.audit_events(actions.PDF_EXPORT)
        assert {e.target_ref for e in exported} == {self.share.decision.reference, self.no_share.decision.reference}
        assert all(e.details["bulk_export"] == export.pk and e.actor == self.ada_admin_org_a for e in exported)
        download = self.audit_events(actions.BULK_EXPORT_DOWNLOAD).get()
        assert download.details["file_sha256"] == export.file_sha256

    def test_filters_choose_team_and_outcome(self) -> None:
        other_team = Team.objects.create(organisation=self.org_a, name="Early help")
        Membership.objects.filter(user=self.amir_practitioner_org_a).update(team=other_team)
        self.start(self.ada_admin_org_a, outcome="no_share")
        assert BulkExport.objects.get().total == 1
        response = self.start(self.ada_admin_org_a, team=str(other_team.pk))
        assert "There are no submitted decisions that match" in form_errors(response)
        assert BulkExport.objects.count() == 1

    def test_an_empty_selection_says_so_and_saves_nothing(self) -> None:
        last_year = today() - dt.timedelta(days=400)
        response = self.start(self.ada_admin_org_a, submitted_from=last_year, submitted_to=last_year)
        assert response.status_code == 200
        assert "There are no submitted decisions that match" in form_errors(response)
        assert not BulkExport.objects.exists()
        assert not self.audit_events(actions.BULK_EXPORT_START).exists()

    def test_invalid_input_shows_errors_and_saves_nothing(self) -> None:
        cases = [
            (selection(submitted_from_0="", submitted_from_1="", submitted_from_2=""), "Enter the first date"),
            (selection(submitted_from_0=""), "Enter the day of the month"),
            (selection(submitted_to_1="13"), "The last date must be a real date"),
            (
                selection(submitted_from=today(), submitted_to=today() - dt.timedelta(days=1)),
                "The last date must be the same as or after the first date",
            ),
            (selection(team=str(self.team_b.pk)), "Select a team from the list"),
            (selection(outcome="maybe"), "Select a decision from the list"),
        ]
        response = self.client_for(self.ada_admin_org_a).post(START, {})
        assert "Enter the first date" in form_errors(response) and "Enter the last date" in form_errors(response)
        for data, message in cases:
            response = self.client_for(self.ada_admin_org_a).post(START, data)
            assert response.status_code == 200
            assert message in form_errors(response), (message, form_errors(response)[:600])
        assert not BulkExport.objects.exists()


@override_settings(TASKS=IMMEDIATE)
class JobTests(ExportWorld):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.versions = [make_submitted_decision(cls.alice_practitioner_org_a) for _ in range(2)]

    def test_a_failure_is_shown_clearly_and_the_export_can_be_retried(self) -> None:
        with mock.patch.object(pdf, "render_pdf", side_effect=RuntimeError("disk on fire")):
            self.start(self.ada_admin_org_a)
        export = BulkExport.objects.get()
        assert export.status == ExportStatus.FAILED and export.attempts == 1
        assert "disk on fire" not in export.error_message
        assert f"export number, {export.pk}" in export.error_message
        assert self.stored_files() == []  # nothing of it is kept
        page = self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        assert "The export could not be finished" in page and "Try the export again" in page

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client_for(self.ada_admin_org_a).post(detail_url(export, "retry"))
        assert response.status_code == 302
        export.refresh_from_db()
        assert (export.status, export.attempts, export.error_message) == (ExportStatus.READY, 2, "")
        assert self.stored_files() == [export.file_name]
        retry = self.audit_events(actions.BULK_EXPORT_START).last()
        assert retry is not None and retry.details["retry"] is True

    def test_only_a_stopped_export_can_be_retried(self) -> None:
        export = self.make_export(status=ExportStatus.RUNNING, done=1)
        client = self.client_for(self.ada_admin_org_a)
        response = client.post(detail_url(export, "retry"), follow=True)
        assert "This export is not stopped, so it cannot be started again" in response.content.decode()
        assert client.get(detail_url(export, "retry")).status_code == 405
        export.refresh_from_db()
        assert export.status == ExportStatus.RUNNING and not self.audit_events(actions.BULK_EXPORT_START).exists()

    def test_a_job_with_no_progress_for_a_while_is_shown_as_stopped_and_can_be_retried(self) -> None:
        export = self.make_export(status=ExportStatus.RUNNING, done=1, attempts=1)
        BulkExport.objects.filter(pk=export.pk).update(updated_at=timezone.now() - STALLED_AFTER - dt.timedelta(1))
        page = self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        assert "This export has stopped" in page and "Try the export again" in page
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(self.ada_admin_org_a).post(detail_url(export, "retry"))
        export.refresh_from_db()
        assert (export.status, export.total, export.attempts) == (ExportStatus.READY, 2, 2)

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
    def test_an_older_attempt_gives_way_to_a_retry(self) -> None:
        """Attempt 1 looks stopped and the admin retries while its worker is in fact still rendering: that worker
        stops at its next renewal and keeps nothing; attempt 2 makes the export."""
        export = self.make_export()
        claimed = tasks._claim(export.pk)
        assert claimed is not None and claimed[0] == 1 and len(claimed[1]) == 2
        assert tasks._claim(export.pk) is None  # already running: a second delivery does nothing
        first_attempt = Job.objects.get(attempt=1)
        render = pdf.render_pdf

        def retried_meanwhile(*args: Any, **kwargs: Any) -> bytes:
            BulkExport.objects.filter(pk=export.pk).update(updated_at=timezone.now() - STALLED_AFTER * 2)
            with self.captureOnCommitCallbacks(execute=False):
                services.bulk_export_retry(by=self.ada_admin_org_a, export=export)
            return render(*args, **kwargs)

        chunk = first_attempt.chunks.get()
        with mock.patch.object(pdf, "render_pdf", side_effect=retried_meanwhile):
            assert runner.run_chunk(chunk.pk) == "superseded"
        first_attempt.refresh_from_db()
        assert first_attempt.status == JobStatus.CANCELLED and self.stored_files() == []

        assert tasks.run_export(export.pk) == ExportStatus.RUNNING  # attempt 2, planned
        second_attempt = Job.objects.get(attempt=2)
        for chunk in second_attempt.chunks.all():
            runner.run_chunk(chunk.pk)
        export.refresh_from_db()
        assert (export.status, export.attempts, export.done) == (ExportStatus.READY, 2, 2)
        assert self.stored_files() == [export.file_name]
        assert self.audit_events(actions.PDF_EXPORT).count() == 2

    def test_a_requester_who_is_no_longer_an_admin_gets_nothing(self) -> None:
        export = self.make_export()
        Membership.objects.filter(user=self.ada_admin_org_a).update(role=Role.AUDITOR)
        assert tasks.run_export(export.pk) == "stopped"
        export.refresh_from_db()
        assert export.status == ExportStatus.FAILED and "no longer an admin" in export.error_message
        assert not self.audit_events(actions.PDF_EXPORT).exists()

    def test_a_record_disposed_of_while_the_export_is_made_is_not_published(self) -> None:
        """Its PDF was made before the disposal, so the zip is refused when it would be published, its file deleted
        and nothing audited as exported; started again, the export leaves the record out."""
        disposed = self.versions[0].decision
        render_chunk = tasks.BulkExportJob.run_chunk

        def then_dispose(kind: Any, *args: Any) -> Any:
            result = render_chunk(kind, *args)
            Decision.objects.filter(pk=disposed.pk).update(status=DecisionStatus.DISPOSED)
            return result

        export = self.make_export()
        with mock.patch.object(tasks.BulkExportJob, "run_chunk", then_dispose):
            tasks.run_export(export.pk)
        export.refresh_from_db()
        assert export.status == ExportStatus.FAILED and "disposed of while it was being made" in export.error_message
        assert export.file_name == "" and self.stored_files() == []
        assert not self.audit_events(actions.PDF_EXPORT).exists()

        with self.captureOnCommitCallbacks(execute=True):
            services.bulk_export_retry(by=self.ada_admin_org_a, export=export)
        export.refresh_from_db()
        assert (export.status, export.total) == (ExportStatus.READY, 1)
        exported = self.audit_events(actions.PDF_EXPORT).values_list("target_ref", flat=True)
        assert list(exported) == [self.versions[1].decision.reference]

    def test_expired_files_are_deleted_and_cannot_be_downloaded(self) -> None:
        export = self.make_export()
        tasks.run_export(export.pk)
        export.refresh_from_db()
        assert export.status == ExportStatus.READY and self.stored_files() == [export.file_name]
        BulkExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        response = self.client_for(self.ada_admin_org_a).get(detail_url(export, "download"))
        assert response.status_code == 410
        assert "This export has expired" in response.content.decode()
        assert not self.audit_events(actions.BULK_EXPORT_DOWNLOAD).exists()
        assert (
            "This export has expired" in self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        )
        assert tasks.prune_expired_files() == 1 and self.stored_files() == []

    def test_spreadsheet_formulas_are_neutralised_in_the_index(self) -> None:
        assert tasks._spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
        assert tasks._spreadsheet_safe("Front door") == "Front door"


class ProgressAndAccessTests(ExportWorld):
    def test_progress_page_counts_and_refreshes_without_javascript(self) -> None:
        export = self.make_export(status=ExportStatus.RUNNING, total=1000, done=142)
        page = self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        assert "<strong>142 of 1,000</strong> decisions exported" in page
        assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
        assert "js/export-progress.js" in page and detail_url(export, "progress") in page
        progress = self.client_for(self.ada_admin_org_a).get(detail_url(export, "progress")).json()
        assert progress == {
            "status": "running",
            "active": True,
            "done": 142,
            "total": 1000,
            "percent": 14,
            "text": "142 of 1,000",
        }

    def test_a_finished_page_does_not_refresh(self) -> None:
        export = self.make_export(status=ExportStatus.FAILED, error_message="It stopped")
        page = self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        assert "http-equiv" not in page and "It stopped" in page

    def test_only_the_admin_who_started_it_can_see_or_download_it(self) -> None:
        export = self.make_export(status=ExportStatus.RUNNING)
        colleague = make_user("cal_admin", self.org_a, Role.ADMIN, self.team_a)
        for name in ("detail", "progress", "download"):
            assert self.client_for(colleague).get(detail_url(export, name)).status_code == 404, name
            assert self.client_for(self.bea_admin_org_b).get(detail_url(export, name)).status_code == 404, name
            for user in (self.sue_supervisor_org_a, self.aud_auditor_org_a, self.alice_practitioner_org_a):
                assert self.client_for(user).get(detail_url(export, name)).status_code == 403, (name, user)
        assert self.client_for(colleague).post(detail_url(export, "retry")).status_code == 404
        assert self.client_for(self.sue_supervisor_org_a).post(detail_url(export, "retry")).status_code == 403

    def test_missing_export_and_unfinished_download_are_not_found(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        assert client.get(reverse("exports:detail", kwargs={"pk": 999999})).status_code == 404
        assert client.get(reverse("exports:download", kwargs={"pk": 999999})).status_code == 404
        export = self.make_export(status=ExportStatus.RUNNING)
        assert client.get(detail_url(export, "download")).status_code == 404
        assert client.post(detail_url(export, "download")).status_code == 405
        assert client.post(detail_url(export, "progress")).status_code == 405
        assert not self.audit_events(actions.BULK_EXPORT_DOWNLOAD).exists()


class FiftyDecisionsThroughTheDatabaseWorker(ExportWorld):
    """End to end as in production: the form queues a database task, `db_worker` runs it, the zip downloads."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.versions = [make_submitted_decision(cls.alice_practitioner_org_a) for _ in range(50)]

    def test_fifty_decisions(self) -> None:
        self.start(self.ada_admin_org_a)
        export = BulkExport.objects.get()
        assert export.status == ExportStatus.QUEUED and export.total == 50
        queued = DBTaskResult.objects.get()
        assert queued.status == "READY" and export.task_id == str(queued.id)

        # As Django's test client does for requests, keep the worker from closing the test's connection
        # (which would end the transaction each test runs in).
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

        queued.refresh_from_db()
        export.refresh_from_db()
        assert queued.status == "SUCCESSFUL", queued.traceback
        assert (export.status, export.done, export.total) == (ExportStatus.READY, 50, 50)
        progress = self.client_for(self.ada_admin_org_a).get(detail_url(export, "progress")).json()
        assert progress["text"] == "50 of 50" and progress["active"] is False

        response = self.client_for(self.ada_admin_org_a).get(detail_url(export, "download"))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
        assert len(archive.namelist()) == 51
        rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
        assert len(rows) == 51
        hashes = {pdf.normalise_code(row[5]) for row in rows[1:]}
        assert hashes == {v.content_hash for v in self.versions}
        assert self.audit_events(actions.PDF_EXPORT).count() == 50

        # Any PDF from the zip verifies.
        sample = archive.read(pdf.filename_for(self.versions[17]))
        record = pdf.read_attached_record(sample)
        assert record.stated_code == record.computed_code == self.versions[17].content_hash
        assert DecisionVersion.objects.get(content_hash=record.stated_code).compute_content_hash() == record.stated_code
