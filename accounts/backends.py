from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
