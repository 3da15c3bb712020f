from __future__ import annotations

from typing import Any

from django import template

from accounts.models import ReviewTiming
from decisions.choices import Outcome, ReviewStatus
from decisions.display import changes_between

from ..forms import ApproveForm, ReturnForm
from ..models import Review
from ..permissions import can_review_now
from ..selectors import reviews_of

register = template.Library()


def _reviews(decision: Any) -> list[Review]:
    """The decision's reviews, read once per page: the panel at the top and the forms at the end share them."""
    cached = getattr(decision, "_reviews_for_panel", None)
    if cached is None:
        cached = reviews_of(decision)
        decision._reviews_for_panel = cached
    return cached


def _review_forms_here(context: template.Context, decision: Any) -> bool:
    """A supervisor who may review the current version, looking at it (not at an older one)."""
    shown = context.get("shown")
    return can_review_now(context.get("user"), decision) and (shown is None or shown.pk == decision.current_version_id)


def _changes_since_review(context: template.Context, decision: Any, reviews: list[Review]) -> dict[str, Any] | None:
    """What the current version changed since the version last reviewed (or, if none was, since the one
    before it); None for a first version. Uses versions the page has already read."""
    current = decision.current_version
    if current is None or current.number == 1:
        return None
    base = reviews[-1].version if reviews else None
    if base is None:
        versions = context.get("versions") or []
        base = next((v for v in versions if v.pk == current.previous_id), None)
    if base is None or base.pk == current.pk:
        return None
    return {
        "base": base,
        "review": reviews[-1] if reviews else None,
        "changes": changes_between(base, current),
    }


@register.inclusion_tag("oversight/_review_panel.html", takes_context=True)
def review_panel(context: template.Context, decision: Any) -> dict[str, Any]:
    """Review status and history, above the record. The forms come after the record (`review_forms`), so a
    supervisor reads before signing off.

    One query: the decision's reviews with their reviewers and versions.
    """
    if not decision.is_submitted:
        return {"show": False}
    user = context.get("user")
    shown = context.get("shown")
    reviews = _reviews(decision)
    reviewable = can_review_now(user, decision)
    forms_here = _review_forms_here(context, decision)
    return {
        "show": True,
        "decision": decision,
        "reviews": reviews,
        "latest": reviews[-1] if reviews else None,
        "is_owner": user is not None and decision.owner_id == user.pk,
        "current_number": decision.current_version.number if decision.current_version else None,
        "review_forms": forms_here,
        "since_review": _changes_since_review(context, decision, reviews) if forms_here else None,
        "reviewable_elsewhere": reviewable and shown is not None and shown.pk != decision.current_version_id,
        "not_final": (
            decision.organisation.review_timing == ReviewTiming.BEFORE_SHARING
            and decision.outcome in (Outcome.SHARE_ALL, Outcome.SHARE_SOME)
            and decision.review_status != ReviewStatus.SIGNED_OFF
        ),
    }


@register.inclusion_tag("oversight/_review_forms.html", takes_context=True)
def review_forms(context: template.Context, decision: Any) -> dict[str, Any]:
    """After the record: what changed since the last review (for an amendment), then sign off or return."""
    if not decision.is_submitted or not _review_forms_here(context, decision):
        return {"show": False}
    reviews = _reviews(decision)
    return {
        "show": True,
        "decision": decision,
        "current_number": decision.current_version.number,
        "since_review": _changes_since_review(context, decision, reviews),
        "approve_form": ApproveForm(),
        "return_form": ReturnForm(),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
