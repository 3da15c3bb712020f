from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership


def membership(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's membership, so the header can show role and organisation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membership": None}
    try:
        return {"membership": user.membership}
    except Membership.DoesNotExist:
        return {"membership": None}
