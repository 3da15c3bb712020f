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


def remember_demo_keys(seed_output: str) -> None:
    """The keys `seed_demo` printed ("  two-step key USERNAME ABCD EFGH ..."): demo accounts need no set-up."""
    for line in seed_output.splitlines():
        if line.startswith("  two-step key "):
            username, *groups = line.split()[2:]
            secret = "".join(groups)
            _ENROLLED[username] = _Enrolled(key=base64.b32decode(secret + "=" * (-len(secret) % 8)))


def _code(enrolled: _Enrolled) -> str:
    """A code the server accepts now. Each step's code works once; the server also takes the next step's
    code (one step of clock drift), and a recovery code, if there is one, once both are used."""
    now = int(time.time()) // STEP
    step = max(now, enrolled.last_step + 1)
    if step > now + 1:
        if enrolled.recovery_codes:
            return enrolled.recovery_codes.pop()
        # Both codes of this half-minute are used: wait for the next one (rare; a few seconds at most 30).
        time.sleep((now + 1) * STEP - time.time() + 0.5)
        return _code(enrolled)
    enrolled.last_step = step
    return f"{totp(enrolled.key, STEP, drift=step - now):06d}"


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
