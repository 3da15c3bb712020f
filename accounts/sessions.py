"""Idle sessions end after SESSION_COOKIE_AGE seconds; a session in use is renewed at most once a minute.

Django's SESSION_SAVE_EVERY_REQUEST would write the session row (an UPDATE and a flushed commit) on every page,
even when nothing in it changed: under fifty practitioners that was a quarter of the web workers' time, most of
it waiting for the database. Renewing only when the last renewal is SESSION_RENEW_SECONDS old keeps the idle
timeout (to within that minute: a session ends between 29 and 30 idle minutes after its last use) with one write
a minute per person instead of one per page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

RENEWED_AT = "_renewed_at"


class RenewSessionMiddleware:
    """Marks a session that is in use for saving (which renews its expiry) when its last renewal is old enough.

    Sits just inside SessionMiddleware, which then saves it with a fresh expiry on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        renewed = session.get(RENEWED_AT, 0)
        every = int(getattr(settings, "SESSION_RENEW_SECONDS", 60))
        if session.modified:
            session[RENEWED_AT] = now
        elif not isinstance(renewed, int) or now - renewed >= every or renewed > now:
            session[RENEWED_AT] = now
            # Only the expiry moves: sharing_app/sessions.py lets this save fail quietly while the database is away.
            session.renewal_only = True
        return response


@receiver(user_logged_in)
def _renewed_at_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Signing in saves a new session anyway: it counts as renewed, so the next page writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = int(time.time())
