"""Stored values for outcomes, consent and review states. Labels are what the UI shows."""

from django.db import models


class Outcome(models.TextChoices):
    SHARE_ALL = "share_all", "Share all of the information"
    SHARE_SOME = "share_some", "Share some of the information"
    NO_SHARE = "no_share", "Do not share"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    NOT_OBTAINED = "not_obtained", "Consent could not be obtained"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    # A draft thrown away before it was ever submitted. The reference stays taken, and its trail stays.
    DISCARDED = "discarded", "Discarded"
    # Disposed of under the retention schedule: personal content removed, a tombstone kept (retention app).
    DISPOSED = "disposed", "Disposed of"


class ReviewStatus(models.TextChoices):
    NONE = "", "Not yet submitted"
    AWAITING = "awaiting", "Awaiting review"
    RETURNED = "returned", "Returned"
    SIGNED_OFF = "signed_off", "Signed off"


class PersonPart(models.TextChoices):
    """A person's part in a decision."""

    CHILD = "child", "The child the concern is about"
    OTHER_CHILD = "other_child", "Another child"
    PARENT_CARER = "parent_carer", "Parent or carer"
    OTHER_ADULT = "other_adult", "Other adult"


class BirthDateAccuracy(models.TextChoices):
    EXACT = "exact", "Exact"
    APPROXIMATE = "approximate", "Approximate"
    UNKNOWN = "unknown", "Not known"


class FollowUpKind(models.TextChoices):
    """Something done after a decision, as it said: recorded as a follow-up, never as an amendment."""

    FAMILY_TOLD = "family_told", "Telling the family"
    SHARE_SENT = "share_sent", "Sending the information"


class FollowUpOutcome(models.TextChoices):
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done after all"
