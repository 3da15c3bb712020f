"""Retention: when each record is due for review, legal holds, two-admin disposal and the tombstones it leaves.

This app sits at the top of the layering, above exports and oversight: disposing of a record reaches into
the versions (decisions), the review comments (oversight) and the export files (exports) that hold it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class RetentionSchedule(models.Model):
    """The two facts a record's review date is worked out from (retention/schedule.py), one row per submitted
    decision, so the due list is one indexed query at any size. Kept up to date on submit, amend and review;
    removed on disposal (it holds a date of birth)."""

    decision = models.OneToOneField(
        "decisions.Decision", on_delete=models.PROTECT, primary_key=True, related_name="retention"
    )
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    youngest_child_born_on = models.DateField(null=True, blank=True)
    last_activity_on = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "youngest_child_born_on"], name="retention_org_born"),
            models.Index(fields=["organisation", "last_activity_on"], name="retention_org_activity"),
        ]

    def __str__(self) -> str:
        return f"Retention facts of {self.decision_id}"


class LegalHold(models.Model):
    """A hold on one decision, or (decision empty) on every record of the organisation. Blocks disposal while
    it is in place. Lifting closes the row; rows are never deleted."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(lifted_at__isnull=True, decision__isnull=False),
                name="one_active_hold_per_decision",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(lifted_at__isnull=True, decision__isnull=True),
                name="one_active_hold_per_organisation",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="hold_has_reason"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | (Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason="")),
                name="lifted_hold_has_who_when_why",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "lifted_at"], name="hold_org_active")]

    def __str__(self) -> str:
        return f"Legal hold {self.pk} on {self.decision_id or 'the organisation'}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for a second admin"
    DISPOSED = "disposed", "Disposed of"
    CANCELLED = "cancelled", "Cancelled"


class DisposalProposal(models.Model):
    """One admin proposes disposing of a record; a different admin approves (the database checks they
    differ), or either cancels."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, related_name="disposal_proposals")
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"], condition=Q(status=ProposalStatus.PROPOSED), name="one_open_disposal_proposal"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="disposal_proposal_has_reason"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProposalStatus]), name="disposal_proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.PROPOSED, decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status=ProposalStatus.PROPOSED) & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="decided_proposal_has_who_when",
            ),
            # The two-admin rule, kept by the database too.
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DISPOSED) | ~Q(decided_by=F("proposed_by")),
                name="disposal_approved_by_second_admin",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "-proposed_at"], name="disposal_org_status")]

    def __str__(self) -> str:
        return f"Disposal of {self.decision_id} ({self.get_status_display()})"


class Tombstone(models.Model):
    """What remains of a disposed record: enough to show it existed, what was decided and that it was disposed
    of properly, and nothing about the people in it. Append-only (database triggers)."""

    decision = models.OneToOneField("decisions.Decision", on_delete=models.PROTECT, related_name="tombstone")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    proposal = models.OneToOneField(DisposalProposal, on_delete=models.PROTECT, related_name="tombstone")
    reference = models.CharField(max_length=40)
    edition = models.CharField(max_length=10)
    outcome = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    first_submitted_at = models.DateTimeField()
    last_submitted_at = models.DateTimeField()
    last_activity_on = models.DateField()
    # [{"number": 1, "content_hash": "...", "submitted_at": "..."}, ...], oldest first.
    versions = models.JSONField()
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disposed_at = models.DateTimeField()

    class Meta:
        ordering = ["-disposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(approved_by=F("proposed_by")), name="tombstone_two_admins"),
        ]
        indexes = [models.Index(fields=["organisation", "-disposed_at"], name="tombstone_org_disposed")]

    def __str__(self) -> str:
        return f"Tombstone of {self.reference}"

    @property
    def content_hashes(self) -> list[str]:
        return [v["content_hash"] for v in self.versions]


class DisposalPermit(models.Model):
    """The database side of the one disposal path (retention/db.py). The disposal service inserts a row with a
    random token and sets the same token on its own transaction; only then do the append-only triggers let
    that decision's versions and reviews be rewritten (never deleted). The row is deleted before the
    transaction commits, so none ever survives it."""

    decision = models.ForeignKey("decisions.Decision", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"Disposal permit for {self.decision_id}"
