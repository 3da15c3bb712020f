"""Sign-in hooks for security: remember who must pass two-step verification, audit lockouts."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from audit import actions
from audit import services as audit

from . import twofactor


@receiver(user_logged_in)
def _remember_two_factor(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # One query at sign-in rather than one per page: a practitioner who turned verification on is asked too.
    if request is not None and hasattr(request, "session"):
        request.session[twofactor.SESSION_HAS_DEVICE] = twofactor.has_app_device(user)


@receiver(user_locked_out)
def _audit_lockout(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    # Recorded when the lock starts; later tries while locked are recorded as failed sign-ins.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    name = str(username or "")[:150]
    user = get_user_model().objects.filter(username=name).select_related("membership").first()
    membership = getattr(user, "membership", None) if user is not None else None
    audit.record(
        action=actions.LOGIN_LOCKED_OUT,
        organisation=membership.organisation_id if membership else None,
        target=user,
        actor_label=name if user is not None else "",
        details={"known_user": user is not None, "failures": failures} | ({"username": name} if user else {}),
        typed_username="" if user is not None else name,
        request=request,
    )
