"""One run of the daily housekeeping (housekeeping/jobs.py), with what it has done so far.

The counts move in the same transaction as the work they count, so a run whose worker was killed and whose
chunk ran again reports each session, file and event once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class HousekeepingRun(models.Model):
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Audit events from `client_data_from` (the previous finished run's cutoff; none for the first run) to
    # `client_data_before` have their client data cleared.
    client_data_before = models.DateTimeField()
    client_data_from = models.DateTimeField(null=True, blank=True)
    # Where clearing has got to: the (time, id) of the last event looked at.
    client_cursor_at = models.DateTimeField(null=True, blank=True)
    client_cursor_id = models.BigIntegerField(null=True, blank=True)

    sessions_removed = models.PositiveIntegerField(default=0)
    export_files_removed = models.PositiveIntegerField(default=0)
    client_events_cleared = models.PositiveIntegerField(default=0)
    format_1_events_cleared = models.PositiveIntegerField(default=0)
    client_events_left = models.PositiveIntegerField(default=0)
    drafts_purged = models.PositiveIntegerField(default=0)
    people_removed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RunStatus]), name="housekeeping_run_status_valid"
            ),
            # At most one run at a time: two would clear and count the same rows.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="housekeeping_one_running"),
        ]

    def __str__(self) -> str:
        return f"Housekeeping {self.pk} ({self.status})"
