from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from decisions.permissions import Can, has, role_of

# The header's links, in order: (label, URL name, who sees it). Every page a role uses is one of these or is
# reached from one of them (the home page lists each role's work with counts).
NAV: list[tuple[str, str, Can | None]] = [
    ("Decisions", "decisions:list", None),
    ("To review", "oversight:queue", Can.REVIEW),
    ("Dashboard", "oversight:dashboard", Can.VIEW_DASHBOARD),
    ("Audit log", "audit:log", Can.VIEW_AUDIT_LOG),
    ("Audit trail check", "audit:chain", Can.VIEW_CHAIN_STATUS),
    ("Exports", "exports:start", Can.BULK_EXPORT),
    ("Retention", "retention:due", Can.MANAGE_RETENTION),
    ("Settings", "oversight:organisation", Can.MANAGE_ORGANISATION),
]


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """What the signed-in user may open, so the navigation shows only their links.

    `has` reads the membership the accounts context processor already loaded, so this adds no queries.
    """
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    role = role_of(user)
    items: list[dict[str, Any]] = [
        {"label": "Home", "url": reverse("home"), "current": path == reverse("home"), "active": path == "/"}
    ]
    if role is not None:
        for label, name, capability in NAV:
            if capability is not None and not has(user, capability):
                continue
            url = reverse(name)
            if name == "decisions:list" and role == "practitioner":
                label = "Your decisions"
            items.append({"label": label, "url": url, "current": path == url, "active": False})
        # The section stays marked on its inner pages (a decision, an export, a review form): the longest
        # link the path starts with, so /audit/chain marks the chain check and not the audit log too.
        sections = [item for item in items[1:] if path.startswith(item["url"])]
        if sections:
            max(sections, key=lambda item: len(item["url"]))["active"] = True
    return {
        "nav_items": items,
        "nav_can": {
            "review": has(user, Can.REVIEW),
            "audit_log": has(user, Can.VIEW_AUDIT_LOG),
            "dashboard": has(user, Can.VIEW_DASHBOARD),
            "chain_status": has(user, Can.VIEW_CHAIN_STATUS),
            "organisation": has(user, Can.MANAGE_ORGANISATION),
            "exports": has(user, Can.BULK_EXPORT),
            "retention": has(user, Can.MANAGE_RETENTION),
        },
    }
