from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseRedirect

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
