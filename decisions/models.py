"""Decisions, their drafts, and their immutable submitted versions.

A `Decision` is the stable thing people refer to (its reference). What was decided lives in
`DecisionVersion` rows, which are never changed once written (the database refuses UPDATE and DELETE on
them); an amendment is a new version with a reason. Work in progress lives in a `DecisionDraft`, saved
at every wizard step.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from .choices import (
    BirthDateAccuracy,
    ConsentStatus,
    DecisionStatus,
    FollowUpKind,
    FollowUpOutcome,
    Outcome,
    PersonPart,
    ReviewStatus,
)
from .guidance import SHARING_METHODS


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Decision(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="decisions")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    reference = models.CharField(max_length=40, unique=True)
    edition = models.CharField(max_length=10)
    status = models.CharField(max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT)
    review_status = models.CharField(max_length=12, choices=ReviewStatus.choices, default="", blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Denormalised from the current version so lists, filters and the dashboard need no join.
    current_version = models.OneToOneField(
        "DecisionVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    case_reference = models.CharField(max_length=60, blank=True)
    # Telling the family later (from the current version), and when the practitioner recorded it was done. Not
    # evidence: recording it is an audited event on the decision, not an amendment.
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # In an organisation that reviews before sharing, the current version's recipients are planned, not sent:
    # the earliest planned date, and when the practitioner recorded that it was sent (a FollowUp) or not sent.
    share_planned_on = models.DateField(null=True, blank=True)
    share_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.DRAFT)
                | Q(status=DecisionStatus.DISCARDED, current_version__isnull=True, submitted_at__isnull=True)
                | Q(status=DecisionStatus.SUBMITTED, current_version__isnull=False, submitted_at__isnull=False)
                | Q(status=DecisionStatus.DISPOSED, current_version__isnull=False, submitted_at__isnull=False),
                name="decision_status_matches_version",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "owner", "-updated_at"], name="decision_org_owner"),
            models.Index(fields=["organisation", "-updated_at"], name="decision_org_updated"),
            models.Index(fields=["organisation", "review_status", "submitted_at"], name="decision_review_queue"),
            models.Index(fields=["organisation", "submitted_at"], name="decision_org_submitted"),
            models.Index(
                fields=["owner", "follow_up_due"],
                condition=Q(follow_up_due__isnull=False, follow_up_done_at__isnull=True),
                name="decision_follow_up_open",
            ),
            # The list's case reference filter (case-insensitive, so on the upper-cased value).
            models.Index(models.F("organisation"), Upper("case_reference"), name="decision_org_case_ref"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_submitted(self) -> bool:
        return self.status == DecisionStatus.SUBMITTED

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_due is not None and self.follow_up_done_at is None

    @property
    def share_open(self) -> bool:
        return self.share_planned_on is not None and self.share_sent_at is None


class DraftQuerySet(models.QuerySet["DecisionDraft"]):
    def open(self) -> DraftQuerySet:
        """Neither submitted nor discarded: the one a practitioner is working on."""
        return self.filter(submitted_version__isnull=True, discarded_at__isnull=True)


class DecisionDraft(models.Model):
    """Answers in progress. Saved on every step; closed (not deleted) when submitted or discarded."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="drafts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    amends_version = models.ForeignKey(
        "DecisionVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amendment_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_step = models.CharField(max_length=40, blank=True)
    submitted_version = models.OneToOneField(
        "DecisionVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="draft"
    )
    # The layout of questions the answers are in (wizard.py). Rows from before layouts existed are layout 1;
    # services always set it.
    layout = models.PositiveSmallIntegerField(default=1)
    # Pages saved with "Save and come back later" without being finished, exactly as typed: step -> form data.
    unfinished = models.JSONField(default=dict, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(submitted_version__isnull=True, discarded_at__isnull=True),
                name="one_open_draft_per_decision",
            ),
            models.CheckConstraint(
                condition=Q(amends_version__isnull=True) | ~Q(amendment_reason=""),
                name="amendment_draft_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(submitted_version__isnull=True) | Q(discarded_at__isnull=True),
                name="draft_submitted_or_discarded_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.decision_id}"

    @property
    def is_open(self) -> bool:
        return self.submitted_version_id is None and self.discarded_at is None


class DecisionVersion(models.Model):
    """One submitted, immutable version of a decision: the evidence."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    edition = models.CharField(max_length=10)
    # The layout of questions the answers are in (wizard.py): the version is always read by it. Versions
    # from before layouts existed are layout 1 and their hashed content does not mention it.
    layout = models.PositiveSmallIntegerField(default=1)
    answers = models.JSONField()
    content_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    amendment_reason = models.TextField(blank=True)
    # Facts the database checks and the dashboard counts; the full answers stay in `answers`.
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    consent_status = models.CharField(max_length=14, choices=ConsentStatus.choices)
    consent_not_sought_reasons = models.CharField(max_length=200, blank=True)
    lawful_basis = models.CharField(max_length=40, blank=True)
    special_category = models.BooleanField(default=False)
    special_category_condition = models.CharField(max_length=60, blank=True)
    sharing_method = models.CharField(max_length=20, blank=True)
    # The agencies shared with, one a line (layout 3 on), for the dashboard's counts.
    recipient_agencies = models.TextField(blank=True)

    class Meta:
        ordering = ["decision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["content_hash"], name="version_content_hash_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=(
                    Q(number=1, previous__isnull=True)
                    | (Q(number__gt=1, previous__isnull=False) & ~Q(amendment_reason=""))
                ),
                name="amendment_has_reason_and_previous",
            ),
            models.CheckConstraint(condition=Q(outcome__in=[o.value for o in Outcome]), name="version_outcome_valid"),
            models.CheckConstraint(
                condition=Q(consent_status__in=[c.value for c in ConsentStatus]), name="version_consent_valid"
            ),
            models.CheckConstraint(
                condition=~Q(consent_status=ConsentStatus.NOT_SOUGHT) | ~Q(consent_not_sought_reasons=""),
                name="not_sought_consent_has_reason",
            ),
            # Sharing without consent needs a lawful basis, and it cannot be consent.
            models.CheckConstraint(
                condition=(
                    Q(outcome=Outcome.NO_SHARE)
                    | Q(consent_status=ConsentStatus.GIVEN)
                    | (~Q(lawful_basis="") & ~Q(lawful_basis="a_consent"))
                ),
                name="share_without_consent_has_lawful_basis",
            ),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.NO_SHARE) | Q(special_category=False) | ~Q(special_category_condition=""),
                name="special_category_share_has_condition",
            ),
            models.CheckConstraint(
                condition=~Q(lawful_basis="a_consent") | Q(consent_status=ConsentStatus.GIVEN),
                name="consent_basis_needs_consent",
            ),
            models.CheckConstraint(condition=Q(layout__gte=1), name="version_layout_positive"),
            # After 2018's first layout the record states a lawful basis and a way of sending only for information
            # that is shared. That layout asked them of every decision, and its versions keep what they stated.
            models.CheckConstraint(
                condition=Q(edition="2018", layout=1)
                | ~Q(outcome=Outcome.NO_SHARE)
                | Q(lawful_basis="", special_category_condition="", sharing_method=""),
                name="no_share_states_no_basis_or_method",
            ),
            models.CheckConstraint(
                condition=Q(edition="2018", layout=1)
                | Q(outcome=Outcome.NO_SHARE)
                | (~Q(lawful_basis="") & ~Q(sharing_method="")),
                name="share_states_basis_and_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} v{self.number}"

    @property
    def shared_without_consent(self) -> bool:
        return self.outcome != Outcome.NO_SHARE and self.consent_status != ConsentStatus.GIVEN

    def canonical_content(self) -> dict[str, Any]:
        """What the content hash (and a PDF's verification code) covers. The layout is part of it except for the
        2018 edition's first layout, whose content is exactly what it was before layouts existed, so old hashes
        still verify."""
        content = {
            "reference": self.decision.reference,
            "organisation": self.decision.organisation_id,
            "version": self.number,
            "edition": self.edition,
            "submitted_at": self.submitted_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "submitted_by": self.submitted_by_id,
            "amendment_reason": self.amendment_reason,
            "previous_hash": self.previous.content_hash if self.previous_id and self.previous else "",
            "answers": self.answers,
        }
        if (self.edition, self.layout) != ("2018", 1):
            content["layout"] = self.layout
        return content

    def compute_content_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.canonical_content()).encode("utf-8")).hexdigest()


class Person(models.Model):
    """Someone a decision is about, within one organisation, so decisions about the same child are found together.

    Only what identifies someone is kept. Submitted versions hold their own snapshot of each person, so editing
    or disposing of this row never changes the evidence.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="people")
    full_name = models.CharField(max_length=200)
    # `full_name` case-folded with accents removed (people.normalise_name), for partial search.
    search_name = models.CharField(max_length=200, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True)
    birth_date_accuracy = models.CharField(
        max_length=12, choices=BirthDateAccuracy.choices, default=BirthDateAccuracy.UNKNOWN
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["search_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date_accuracy=BirthDateAccuracy.UNKNOWN, date_of_birth__isnull=True)
                | (~Q(birth_date_accuracy=BirthDateAccuracy.UNKNOWN) & Q(date_of_birth__isnull=False)),
                name="person_birth_date_matches_accuracy",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="person_has_name"),
        ]
        indexes = [
            models.Index(fields=["organisation", "search_name"], name="person_org_name"),
            models.Index(fields=["organisation", "date_of_birth"], name="person_org_birth"),
        ]

    def __str__(self) -> str:
        return f"Person {self.pk}"


class DecisionPerson(models.Model):
    """Who a decision is about, as its current version (or, for a draft, its open draft) says.

    Rewritten on every draft save, submit and amend, in the same transaction, so "every decision about this
    child" is one indexed query.
    """

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="people_links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="decision_links")
    part = models.CharField(max_length=14, choices=PersonPart.choices)
    protect_identity = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "person"], name="decision_person_unique"),
            models.CheckConstraint(condition=Q(part__in=[p.value for p in PersonPart]), name="decision_person_part"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: person {self.person_id}"


class ReferenceCounter(models.Model):
    """Next decision number per organisation and year, taken under a row lock so references never clash."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="reference_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_number}"


class DecisionCount(models.Model):
    """Running counts behind the dashboard, changed in the same transaction as submit, amend and review.

    One row per organisation, team, edition, month and counted fact; decisions/summary.py says which facts a
    decision counts as and keeps the rows right. The dashboard reads a few hundred of these rows instead of
    aggregating every decision, so it costs the same at a million decisions as at ten thousand.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # The team's id, or 0 for none: a plain number, so the unique key below has no NULL in it.
    team_key = models.PositiveIntegerField()
    edition = models.CharField(max_length=10)
    # First day of a UK month: when the decision was first submitted (or, for reviews, when it was reviewed).
    month = models.DateField()
    fact = models.CharField(max_length=40)
    value = models.CharField(max_length=60, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "fact", "value", "team_key", "edition"], name="decision_count_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.fact}={self.value}: {self.count}"


class FollowUp(models.Model):
    """What was done after a decision, as it said it would be (the family told, the information sent), or why it
    was not done. Written once and never changed (append-only triggers); disposal clears its words through the
    same path as the versions'. It is not part of the version it follows: that version's hash is unchanged."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="follow_ups")
    version = models.ForeignKey(DecisionVersion, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    outcome = models.CharField(max_length=10, choices=FollowUpOutcome.choices)
    # What was planned (the date the family was to be told by, or the planned sending date), for the record.
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.CharField(max_length=200, blank=True)
    how = models.CharField(max_length=200, blank=True)
    what_said = models.TextField(blank=True)
    response = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decision", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in FollowUpKind]), name="follow_up_kind_valid"),
            # Done: when and how. Not done: why. Disposal empties the words but keeps the dates.
            models.CheckConstraint(
                condition=Q(outcome=FollowUpOutcome.DONE, done_on__isnull=False)
                | Q(outcome=FollowUpOutcome.NOT_DONE, done_on__isnull=True),
                name="follow_up_outcome_matches_date",
            ),
            models.UniqueConstraint(fields=["version", "kind"], name="follow_up_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.kind} {self.outcome}"

    @property
    def how_display(self) -> str:
        if self.kind == FollowUpKind.SHARE_SENT:
            return dict(SHARING_METHODS).get(self.how, self.how)
        return self.how
