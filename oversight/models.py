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
