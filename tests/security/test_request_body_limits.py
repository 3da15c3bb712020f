"""Issue 25 item 5: an anonymous 400 MB multipart POST to the sign-in page (with a CSRF cookie) was read and
streamed to /tmp, then answered 200. Bodies over a page's limit must be refused before they are read.

The requests go through the real WSGI handler with a body that counts what is read from it, so "read" means read
from the socket."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import TestCase

from sharing_app.request_limits import body_limit

BOUNDARY = "----boundary-of-a-big-post"
CSRF_SECRET = "A" * 32


class CountingBody(io.RawIOBase):
    """A multipart body of `size` bytes (one large file part), made as it is read, counting what is read."""

    def __init__(self, size: int) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.parts: Iterator[bytes] = self._parts(head, size - len(head) - len(tail), tail)
        self.size = size
        self.read_bytes = 0
        self.buffer = b""

    @staticmethod
    def _parts(head: bytes, filler: int, tail: bytes) -> Iterator[bytes]:
        yield head
        block = b"x" * 65536
        while filler > 0:
            yield block[: min(filler, len(block))]
            filler -= len(block)
        yield tail

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        want = self.size if n is None or n < 0 else n
        while len(self.buffer) < want:
            try:
                self.buffer += next(self.parts)
            except StopIteration:
                break
        out, self.buffer = self.buffer[:want], self.buffer[want:]
        self.read_bytes += len(out)
        return out

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        return self.read(size)


def send(path: str, size: int, **extra: str) -> tuple[str, int]:
    """POST a `size`-byte multipart body to `path`; the status line and the bytes read from the body."""
    body = CountingBody(size)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "192.0.2.99",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": f"csrftoken={CSRF_SECRET}",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(size),
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **extra,
    }
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(line)

    response = WSGIHandler()(environ, start_response)
    b"".join(response)
    getattr(response, "close", lambda: None)()
    return status[0], body.read_bytes


class BodiesOverTheLimitAreNotRead(TestCase):
    def test_a_large_anonymous_post_to_sign_in_is_refused_unread(self) -> None:
        status, read = send("/accounts/login/", 4 * 1024 * 1024)
        assert status.startswith("413"), status
        assert read == 0

    def test_the_verify_page_takes_its_upload_but_not_more(self) -> None:
        status, read = send("/exports/verify", settings.REQUEST_BODY_LIMIT_UPLOAD + 1)
        assert status.startswith("413"), status
        assert read == 0
        # Just under the limit is read as usual (and the page answers as it does to any POST).
        status, read = send("/exports/verify", 1024 * 1024)
        assert not status.startswith("413"), status

    def test_a_body_without_a_length_is_refused(self) -> None:
        status, read = send("/accounts/login/", 1024, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
        assert status.startswith("411"), status
        assert read == 0

    def test_a_length_that_is_not_a_number_is_refused(self) -> None:
        status, read = send("/accounts/login/", 1024, CONTENT_LENGTH="lots")
        assert status.startswith("413"), status
        assert read == 0

    def test_an_ordinary_sign_in_is_not_refused(self) -> None:
        status, read = send("/accounts/login/", 2048)
        assert not status.startswith(("411", "413")), status
        assert read == 2048

    def test_only_one_file_per_request(self) -> None:
        assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 1


def test_every_page_with_several_long_answers_takes_the_answers_limit() -> None:
    # Two 5,000-character answers in Chinese are about 90 KB percent-encoded: over the 64 KB default, so the
    # follow-up pages (what was said, how they responded) would refuse what a practitioner typed.
    for path in ("/decisions/NSP-2026-00001/answer/consent", "/decisions/NSP-2026-00001/follow-up/family-told"):
        assert body_limit(path) == settings.REQUEST_BODY_LIMIT_ANSWERS, path
    typed = "中" * 5_000
    assert len(urlencode({"what_said": typed, "response": typed})) > settings.REQUEST_BODY_LIMIT
