from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from decisions.permissions import Can, has


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """What the signed-in user may open, so the navigation shows only their links.

    `has` reads the membership the accounts context processor already loaded, so this adds no queries.
    """
    user = getattr(request, "user", None)
    return {
        "nav_can": {
            "review": has(user, Can.REVIEW),
            "audit_log": has(user, Can.VIEW_AUDIT_LOG),
            "dashboard": has(user, Can.VIEW_DASHBOARD),
            "chain_status": has(user, Can.VIEW_CHAIN_STATUS),
            "organisation": has(user, Can.MANAGE_ORGANISATION),
        }
    }
