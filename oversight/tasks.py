"""Sending notification emails, in the background worker (`manage.py db_worker`), with retries.

Each attempt books the next one before it talks to the mail server, so a worker that stops half way (or a
mail server that never answers) still leads to another attempt; a message that was sent makes the booked
attempt a no-op. (At least once: if the database fails just after the mail server took a message, it is
sent again later.) After MAX_ATTEMPTS over about five hours the message is marked failed, and the
organisation's admins see it on their settings page.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

# The wait after attempt n (1-based) before attempt n + 1; the last is how long the final attempt may take
# before it is counted as failed.
WAITS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(minutes=15),
)
MAX_ATTEMPTS = len(WAITS)


def describe(exc: BaseException) -> str:
    """What went wrong, for an admin, without the mail server's own words (they can name people)."""
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # smtplib reports a reply that never came as a disconnection, raised while handling the timeout.
        return "The mail server did not answer in time."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the email address."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server refused the message (code {exc.smtp_code})."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "The mail server closed the connection."
    if isinstance(exc, ConnectionRefusedError):
        return "Could not connect to the mail server."
    if isinstance(exc, OSError):
        return "Could not reach the mail server."
    return "The email could not be sent."


def _claim(notification_id: int) -> Notification | None:
    """Count an attempt and book the next, or None when there is nothing to send."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.QUEUED:
            return None
        if notification.attempts >= MAX_ATTEMPTS:
            # The last attempt never reported back (its worker stopped): give up.
            notification.status = NotificationStatus.FAILED
            notification.problem = notification.problem or "The last attempt to send it did not finish."
            notification.next_attempt_at = None
            notification.save(update_fields=["status", "problem", "next_attempt_at"])
            return None
        notification.attempts += 1
        notification.next_attempt_at = timezone.now() + WAITS[notification.attempts - 1]
        notification.save(update_fields=["attempts", "next_attempt_at"])
        # Backends that run tasks at once (some tests use one) cannot book a later attempt.
        if send_notification.get_backend().supports_defer:
            send_notification.using(run_after=notification.next_attempt_at).enqueue(notification.pk)
        return notification


def deliver(notification_id: int) -> str:
    notification = _claim(notification_id)
    if notification is None:
        return "nothing to send"
    try:
        # The SMTP backend gives up after EMAIL_TIMEOUT seconds on a server that does not answer.
        send_mail(notification.subject, notification.body, None, [notification.recipient], fail_silently=False)
    except Exception as exc:  # whatever the mail server or the network does, the next attempt is booked
        final = notification.attempts >= MAX_ATTEMPTS
        logger.warning(
            "Notification %s: attempt %s of %s failed (%s)",
            notification.pk,
            notification.attempts,
            MAX_ATTEMPTS,
            type(exc).__name__,
        )
        Notification.objects.filter(pk=notification.pk, status=NotificationStatus.QUEUED).update(
            problem=describe(exc),
            status=NotificationStatus.FAILED if final else NotificationStatus.QUEUED,
            next_attempt_at=None if final else notification.next_attempt_at,
        )
        return "failed" if final else "will try again"
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.QUEUED).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), problem="", next_attempt_at=None
    )
    return "sent"


@task()
def send_notification(notification_id: int) -> str:
    return deliver(notification_id)
