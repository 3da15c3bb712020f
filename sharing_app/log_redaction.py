"""A log formatter that keeps personal data out of tracebacks.

PostgreSQL puts the offending values into its error messages ("DETAIL:  Failing row contains (...)",
"Key (username)=(alice) already exists"), and a failing record here is a child's safeguarding record; mail
errors list recipients' addresses. The traceback stays useful (which constraint, which line) without them.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
# To the end of the line: the values themselves may contain brackets.
_PATTERNS = [
    re.compile(r"(DETAIL:).*$", re.MULTILINE),
    re.compile(r"(Failing row contains).*$", re.MULTILINE),
    re.compile(r"(Key \().*$", re.MULTILINE),
]
# Email addresses, e.g. in an SMTP error that lists the refused recipients.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\1 {REDACTED}", text)
    return _EMAIL.sub("[email]", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
