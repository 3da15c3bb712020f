"""How many checks one address may make on the open verify page, in a window that starts at its first check,
counted in Django's cache.

Every check writes an audit event and may parse a 20 MB PDF, so a signed-out visitor cannot be allowed to make
them without end. Signed-in people are counted per account instead, so a team behind one address is not held back
by each other. With the default (per-process) cache each web process counts on its own: the limit holds per
process, which still bounds the work; a shared cache (CACHES) makes it exact."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from audit.services import client_ip


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"addr:{client_ip(request) or 'unknown'}"


def verify_check_allowed(request: HttpRequest) -> int | None:
    """Count this check; None when it may go ahead, else the whole minutes until its window ends."""
    window = max(1, int(settings.VERIFY_WINDOW_MINUTES)) * 60
    now = time.time()
    key = f"verify-checks:{_who(request)}"
    # The window's start and its count expire together, a window after the first check.
    cache.add(f"{key}:start", now, timeout=window)
    cache.add(f"{key}:count", 0, timeout=window)
    try:
        count = cache.incr(f"{key}:count")
    except ValueError:  # expired between add and incr: a new window
        cache.set(f"{key}:start", now, timeout=window)
        cache.set(f"{key}:count", 1, timeout=window)
        count = 1
    if count <= int(settings.VERIFY_CHECKS_PER_WINDOW):
        return None
    start = float(cache.get(f"{key}:start", now))
    return max(1, math.ceil((start + window - now) / 60))
