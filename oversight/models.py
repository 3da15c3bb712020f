"""Supervisors' reviews of submitted decisions.

A review is of one specific version: if the practitioner amends, the new version needs its own review.
Reviews are evidence, so, like decision versions and audit events, the database refuses to change or
remove them (see migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReviewOutcome(models.TextChoices):
    APPROVE = "approve", "Signed off"
    RETURN = "return", "Returned"


class Review(models.Model):
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey("decisions.DecisionVersion", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["decision", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="one_review_per_version"),
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in ReviewOutcome]), name="review_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome=ReviewOutcome.APPROVE) | ~Q(comment=""), name="returned_review_has_comment"
            ),
        ]
        indexes = [
            models.Index(fields=["decision", "created_at"], name="review_decision_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.decision_id} v{self.version_id}"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


class Notification(models.Model):
    """One email to one person, sent by the background worker (oversight/tasks.py) with retries, so a slow or
    broken mail server never holds up or fails the page that caused it.

    Written in the same transaction as the change it tells about, so one never exists without the other.
    Like the email, it carries a reference and a link, not what the decision is about.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    decision_reference = models.CharField(max_length=40)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last failure, in plain English, for the organisation's admins.
    problem = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in NotificationStatus]), name="notification_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=NotificationStatus.SENT) | Q(sent_at__isnull=False),
                name="sent_notification_has_time",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "created_at"], name="notification_org_status")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"
