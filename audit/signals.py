"""Sign-ins, sign-outs and failed sign-ins go into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import actions
from .services import record


def _organisation_of(user: Any) -> Any:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.organisation_id if membership is not None else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(action=actions.LOGIN, actor=user, organisation=_organisation_of(user), target=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    record(action=actions.LOGOUT, actor=user, organisation=_organisation_of(user), target=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).select_related("membership").first()
    # A name that is nobody's account may be anything typed (an email address, a password in the wrong box):
    # it is kept with the address, outside the hash, and cleared with it.
    record(
        action=actions.LOGIN_FAILED,
        organisation=_organisation_of(user),
        target=user,
        actor_label=username if user is not None else "",
        details={"username": username, "known_user": True} if user is not None else {"known_user": False},
        typed_username="" if user is not None else username,
        request=request,
    )
