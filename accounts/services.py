"""Account writes outside two-step verification (see twofactor.py for those). Atomic and audited."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

from audit import actions
from audit import services as audit


@transaction.atomic
def sign_in_unlock(*, username: str, by: Any, request: HttpRequest | None = None) -> int:
    """Clear a username's failed sign-ins (and so its lockout) from every address; returns how many
    records were removed."""
    removed = axes_reset(username=username)
    user = get_user_model().objects.filter(username=username).select_related("membership").first()
    membership = getattr(user, "membership", None) if user is not None else None
    audit.record(
        action=actions.LOGIN_UNLOCKED,
        actor=by,
        organisation=membership.organisation_id if membership else None,
        target=user,
        details={"attempts_removed": removed} | ({"username": username} if user is not None else {}),
        typed_username="" if user is not None else username,
        request=request,
    )
    return removed
