from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class MembershipBackend(ModelBackend):
    """Loads the user with their membership and organisation in one query: every page needs them."""

    def get_user(self, user_id: Any) -> Any:
        user = (
            get_user_model()
            ._default_manager.select_related("membership", "membership__organisation", "membership__team")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check, first in AUTHENTICATION_BACKENDS: a locked-out username and address pair is
    refused before any password is checked.

    Every sign-in over HTTP passes the request (Django's AuthenticationForm does, on our page and the
    admin's). A call without one (the test client's `login()`, a shell) has no address to lock, so axes,
    which would raise, is skipped for it.
    """

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
