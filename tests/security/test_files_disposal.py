"""Issue 25 items 4 and 12: what a disposed record leaves behind. Agencies typed into the record, and export files
holding it whose delete failed once (an immutable file on disk, one error from a bucket), outlived the record."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from django.utils import timezone

from audit import actions
from audit import services as audit
from decisions.models import Decision, DecisionPerson, DecisionVersion
from exports.models import BulkExport, ExportStatus, SubjectAccessRequest
from exports.storage import export_storage
from housekeeping.jobs import housekeeping_start
from retention import services

from ..retention_helpers import LONG_AGO, old_record
from ..storage_helpers import bucket_keys, exports_in, exports_in_bucket, moto_endpoint, new_bucket  # noqa: F401
from ..test_retention_disposal import RetentionWorld

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class DisposedRecordWorld(RetentionWorld):
    def setUp(self) -> None:
        self.version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)
        self.decision = Decision.objects.get(pk=self.version.decision_id)

    def dispose(self) -> None:
        proposal = self.propose(self.decision)
        services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)


class RecipientAgenciesGo(DisposedRecordWorld):
    def test_recipient_agencies_are_cleared_on_disposal(self) -> None:
        before = DecisionVersion.objects.filter(decision=self.decision).values_list("recipient_agencies", flat=True)
        assert any(before), "the record should name an agency before disposal"
        self.dispose()
        left = list(DecisionVersion.objects.filter(decision=self.decision).values_list("recipient_agencies", flat=True))
        assert left and set(left) == {""}


class StuckFileStorage(FileSystemStorage):
    """A folder in which deleting fails while `stuck` is set, as it does for an immutable file (root is not
    stopped by permissions, so the failure is made here)."""

    stuck = False

    def delete(self, name: str) -> None:
        if type(self).stuck:
            raise PermissionError(1, "Operation not permitted", name)
        super().delete(name)


def stored_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@override_settings(TASKS=IMMEDIATE)
class FilesOfADisposedRecordGo(DisposedRecordWorld):
    """A subject access bundle about the record's child and a bulk export holding the record, both on disk or in
    the bucket when the record is disposed of, and the first delete of each fails."""

    def add_files(self) -> tuple[str, str]:
        storage = export_storage()
        now = timezone.now()
        bundle_name = storage.save("subject-access/1/bundle-1-x.zip", ContentFile(b"bundle naming the child"))
        SubjectAccessRequest.objects.create(
            organisation=self.org_a, requested_by=self.ada_admin_org_a, person=DecisionPerson.objects.get(
                decision=self.decision).person, verify_url="/exports/verify", status=ExportStatus.READY, total=1,
            done=1, file_name=bundle_name, file_size=23, created_at=now, updated_at=now,
            expires_at=now + dt.timedelta(hours=24),
        )  # fmt: skip
        export_name = storage.save("bulk-exports/1/export-1-x.zip", ContentFile(b"zip holding the record"))
        export = BulkExport.objects.create(
            organisation=self.org_a, requested_by=self.ada_admin_org_a, submitted_from=LONG_AGO.date(),
            submitted_to=LONG_AGO.date(), verify_url="/exports/verify", status=ExportStatus.READY, total=1, done=1,
            file_name=export_name, file_size=22, created_at=now, updated_at=now,
            expires_at=now + dt.timedelta(hours=24),
        )  # fmt: skip
        audit.record(
            action=actions.PDF_EXPORT, organisation=self.org_a, target_type="decisions.decision",
            target_id=self.decision.pk, target_ref=self.decision.reference, details={"bulk_export": export.pk},
        )  # fmt: skip
        return bundle_name, export_name

    def dispose_while_deletes_fail(self) -> None:
        with self.assertLogs(level="WARNING"), self.captureOnCommitCallbacks(execute=True):
            self.dispose()
        # Nothing offers the files any more.
        assert not SubjectAccessRequest.objects.exclude(file_name="").exists()
        assert not BulkExport.objects.exclude(file_name="").exists()

    def housekeeping(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            assert housekeeping_start() is not None

    def test_on_disk_a_failed_delete_is_retried_until_no_file_is_left(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            with override_settings(STORAGES=exports_in(folder, "tests.security.test_files_disposal.StuckFileStorage")):
                self.add_files()
                StuckFileStorage.stuck = True
                try:
                    self.dispose_while_deletes_fail()
                finally:
                    StuckFileStorage.stuck = False
                assert len(stored_files(Path(folder))) == 2  # the delete failed: both still there
                self.housekeeping()
                assert stored_files(Path(folder)) == []

    def test_in_a_bucket_one_error_is_not_the_end_of_it(self) -> None:
        from botocore.exceptions import ClientError
        from storages.backends.s3 import S3Storage

        bucket = new_bucket(self.endpoint)
        real_delete = S3Storage.delete
        failures = {"left": 2}

        def flaky_delete(storage: S3Storage, name: str) -> None:
            if failures["left"]:
                failures["left"] -= 1
                raise ClientError({"Error": {"Code": "SlowDown", "Message": "Slow down"}}, "DeleteObject")
            real_delete(storage, name)

        with override_settings(STORAGES=exports_in_bucket(self.endpoint, bucket)):
            self.add_files()
            with mock.patch.object(S3Storage, "delete", flaky_delete):
                self.dispose_while_deletes_fail()
                assert len(bucket_keys(self.endpoint, bucket)) == 2
                self.housekeeping()
            assert bucket_keys(self.endpoint, bucket) == []

    @pytest.fixture(autouse=True)
    def _endpoint(self, moto_endpoint: str) -> None:  # noqa: F811 - the fixture
        self.endpoint = moto_endpoint


@override_settings(TASKS=IMMEDIATE)
class UnnamedFilesAreSwept(DisposedRecordWorld):
    def test_housekeeping_deletes_old_export_files_no_row_names(self) -> None:
        with tempfile.TemporaryDirectory() as folder, override_settings(STORAGES=exports_in(folder)):
            storage = export_storage()
            with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
                orphan = storage.save("subject-access/7/bundle-1-old.zip", ContentFile(b"left behind"))
            young = storage.save("bulk-exports/8/export-1-new.zip", ContentFile(b"being published"))
            os.utime(Path(folder) / orphan, (time.time() - 3 * 86400, time.time() - 3 * 86400))
            with self.captureOnCommitCallbacks(execute=True):
                assert housekeeping_start() is not None
            assert not storage.exists(orphan)
            assert storage.exists(young)  # too young to tell from a zip about to be recorded
