"""A background job split into chunks that any worker may take (see background/__init__.py for how it works)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"  # chunks being worked on
    FINISHING = "finishing", "Finishing"  # every chunk done; one worker is putting the result together
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"  # replaced by a newer attempt, or given up by its owner


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class Job(models.Model):
    # Dotted path of the JobKind that does the work (as django-tasks names its tasks), e.g. exports.tasks.bulk_export
    kind = models.CharField(max_length=200)
    # The row the job works for (a bulk export, a subject-access request...), and which attempt of it this is.
    owner_id = models.BigIntegerField()
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    chunks_total = models.PositiveIntegerField()
    # The finishing step's claim: whoever holds the current token may finish; a lease that runs out without a
    # renewal means its worker stopped, and the watcher hands the step to another.
    token = models.CharField(max_length=32, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    claims = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_id", "attempt"], name="job_attempt_unique"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in JobStatus]), name="job_status_valid"),
        ]
        indexes = [models.Index(fields=["kind", "owner_id"], name="job_owner")]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner_id} attempt {self.attempt} ({self.status})"


class Chunk(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    # What to do, fixed when the job is planned (for a bulk export, the version ids), and what came of it.
    payload = models.JSONField()
    result = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    # The current claim (see Job.token); how many times a worker has taken the chunk.
    token = models.CharField(max_length=32, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    claims = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    # The django-tasks result of the task last enqueued for it, so the watcher can tell a lost task.
    task_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="chunk_index_unique"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in ChunkStatus]), name="chunk_status_valid"),
            models.CheckConstraint(condition=Q(items_done__lte=F("items_total")), name="chunk_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"Chunk {self.index} of job {self.job_id} ({self.status})"
