"""Practitioners walking the wizard, for locust (run by bench/run.py; loopback only, bounded users and time).

Each simulated user signs in through the login form as its own seeded practitioner (prac01_a, prac01_b,
prac02_a, ...), then repeatedly: starts a decision, opens and answers every page of the main path with the
tests' valid answers, checks the answers, submits, and opens the submitted decision. Between pages it waits
1-3 s, a fast practitioner who knows the form.

    locust -f bench/locustfile.py --headless --users 50 --spawn-rate 25 --run-time 60s \
        --host http://127.0.0.1:8100      # with DJANGO_SETTINGS_MODULE=bench.settings, SECRET_KEY set

With BENCH_LOCUST_SAMPLES=path, every request's time is also written there (JSON) when locust stops, marked as
a sign-in or a page and as asked for before or after every user had signed in, so bench/run.py can report
sign-in (Argon2, slow on purpose) apart from pages, and pages once all users are walking.

The users are FastHttpUser (geventhttpclient): the load generator shares the machine's two cores with
gunicorn and PostgreSQL, and it costs several times less CPU per request than the requests-based client.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import django
from locust import FastHttpUser, between, events, task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from bench.constants import CONSENT_FROM, PASSWORD, PRACTITIONERS_PER_ORG  # noqa: E402
from tests.wizard_helpers import LIST_STEPS, MAIN_PATH, valid_post  # noqa: E402

STEP_DATA = {step: valid_post(step) for step in MAIN_PATH}

SIGN_IN = "/accounts/login/ POST"
_numbers = itertools.count()
_samples: list[tuple[str, float, bool, bool]] = []  # name, ms, failed, every user signed in and walking
_failures: list[str] = []
_users: dict[str, float] = {"target": 0, "signed_in": 0, "all_signed_in_at": 0.0}


@events.test_start.add_listener
def _started(environment: Any, **kwargs: Any) -> None:
    _users["target"] = int(getattr(environment.parsed_options, "num_users", 0) or 0)


@events.request.add_listener
def _sample(name: str, response_time: float, exception: Any, start_time: float = 0.0, **kwargs: Any) -> None:
    # Made once every user had signed in: a page asked for during the burst of sign-ins waits behind them, and
    # that is the sign-ins' cost, reported with them.
    started = _users["all_signed_in_at"]
    walking = bool(started) and start_time >= started
    _samples.append((name, response_time, exception is not None, walking))
    if exception is not None:
        _failures.append(f"{name}: {exception}"[:300])


@events.quitting.add_listener
def _write_samples(environment: Any, **kwargs: Any) -> None:
    path = os.environ.get("BENCH_LOCUST_SAMPLES")
    if path:
        with open(path, "w") as f:
            json.dump({"sign_in": SIGN_IN, "samples": _samples, "failures": _failures}, f)


def practitioner(number: int) -> str:
    org = "ab"[number % 2]
    return f"prac{number // 2 % PRACTITIONERS_PER_ORG + 1:02d}_{org}"


class Practitioner(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        username = practitioner(next(_numbers))
        self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data=urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.token}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            name=SIGN_IN,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {username} failed: {response.status_code}")
        _users["signed_in"] += 1
        if _users["signed_in"] >= _users["target"] > 0 and not _users["all_signed_in_at"]:
            _users["all_signed_in_at"] = time.time()

    @property
    def token(self) -> str:
        return next((c.value or "" for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def post(self, path: str, data: dict[str, Any], name: str) -> Any:
        """A form POST that must redirect: a 200 means the form was shown again with errors."""
        with self.client.post(
            path,
            # Encoded here: answers with several values (checkboxes) are repeated keys, as a browser sends them.
            data=urlencode({**data, "csrfmiddlewaretoken": self.token}, doseq=True),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"expected a redirect, got {response.status_code}")
            return response

    @task
    def walk_the_wizard(self) -> None:
        started = self.post("/decisions/new", {}, "/decisions/new POST")
        location = urlsplit((started.headers or {}).get("Location", "")).path
        if started.status_code != 302 or not location.startswith("/decisions/"):
            return
        reference = location.split("/")[2]
        for step in MAIN_PATH:
            url = f"/decisions/{reference}/answer/{step}"
            page = self.client.get(url, name="/decisions/[ref]/answer/[step]")
            self.wait()
            data = STEP_DATA[step]
            if step == "consent":
                found = CONSENT_FROM.search(page.text or "")
                data = {**data, "consent_from": found.group(1) if found else ""}
            self.post(url, data, "/decisions/[ref]/answer/[step] POST")
            if step in LIST_STEPS:
                # One entry added; then "Save and continue", after a moment to check the list.
                self.wait()
                self.post(url, {"action": "continue"}, "/decisions/[ref]/answer/[step] POST")
        self.client.get(f"/decisions/{reference}/check", name="/decisions/[ref]/check")
        self.wait()
        self.post(f"/decisions/{reference}/check", {"declaration": "on"}, "/decisions/[ref]/check POST")
        self.client.get(f"/decisions/{reference}", name="/decisions/[ref]")
