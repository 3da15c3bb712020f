"""Who is acting, for events recorded where no caller passes an actor: the receivers that audit every change to
accounts, memberships, teams and organisations, by any route (accounts/audit_changes.py).

`ActorMiddleware` sets it for each request (the Django admin's included); outside a request it names the management
command being run ("system/command NAME"), or "system".
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Acting:
    request: HttpRequest | None = None
    label: str = ""

    @property
    def actor(self) -> Any:
        user = getattr(self.request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


_current: ContextVar[Acting | None] = ContextVar("audit_acting", default=None)


def _command_label(argv: list[str]) -> str:
    if len(argv) >= 2 and Path(argv[0]).name in ("manage.py", "django-admin", "django-admin.py"):
        return f"system/command {argv[1]}"
    return "system"


def current() -> Acting:
    """The request being served, or a label for what runs outside one."""
    acting = _current.get()
    if acting is not None:
        return acting
    return Acting(None, _command_label(sys.argv))


@contextmanager
def acting(*, request: HttpRequest | None = None, label: str = "") -> Iterator[None]:
    token = _current.set(Acting(request, label))
    try:
        yield
    finally:
        _current.reset(token)


class ActorMiddleware:
    """Makes the request (and so its signed-in user, read when an event is recorded) the actor of what it changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting(request=request):
            return self.get_response(request)
