"""Emails about reviews, sent through Django's mail framework after the change has committed.

They carry only the reference and a link: what a decision is about stays in the service, behind sign-in,
because email is neither private nor audited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.dispatch import receiver
from django.urls import reverse

from accounts.models import Membership, Role
from decisions.models import DecisionVersion
from decisions.signals import decision_submitted

if TYPE_CHECKING:
    from .models import Review

logger = logging.getLogger(__name__)


def decision_link(reference: str) -> str:
    # SITE_URL (for example https://decisions.example.org) makes the link absolute when it is set.
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse("decisions:detail", args=[reference])


def supervisors_to_notify(version: DecisionVersion) -> list[str]:
    """Email addresses of the supervisors in the decision's team, or of the whole organisation when its team
    has none."""
    decision = version.decision
    rows = list(
        Membership.objects.filter(
            organisation_id=decision.organisation_id,
            role=Role.SUPERVISOR,
            user__is_active=True,
        )
        .exclude(user__email="")
        .exclude(user_id=version.submitted_by_id)
        .values_list("team_id", "user__email")
    )
    in_team = [email for team_id, email in rows if decision.team_id and team_id == decision.team_id]
    return sorted(set(in_team or [email for _, email in rows]))


def _send(messages: list[tuple[str, str, str | None, list[str]]]) -> None:
    # The change is already committed: a mail server being down must not turn it into an error page.
    try:
        send_mass_mail(tuple(messages), fail_silently=False)
    except Exception:
        logger.exception("Could not send review emails")


@receiver(decision_submitted, dispatch_uid="oversight_notify_supervisors")
def notify_supervisors(sender: Any, version: DecisionVersion, by: Any, **kwargs: Any) -> None:
    reference = version.decision.reference
    recipients = supervisors_to_notify(version)
    if not recipients:
        return
    amended = f" (amended, version {version.number})" if version.number > 1 else ""
    subject = f"Decision {reference} is waiting for your review"
    body = (
        f"{by.display_name} submitted decision {reference}{amended}.\n\n"
        f"Review it here: {decision_link(reference)}\n\n"
        "You will need to sign in. You cannot review a decision you made yourself.\n"
    )
    _send([(subject, body, None, [email]) for email in recipients])


def notify_returned(review: Review) -> None:
    owner = review.decision.owner
    if not owner.email or not owner.is_active:
        return
    reference = review.decision.reference
    subject = f"Decision {reference} has been returned to you"
    body = (
        f"{review.reviewer.display_name} returned version {review.version.number} of decision {reference} "
        "with a comment.\n\n"
        f"Read the comment and amend the decision here: {decision_link(reference)}\n\n"
        "When you submit the amended decision it goes back to your supervisor for review.\n"
    )
    _send([(subject, body, None, [owner.email])])
