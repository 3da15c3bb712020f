from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import twofactor

KEPT_POSTS = "kept_posts"
KEPT_PREFIX = "/decisions/"


class KeepAnswersLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login required everywhere, but a wizard answer posted after the session expired is kept.

    The POST body is stored in the new anonymous session, which survives sign-in; the question page shows
    it again so nothing typed is lost.
    """

    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponseRedirect:
        if request.method == "POST" and request.path.startswith(KEPT_PREFIX) and "/answer/" in request.path:
            kept = request.session.get(KEPT_POSTS, {})
            kept[request.path] = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
            request.session[KEPT_POSTS] = kept
        return super().handle_no_permission(request, view_func)


def two_factor_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as reachable before two-step verification (the verification pages, sign-out)."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


class TwoFactorRequiredMiddleware:
    """After the password, anyone who needs two-step verification goes to set it up or to enter a code
    before any other page; `next` brings them back to where they were going."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, "two_factor_exempt", False) or not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated or twofactor.is_verified(user) or not twofactor.needed(request):
            return None
        target = "accounts:two_factor_verify" if twofactor.has_app_device(user) else "accounts:two_factor_setup"
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
