"""Who may review which decision. Built on decisions.permissions, which decides what each role can do."""

from __future__ import annotations

from typing import Any

from decisions.choices import ReviewStatus
from decisions.permissions import Can, has, membership_of


def may_review_in(user: Any, decision: Any) -> bool:
    """A supervisor of the decision's organisation who did not make the decision.

    The owner check matters when someone changes role: a practitioner promoted to supervisor must not
    sign off their own earlier decisions.
    """
    membership = membership_of(user)
    return (
        membership is not None
        and has(user, Can.REVIEW)
        and decision.organisation_id == membership.organisation_id
        and decision.owner_id != user.pk
    )


def can_review_now(user: Any, decision: Any) -> bool:
    """`may_review_in`, and the decision's current version is waiting for a review."""
    return (
        may_review_in(user, decision)
        and decision.current_version_id is not None
        and decision.review_status == ReviewStatus.AWAITING
    )
