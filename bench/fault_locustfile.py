"""Practitioners walking the wizard while PostgreSQL restarts, for locust (run by bench/fault.py).

Each simulated user signs in as its own seeded practitioner and then, again and again, starts a decision,
answers every page of the main path, checks and submits it, and opens it. When bench/fault.py prepared
decisions ready to submit (FAULT_READY, the quick run), the user also submits one of those after every second
question, so that submits happen all through a short run, not only at the end of each walk.

Every answer is judged: what the page should give (200, or a redirect after a form) is a success; the 503
"Sorry, there is a problem with the service" page with "Try again" is recorded as a failure named "handled
503", and the practitioner presses "Try again" a moment later, as a person would (the re-post of the answers
the page kept is named "... Try again"); anything else (a bare 500, no answer, another status) is an
unhandled failure.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import django
from locust import HttpUser, between, task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from bench.constants import CONSENT_FROM, PASSWORD  # noqa: E402
from bench.fault import practitioner  # noqa: E402
from tests.wizard_helpers import LIST_STEPS, MAIN_PATH, valid_post  # noqa: E402

STEP_DATA = {step: valid_post(step) for step in MAIN_PATH}
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
TRIES = 3
# Seconds between pages, "min,max" (bench/fault.py sets it; issue 18's run used 1-3 s).
WAIT = [float(x) for x in os.environ.get("FAULT_WAIT", "1,3").split(",")]
# References of decisions ready to submit, by username (bench/fault.py prepares them for the quick run).
READY: dict[str, list[str]] = (
    json.loads(Path(os.environ["FAULT_READY"]).read_text()) if os.environ.get("FAULT_READY") else {}
)
_numbers = itertools.count()


class Practitioner(HttpUser):
    wait_time = between(WAIT[0], WAIT[1])

    def on_start(self) -> None:
        username = practitioner(next(_numbers))
        self.ready = list(READY.get(username, []))
        # The error page keeps no password: a person signs in again.
        for _ in range(TRIES):
            if self.call("GET", "/accounts/login/", "/accounts/login/") is None:
                continue
            form = {"username": username, "password": PASSWORD}
            if self.call("POST", "/accounts/login/", "/accounts/login/ POST", form, tries=1) is not None:
                return
            time.sleep(2)

    @property
    def token(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def call(self, method: str, path: str, name: str, data: Any = None, tries: int = TRIES) -> Any:
        """One request, judged; after a 503 "Try again" page, press Try again (up to TRIES times in all).
        Returns the response when it was what the page should give, else None."""
        expect = 302 if method == "POST" else 200
        if method == "POST" and isinstance(data, dict):
            data = {**data, "csrfmiddlewaretoken": self.token}
        with self.client.request(
            method, path, data=data, allow_redirects=False, name=name, catch_response=True
        ) as response:
            if response.status_code == expect:
                response.success()
                return response
            text = response.text or ""
            if response.status_code == 503 and "Try again" in text:
                response.failure("handled 503 with Try again")
            elif response.status_code >= 500 or response.status_code == 0:
                response.failure(f"bare {response.status_code}")
                return None
            else:
                response.failure(f"unexpected {response.status_code}")
                return None
        if tries <= 1:
            return None
        time.sleep(2)
        again = f"{name.removesuffix(' Try again')} Try again"
        kept = [(html.unescape(n), html.unescape(v)) for n, v in HIDDEN.findall(text)]
        if method == "POST" and kept:
            # The page's form: the same answers, and a CSRF token of its own.
            return self.call("POST", path, again, kept, tries - 1)
        return self.call("GET", path, again, None, tries - 1)

    @task
    def walk_the_wizard(self) -> None:
        started = self.call("POST", "/decisions/new", "/decisions/new POST", {})
        location = started.headers.get("Location", "") if started is not None else ""
        if "/decisions/" not in location:
            return
        reference = location.split("/")[2]
        for number, step in enumerate(MAIN_PATH, start=1):
            path = f"/decisions/{reference}/answer/{step}"
            page = self.call("GET", path, "/decisions/[ref]/answer/[step]")
            if page is None:
                return
            self.wait()
            data = STEP_DATA[step]
            if step == "consent":
                found = CONSENT_FROM.search(page.text or "")
                data = {**data, "consent_from": found.group(1) if found else ""}
            if self.call("POST", path, "/decisions/[ref]/answer/[step] POST", data) is None:
                return
            more = {"action": "continue"}  # a list page: one entry added, then "Save and continue"
            if step in LIST_STEPS and self.call("POST", path, "/decisions/[ref]/answer/[step] POST", more) is None:
                return
            if number % 2 == 0 and self.ready:
                self.wait()
                self.submit(self.ready.pop())
        self.submit(reference)

    def submit(self, reference: str) -> None:
        check = f"/decisions/{reference}/check"
        if self.call("GET", check, "/decisions/[ref]/check") is None:
            return
        self.wait()
        if self.call("POST", check, "/decisions/[ref]/check POST", {"declaration": "on"}) is None:
            return
        self.call("GET", f"/decisions/{reference}", "/decisions/[ref]")
