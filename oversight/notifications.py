"""Emails about reviews. They are queued in the same transaction as the change they tell about and sent by
the background worker (oversight/tasks.py), so submitting and reviewing never wait for, or fail because of,
the mail server.

They carry only the reference and a link: what a decision is about stays in the service, behind sign-in,
because email is neither private nor audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from decisions.models import DecisionVersion

from .models import Notification
from .tasks import send_notification

if TYPE_CHECKING:
    from .models import Review


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


def queue(*, organisation_id: int, reference: str, recipients: list[str], subject: str, body: str) -> None:
    """One email per recipient, sent by the worker. Call inside the transaction of the change: with the
    database task backend the task rows commit (or roll back) with it."""
    now = timezone.now()
    for recipient in recipients:
        notification = Notification.objects.create(
            organisation_id=organisation_id,
            decision_reference=reference,
            recipient=recipient,
            subject=subject,
            body=body,
            created_at=now,
        )
        send_notification.enqueue(notification.pk)


@receiver(post_save, sender=DecisionVersion, dispatch_uid="oversight_notify_supervisors")
def notify_supervisors(sender: Any, instance: DecisionVersion, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new version is a submit (decisions.services.decision_submit): tell the supervisors, in its transaction."""
    if not created or raw:
        return
    version = instance
    recipients = supervisors_to_notify(version)
    if not recipients:
        return
    reference = version.decision.reference
    amended = f" (amended, version {version.number})" if version.number > 1 else ""
    queue(
        organisation_id=version.decision.organisation_id,
        reference=reference,
        recipients=recipients,
        subject=f"Decision {reference} is waiting for your review",
        body=(
            f"{version.submitted_by.display_name} submitted decision {reference}{amended}.\n\n"
            f"Review it here: {decision_link(reference)}\n\n"
            "You will need to sign in. You cannot review a decision you made yourself.\n"
        ),
    )


def notify_returned(review: Review) -> None:
    """Tell the practitioner their decision came back. Call inside the review's transaction."""
    owner = review.decision.owner
    if not owner.email or not owner.is_active:
        return
    reference = review.decision.reference
    queue(
        organisation_id=review.decision.organisation_id,
        reference=reference,
        recipients=[owner.email],
        subject=f"Decision {reference} has been returned to you",
        body=(
            f"{review.reviewer.display_name} returned version {review.version.number} of decision {reference} "
            "with a comment.\n\n"
            f"Read the comment and amend the decision here: {decision_link(reference)}\n\n"
            "When you submit the amended decision it goes back to your supervisor for review.\n"
        ),
    )
