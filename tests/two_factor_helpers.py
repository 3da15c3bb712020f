"""Two-step verification for browser tests: set up on first sign-in, then a code (or a recovery code).

Supervisors, admins and auditors must pass it after their password. The server is a separate process, so
the helper remembers what the pages showed it (the key, the recovery codes) per username, per test process.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from typing import Any

from django_otp.oath import totp

SETUP_PATH = "/accounts/two-step/set-up"
VERIFY_PATH = "/accounts/two-step/verify"
STEP = 30


@dataclass
class _Enrolled:
    key: bytes
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = -1


_ENROLLED: dict[str, _Enrolled] = {}


def _code(enrolled: _Enrolled) -> str:
    # A code is accepted once per 30-second step; a second sign-in within the same step uses a recovery code.
    step = int(time.time()) // STEP
    if step > enrolled.last_step:
        enrolled.last_step = step
        return f"{totp(enrolled.key, STEP):06d}"
    return enrolled.recovery_codes.pop()


def pass_two_step(page: Any, username: str) -> None:
    """Call right after the password step. Does nothing for users who are not asked."""
    if SETUP_PATH in page.url:
        secret = (page.text_content("#totp-secret") or "").replace(" ", "").strip()
        enrolled = _Enrolled(key=base64.b32decode(secret + "=" * (-len(secret) % 8)))
        page.fill("#id_code", _code(enrolled))
        page.click("button:has-text('Continue')")
        enrolled.recovery_codes = [
            c.strip() for c in page.locator("[aria-label='Recovery codes'] li").all_inner_texts()
        ]
        _ENROLLED[username] = enrolled
        page.click("a:has-text('I have saved my recovery codes')")
    elif VERIFY_PATH in page.url:
        page.fill("#id_code", _code(_ENROLLED[username]))
        page.click("button:has-text('Continue')")
