"""Bulk exports: a zip of audit-record PDFs and an index, built by a background job."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from decisions.choices import Outcome

# How long a finished zip can be downloaded, and how long a job may go without progress before it is
# treated as stopped (the worker was restarted, or the machine went down) and offered for retry.
DOWNLOAD_FOR = timedelta(hours=24)
STALLED_AFTER = timedelta(minutes=10)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


class BackgroundFile:
    """What a bulk export and a subject access bundle share: a job in the background, then a file for a while."""

    status: str
    expires_at: datetime | None
    updated_at: datetime
    file_name: str
    done: int
    total: int

    @property
    def is_expired(self) -> bool:
        return self.status == ExportStatus.READY and self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.READY and not self.is_expired and bool(self.file_name)

    @property
    def is_stalled(self) -> bool:
        """Queued or running, with no progress for a long time: the job has stopped and can be retried."""
        active = self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
        return active and self.updated_at < timezone.now() - STALLED_AFTER

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) and not self.is_stalled

    @property
    def can_retry(self) -> bool:
        return self.status == ExportStatus.FAILED or self.is_stalled

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class BulkExport(BackgroundFile, models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The selection: decisions submitted between the two dates (inclusive, UK dates), optionally one team
    # and one outcome.
    submitted_from = models.DateField()
    submitted_to = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    # Printed in every PDF as where to verify it; taken from the request that started the export.
    verify_url = models.CharField(max_length=300)

    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # The finished zip's name in the "exports" storage (exports/storage.py); emptied when it expires.
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ExportStatus]), name="bulk_export_status_valid"
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="bulk_export_done_within_total"),
            models.CheckConstraint(
                condition=Q(submitted_from__lte=F("submitted_to")), name="bulk_export_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | Q(expires_at__isnull=False, file_size__isnull=False),
                name="ready_bulk_export_has_file_and_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.FAILED) | ~Q(error_message=""),
                name="failed_bulk_export_has_message",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "requested_by", "-created_at"], name="bulk_export_owner_created"),
        ]

    def __str__(self) -> str:
        return f"Bulk export {self.pk} ({self.get_status_display()})"

    @property
    def download_name(self) -> str:
        return f"decisions-export-{self.pk}-{self.submitted_from:%Y%m%d}-{self.submitted_to:%Y%m%d}.zip"


class SubjectAccessRequest(BackgroundFile, models.Model):
    """A subject access request: a bundle of every record about one person, built by a background job.

    The person is kept as a link only (no name or date of birth here), so when their row is disposed of this
    stays as the record that a bundle was made, with the count of records it held.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "decisions.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_access_requests"
    )
    verify_url = models.CharField(max_length=300)

    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Records in the bundle that also name other people: the officer reviews those before release.
    naming_others = models.PositiveIntegerField(default=0)
    # Records in the bundle's review-before-release folder: they name other people or hold free text.
    for_review = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ExportStatus]), name="subject_access_status_valid"
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="subject_access_done_within_total"),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | Q(expires_at__isnull=False, file_size__isnull=False),
                name="ready_subject_access_has_file_and_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.FAILED) | ~Q(error_message=""),
                name="failed_subject_access_has_message",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "requested_by", "-created_at"], name="subject_access_owner"),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} ({self.get_status_display()})"

    @property
    def download_name(self) -> str:
        return f"subject-access-{self.pk}-{self.created_at:%Y%m%d}.zip"


class PendingFileDeletion(models.Model):
    """A file in the export storage that must go: one holding a disposed record. Written in the transaction
    that stops the file being offered (its row's name emptied), so the name is never lost; the row is deleted
    only once the file is (exports/deletion.py), and the worker and housekeeping retry until it is."""

    file_name = models.CharField(max_length=200, unique=True)
    queued_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]

    def __str__(self) -> str:
        return f"File to delete: {self.file_name}"
