"""`{% can "EXPORT_PDF" as can_export %}`: the permission table, asked from a template."""

from __future__ import annotations

from typing import Any

from django import template

from decisions.permissions import Can, has

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], capability: str) -> bool:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return has(user, Can[capability])
