"""Bulk exports through the storage API: chunks joined into one zip, a full disk or an unwritable folder or bucket
(a plain failure with Retry, nothing partial offered, the row says failed), and an S3 bucket (moto's server)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from audit import actions
from background.models import Job, JobStatus
from decisions import pdf
from decisions.models import DecisionVersion
from exports import tasks
from exports.models import BulkExport, ExportStatus

from .factories import make_submitted_decision
from .storage_helpers import (
    bucket_keys,
    exports_in,
    exports_in_bucket,
    exports_on_full_disk,
    moto_endpoint,  # noqa: F401 - the fixture
    new_bucket,
)
from .test_bulk_export import IMMEDIATE, ExportWorld, detail_url


def zip_of(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


class Exports(ExportWorld):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.versions: list[DecisionVersion] = [make_submitted_decision(cls.alice_practitioner_org_a) for _ in range(5)]

    def export(self) -> BulkExport:
        return BulkExport.objects.get()

    def assert_failed_plainly(self, export: BulkExport) -> None:
        """Failed, with the storage message and Retry; nothing kept, nothing to download, nothing recorded."""
        assert export.status == ExportStatus.FAILED and export.file_name == ""
        assert export.error_message == tasks.STORAGE_FAILED.format(pk=export.pk)
        page = self.client_for(self.ada_admin_org_a).get(detail_url(export)).content.decode()
        assert "The export could not be finished" in page and "the export storage is full" in page
        assert "Try the export again" in page and detail_url(export, "download") not in page
        assert self.client_for(self.ada_admin_org_a).get(detail_url(export, "download")).status_code == 404
        assert not self.audit_events(actions.PDF_EXPORT).exists()
        assert Job.objects.get().status == JobStatus.FAILED

    def retry(self, export: BulkExport) -> BulkExport:
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(self.ada_admin_org_a).post(detail_url(export, "retry"))
        export.refresh_from_db()
        return export


@override_settings(TASKS=IMMEDIATE, EXPORT_CHUNK_SIZE=2)
class ChunkedExportTests(Exports):
    def test_chunks_are_joined_into_one_zip_in_the_selections_order(self) -> None:
        self.start(self.ada_admin_org_a)
        export = self.export()
        job = Job.objects.get()
        assert (export.status, export.done, export.total) == (ExportStatus.READY, 5, 5)
        assert job.status == JobStatus.DONE and [len(c.payload["versions"]) for c in job.chunks.all()] == [2, 2, 1]
        assert self.stored_files() == [export.file_name]  # the chunks' pieces are gone

        archive = zip_of(self.client_for(self.ada_admin_org_a).get(detail_url(export, "download")))
        names = archive.namelist()
        ordered = sorted(self.versions, key=lambda v: (v.decision.submitted_at, v.decision_id))
        assert names == [pdf.filename_for(v) for v in ordered] + ["index.csv"]
        rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))[1:]
        assert [row[0] for row in rows] == [v.decision.reference for v in ordered]
        assert archive.testzip() is None
        assert self.audit_events(actions.PDF_EXPORT).count() == 5


@override_settings(TASKS=IMMEDIATE, EXPORT_CHUNK_SIZE=2)
class FullOrUnwritableStorageTests(Exports):
    def test_a_full_disk_fails_the_export_plainly_and_keeps_nothing(self) -> None:
        with (
            override_settings(STORAGES=exports_on_full_disk(self.folder)),
            self.assertLogs("background.runner", "WARNING"),
        ):
            self.start(self.ada_admin_org_a)
        export = self.export()
        self.assert_failed_plainly(export)
        assert self.stored_files() == []

        export = self.retry(export)  # space was made
        assert export.status == ExportStatus.READY and export.attempts == 2
        assert self.stored_files() == [export.file_name]
        assert self.audit_events(actions.PDF_EXPORT).count() == 5

    def test_a_disk_that_fills_while_the_zip_is_put_together(self) -> None:
        # Every chunk's piece is stored; the joined zip is not.
        with (
            override_settings(STORAGES=exports_on_full_disk(self.folder, full_for="/export-")),
            self.assertLogs("background.runner", "WARNING"),
        ):
            self.start(self.ada_admin_org_a)
        self.assert_failed_plainly(self.export())
        assert self.stored_files() == []  # the pieces are deleted too

    def test_an_export_folder_that_cannot_be_written(self) -> None:
        blocker = self.folder / "not-a-folder"
        blocker.write_text("a file where the export folder should be")
        with (
            override_settings(STORAGES=exports_in(blocker / "exports")),
            self.assertLogs("background.runner", "WARNING"),
        ):
            self.start(self.ada_admin_org_a)
        self.assert_failed_plainly(self.export())
        assert self.stored_files() == ["not-a-folder"]


@override_settings(TASKS=IMMEDIATE, EXPORT_CHUNK_SIZE=2)
class BucketTests(Exports):
    """The same exports with the files in an S3 bucket: moto's server on 127.0.0.1, reached over HTTP."""

    @pytest.fixture(autouse=True)
    def _endpoint(self, moto_endpoint: str) -> None:  # noqa: F811 - the fixture
        self.endpoint = moto_endpoint

    def test_an_export_is_stored_in_the_bucket_and_downloads_from_it(self) -> None:
        bucket = new_bucket(self.endpoint)
        with override_settings(STORAGES=exports_in_bucket(self.endpoint, bucket)):
            self.start(self.ada_admin_org_a)
            export = self.export()
            assert export.status == ExportStatus.READY
            assert bucket_keys(self.endpoint, bucket) == [export.file_name]
            assert self.stored_files() == []  # nothing on this machine's disk

            response = self.client_for(self.ada_admin_org_a).get(detail_url(export, "download"))
            assert response.status_code == 200 and export.download_name in response["Content-Disposition"]
            archive = zip_of(response)
            assert len(archive.namelist()) == 6 and archive.testzip() is None

            BulkExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
            assert tasks.prune_expired_files() == 1
            assert bucket_keys(self.endpoint, bucket) == []

    def test_a_bucket_that_cannot_be_written_fails_the_export_plainly(self) -> None:
        with (
            override_settings(STORAGES=exports_in_bucket(self.endpoint, "no-such-bucket")),
            self.assertLogs("background.runner", "WARNING"),
        ):
            self.start(self.ada_admin_org_a)
            self.assert_failed_plainly(self.export())


def test_the_environment_puts_export_files_in_a_bucket(moto_endpoint: str, tmp_path: Any) -> None:  # noqa: F811
    """EXPORTS_STORAGE=s3 and its variables, as a deployment sets them, send the files to the bucket."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    bucket = new_bucket(moto_endpoint)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sharing_app.settings",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "EXPORTS_STORAGE": "s3",
        "EXPORTS_BUCKET": bucket,
        "EXPORTS_BUCKET_PREFIX": "north",
        "AWS_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    script = (
        "import django; django.setup(); from django.core.files.base import ContentFile; "
        "from exports.storage import export_storage; "
        "print(export_storage().save('bulk-exports/1/a.zip', ContentFile(b'zip')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "bulk-exports/1/a.zip"
    assert bucket_keys(moto_endpoint, bucket) == ["north/bulk-exports/1/a.zip"]
