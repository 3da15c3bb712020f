from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.signals import user_logged_out
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import twofactor

KEPT_POSTS = "kept_answer"
KEPT_PREFIX = "/decisions/"
# One pending answer, at most this big: a wizard page's answers are a few kilobytes at most.
KEPT_MAX_BYTES = 64 * 1024
# A signed note, kept longer than the session, that this browser was signed in as this user. Only then is
# an answer posted after the session expired kept: a request that never had a user stores nothing.
SIGNED_IN_COOKIE = "was_signed_in"
SIGNED_IN_SALT = "accounts.middleware.was-signed-in"
SIGNED_IN_FOR = 12 * 60 * 60


def _was_signed_in_as(request: HttpRequest) -> int | None:
    value = request.COOKIES.get(SIGNED_IN_COOKIE)
    if not value:
        return None
    max_age = settings.SESSION_COOKIE_AGE + SIGNED_IN_FOR
    try:
        user_id = signing.loads(value, salt=SIGNED_IN_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def _answer_to_keep(request: HttpRequest) -> dict[str, list[str]] | None:
    """The posted answer, or None when it is too big to keep (checked before the body is read)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > KEPT_MAX_BYTES:
        return None
    data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
    if len(json.dumps(data).encode("utf-8")) > KEPT_MAX_BYTES:
        return None
    return data


def pop_kept_answer(request: HttpRequest) -> dict[str, list[str]] | None:
    """The answer kept for this page and this user, once; None if there is none."""
    kept = request.session.get(KEPT_POSTS)
    if not isinstance(kept, dict) or kept.get("path") != request.path:
        return None
    del request.session[KEPT_POSTS]
    if kept.get("user") != getattr(request.user, "pk", None):
        return None
    data = kept.get("data")
    return data if isinstance(data, dict) else None


class KeepAnswersLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login required everywhere, but a wizard answer posted after the session expired is kept.

    Only for a browser that was signed in when its session expired (the signed cookie above), only for the
    same user when they sign in again, and only one answer of at most 64 KB: the new session holds it,
    survives sign-in, and the question page shows it again so nothing typed is lost.
    """

    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponseRedirect:
        if _was_signed_in_as(request) is not None:
            # This browser was signed in and its session ended: say why the sign-in page is back.
            minutes = settings.SESSION_COOKIE_AGE // 60
            messages.info(
                request,
                f"You were signed out because you had not used the service for {minutes} minutes. "
                "Sign in again to carry on.",
            )
        if request.method == "POST" and request.path.startswith(KEPT_PREFIX) and "/answer/" in request.path:
            user_id = _was_signed_in_as(request)
            data = _answer_to_keep(request) if user_id is not None else None
            if data is not None:
                request.session[KEPT_POSTS] = {"path": request.path, "user": user_id, "data": data}
        return super().handle_no_permission(request, view_func)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        user = getattr(request, "user", None)
        if getattr(request, SIGNED_OUT_FLAG, False):
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
        elif user is not None and user.is_authenticated and _was_signed_in_as(request) != user.pk:
            response.set_cookie(
                SIGNED_IN_COOKIE,
                signing.dumps(user.pk, salt=SIGNED_IN_SALT),
                max_age=settings.SESSION_COOKIE_AGE + SIGNED_IN_FOR,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


SIGNED_OUT_FLAG = "_signed_out"


@receiver(user_logged_out)
def _forget_signed_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Signing out on purpose is not a timeout: nothing is kept after it, and the sign-in page says it worked."""
    if request is not None:
        setattr(request, SIGNED_OUT_FLAG, True)
        # Kept in the messages cookie, which outlives the session that signing out ends.
        messages.success(request, "You have signed out")


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
