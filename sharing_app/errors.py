"""The server-error page, which has to work when nothing else does, and its "database unavailable" form.

Django calls `server_error` for any exception a view or a middleware lets out, including those from the
other error pages and from loading the session or the signed-in user. When the cause is the database being
unavailable (a restart, a fail-over, a dropped connection), the answer is a 503 "Sorry, there is a problem
with the service" page with a "Try again" button that sends the same answers again: the page carries them
in hidden fields, so nothing typed is lost.

Nothing here touches the database. Pages are rendered without the request's context processors (they read
the signed-in user), and the CSRF token comes from the cookie (CSRF_USE_SESSIONS is off), so the re-post is
checked like any other form.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from decisions import views as decision_views

# Credentials are never written back into a page: a form holding one offers to go back instead.
SENSITIVE = re.compile(r"password|token|secret|otp|^code$", re.IGNORECASE)
RETRY_AFTER_SECONDS = 5
DRIVER_ERRORS = {OperationalError.__name__, InterfaceError.__name__}


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc`, or what caused it, is the database being unreachable or dropping the connection:
    Django's OperationalError or InterfaceError, or the driver's own (psycopg, sqlite3), which share the names."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if any(cls.__name__ in DRIVER_ERRORS for cls in type(exc).__mro__):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _carried_answers(request: HttpRequest) -> tuple[list[tuple[str, str]], bool] | None:
    """The fields of a POST to send again, and whether any was left out because it was sensitive.

    None when the POST cannot be sent again: not a POST, or one that never passed the CSRF check.
    """
    if request.method != "POST" or not getattr(request, "csrf_processing_done", False):
        return None
    try:
        fields = [
            (name, value) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken" for value in values
        ]
    except Exception:  # an unreadable body: nothing to carry
        return None
    kept = [(name, value) for name, value in fields if not SENSITIVE.search(name)]
    return kept, len(kept) != len(fields)


def _same_page(request: HttpRequest) -> str:
    target = request.get_full_path()
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts=None) else "/"


def service_unavailable(request: HttpRequest) -> HttpResponse:
    carried = _carried_answers(request)
    context: dict[str, Any] = {"retry_url": _same_page(request), "posted": request.method == "POST"}
    if carried is not None and not carried[1]:
        context["answers"] = carried[0]
        context["csrf_token"] = get_token(request)
    response = HttpResponse(render_to_string("errors/503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400. A session that could not be saved is reported as a bad request (SessionInterrupted);
    when the database was the cause, it is the "Try again" page instead."""
    if database_unavailable(exception):
        return service_unavailable(request)
    return decision_views.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Called while the exception is being handled, so sys.exc_info() is its cause."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    return HttpResponseServerError(render_to_string("errors/500.html"))
