"""Request bodies bounded before anything reads them.

Django reads a body lazily, up to CONTENT_LENGTH bytes (a chunked body, with no length, is read as empty), and
the multipart parser streams large uploads to a temporary file. Without a limit an anonymous POST of any size
to any page was read and written to /tmp. This middleware runs first and refuses, with a 413 page and before a
byte is read, any body longer than the limit for its page:

- the verify page, which takes one uploaded PDF or zip: `REQUEST_BODY_LIMIT_UPLOAD` (20 MB, the form's own
  limit, plus room for the form's other fields and the multipart framing);
- the record's question and follow-up pages: `REQUEST_BODY_LIMIT_ANSWERS` (512 KB). The largest page has four
  text areas of 5,000 characters; a character may take 12 bytes once percent-encoded, so about 240 KB can be typed
  legitimately and must never be refused (typed text is never lost);
- every other page: `REQUEST_BODY_LIMIT` (64 KB).

A body sent in chunks, with no length, is refused (411) on the pages that take one, since Django would read it as
empty. The proxy in front should refuse bodies over the upload limit too (README, "Deploying").
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

UPLOAD_PAGES = frozenset({"exports:verify"})
# Pages with several long answers: the question pages and the follow-ups recorded after a decision.
ANSWER_PAGES = frozenset({"decisions:step", "decisions:follow_up"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def body_limit(path: str) -> int:
    """The most bytes a request to `path` may send."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        return int(settings.REQUEST_BODY_LIMIT)
    if name in UPLOAD_PAGES:
        return int(settings.REQUEST_BODY_LIMIT_UPLOAD)
    if name in ANSWER_PAGES:
        return int(settings.REQUEST_BODY_LIMIT_ANSWERS)
    return int(settings.REQUEST_BODY_LIMIT)


def _refusal(status: int, limit: int) -> HttpResponse:
    # Rendered without the request's context (no session, user or database): nothing of the body is read.
    html = render_to_string("errors/413.html", {"limit": limit, "chunked": status == 411})
    response = HttpResponse(html, status=status)
    add_never_cache_headers(response)
    return response


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        length = meta.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length or chunked or request.method in BODY_METHODS:
            limit = body_limit(request.path_info)
            try:
                size = int(length) if length else 0
            except ValueError:
                size = limit + 1  # a length that is not a number is refused, not guessed at
            if size > limit or size < 0:
                return _refusal(413, limit)
            if chunked and not length:
                return _refusal(411, limit)
        return self.get_response(request)
