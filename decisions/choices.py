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
