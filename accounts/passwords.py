"""Forgotten passwords and new accounts: emailed one-use links, rate limited and audited.

Links use Django's password reset tokens: a token is an HMAC over the user's id, password hash, last sign-in
and a timestamp, so it stops working once the password changes (used) or when it is too old (expired).
An account an admin creates has no password; its owner gets a "set your password" link that lasts longer.

Whether an address has an account is never shown: every request gets the same page. The limits count the
audit trail's own events, so they hold across processes and restarts: per address (the network the
requests come from) a page says to wait; per account, more emails are silently not sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django_tasks import task

from audit import actions
from audit import services as audit
from audit.models import AuditEvent

logger = logging.getLogger(__name__)

LIMIT_WINDOW = dt.timedelta(hours=1)
USER_TYPE = "accounts.user"


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for "set your password" emails: not interchangeable with reset links, and valid for longer
    (`ACCOUNT_INVITE_TIMEOUT` rather than `PASSWORD_RESET_TIMEOUT`)."""

    key_salt = "accounts.passwords.InviteTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's check, with this token's own lifetime.
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return bool(self._num_seconds(self._now()) - timestamp <= settings.ACCOUNT_INVITE_TIMEOUT)


invite_token_generator = InviteTokenGenerator()


def _organisation_id(user: Any) -> int | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.organisation_id if membership is not None else None


def _base_url(request: HttpRequest | None) -> str:
    """Where links point: SITE_URL, or the address this request came to."""
    if settings.SITE_URL:
        return str(settings.SITE_URL)
    return request.build_absolute_uri("/") if request is not None else "/"


def _absolute(base_url: str, path: str) -> str:
    return urljoin(base_url, path)


def _link(base_url: str, url_name: str, user: Any, token: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return _absolute(base_url, reverse(url_name, kwargs={"uidb64": uid, "token": token}))


def email_context(template: str, user: Any, base_url: str) -> dict[str, Any]:
    """What an account email says. Built by the worker when it sends, so no link waits in the database."""
    if template == "password_reset":
        token = default_token_generator.make_token(user)
        return {
            "user": user,
            "link": _link(base_url, "accounts:password_reset_confirm", user, token),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
    if template == "account_invite":
        return {
            "user": user,
            "link": _link(base_url, "accounts:invite_confirm", user, invite_token_generator.make_token(user)),
            "days": settings.ACCOUNT_INVITE_TIMEOUT // 86400,
            "sign_in": _absolute(base_url, reverse("accounts:login")),
        }
    raise ValueError(f"Unknown account email {template!r}")


@task()
def send_account_email(*, template: str, user_id: int, base_url: str) -> None:
    """Send one account email (run by the background worker). A failure is logged without the address; the
    person can ask again, and an admin can send a new link."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    context = email_context(template, user, base_url)
    subject = "".join(render_to_string(f"registration/{template}_subject.txt", context).splitlines())
    body = render_to_string(f"registration/{template}_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        logger.exception("Could not send the %s email", template)


def _send_later(*, template: str, user: Any, request: HttpRequest | None) -> None:
    """Queue the email for the background worker once the transaction that recorded it commits: the page
    never waits for the mail server, and its timing does not tell whether an account exists."""
    base_url = _base_url(request)
    user_id = user.pk if user is not None else 0  # 0: no account; the job finds nobody and sends nothing
    transaction.on_commit(lambda: send_account_email.enqueue(template=template, user_id=user_id, base_url=base_url))


def _recent(action: str, since: dt.datetime, **filters: Any) -> int:
    return AuditEvent.objects.filter(action=action, occurred_at__gte=since, **filters).count()


def users_for_email(email: str) -> list[Any]:
    """Active accounts with this address (compared without case), with or without a password yet."""
    return list(
        get_user_model()
        .objects.filter(email__iexact=email.strip(), is_active=True)
        .select_related("membership")
        .order_by("pk")
    )


@dataclass(frozen=True)
class ResetRequest:
    # Too many requests from this address: the page says to wait. Nothing else is ever shown differently.
    throttled: bool = False


@transaction.atomic
def password_reset_request(*, email: str, request: HttpRequest) -> ResetRequest:
    """Email a reset link to each account with this address, within the limits; record every request."""
    since = timezone.now() - LIMIT_WINDOW
    address = audit.client_ip(request)
    per_address = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS  # 0: no limit (e.g. behind a proxy that hides it)
    if per_address and address and _recent(actions.PASSWORD_RESET_REQUEST, since, ip_address=address) >= per_address:
        audit.record(
            action=actions.PASSWORD_RESET_REQUEST,
            details={"known_user": None, "sent": False, "limited": "address"},
            request=request,
        )
        return ResetRequest(throttled=True)
    users = users_for_email(email)
    if not users:
        # The same work as for a known address (the per-account count, a queued email job that finds nobody to
        # write to), so the time taken does not tell whether an account exists.
        _recent(actions.PASSWORD_RESET_REQUEST, since, target_type=USER_TYPE, target_id="", details__sent=True)
        _send_later(template="password_reset", user=None, request=request)
        audit.record(
            action=actions.PASSWORD_RESET_REQUEST,
            details={"known_user": False, "sent": False, "limited": ""},
            request=request,
        )
    for user in users:
        sent_recently = _recent(
            actions.PASSWORD_RESET_REQUEST, since, target_type=USER_TYPE, target_id=str(user.pk), details__sent=True
        )
        allowed = sent_recently < settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
        if allowed:
            _send_later(template="password_reset", user=user, request=request)
        audit.record(
            action=actions.PASSWORD_RESET_REQUEST,
            organisation=_organisation_id(user),
            target=user,
            details={"known_user": True, "sent": allowed, "limited": "" if allowed else "account"},
            request=request,
        )
    return ResetRequest()


@transaction.atomic
def password_set(*, user: Any, password: str, invited: bool, request: HttpRequest | None = None) -> None:
    """A new password from a reset or invitation link (checked by the view). Old sessions end, because
    their stored hash no longer matches; failed sign-ins are forgotten, so the owner is not locked out."""
    user.set_password(password)
    user.save(update_fields=["password"])
    removed = axes_reset(username=user.get_username())
    audit.record(
        action=actions.PASSWORD_SET if invited else actions.PASSWORD_RESET,
        # Not signed in, but proven to be them by the link sent to their address.
        actor=user,
        organisation=_organisation_id(user),
        target=user,
        details={"failed_sign_ins_cleared": removed},
        request=request,
    )


@transaction.atomic
def account_invite(*, user: Any, by: Any, request: HttpRequest | None = None) -> None:
    """Send a new account's owner a link to set their password (an admin never types one for them)."""
    if not user.email:
        raise ValueError("An account needs an email address to be sent a link")
    _send_later(template="account_invite", user=user, request=request)
    audit.record(
        action=actions.ACCOUNT_INVITE,
        actor=by,
        organisation=_organisation_id(user),
        target=user,
        details={"username": user.get_username()},
        request=request,
    )
