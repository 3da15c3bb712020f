from __future__ import annotations

from typing import Any

from django import template

from accounts.models import ReviewTiming
from decisions.choices import Outcome, ReviewStatus

from ..forms import ApproveForm, ReturnForm
from ..permissions import can_review_now
from ..selectors import reviews_of

register = template.Library()


@register.inclusion_tag("oversight/_review_panel.html", takes_context=True)
def review_panel(context: template.Context, decision: Any) -> dict[str, Any]:
    """Review status, history and (for a supervisor who may review it) the sign-off and return forms.

    One query: the decision's reviews with their reviewers and versions.
    """
    if not decision.is_submitted:
        return {"show": False}
    user = context.get("user")
    shown = context.get("shown")
    reviews = reviews_of(decision)
    reviewable = can_review_now(user, decision)
    return {
        "show": True,
        "decision": decision,
        "reviews": reviews,
        "latest": reviews[-1] if reviews else None,
        "is_owner": user is not None and decision.owner_id == user.pk,
        "current_number": decision.current_version.number if decision.current_version else None,
        # Forms only beside the current version, so nobody signs off a version they are not looking at.
        "review_forms": reviewable and (shown is None or shown.pk == decision.current_version_id),
        "reviewable_elsewhere": reviewable and shown is not None and shown.pk != decision.current_version_id,
        "approve_form": ApproveForm(),
        "return_form": ReturnForm(),
        "not_final": (
            decision.organisation.review_timing == ReviewTiming.BEFORE_SHARING
            and decision.outcome in (Outcome.SHARE_ALL, Outcome.SHARE_SOME)
            and decision.review_status != ReviewStatus.SIGNED_OFF
        ),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
