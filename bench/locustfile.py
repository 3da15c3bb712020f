"""Practitioners walking the wizard, for locust (run by bench/run.py; loopback only, bounded users and time).

Each simulated user signs in through the login form as its own seeded practitioner (prac01_a, prac01_b,
prac02_a, ...), then repeatedly: starts a decision, opens and answers every page of the main path with the
tests' valid answers, checks the answers, submits, and opens the submitted decision. Between pages it waits
1-3 s, a fast practitioner who knows the form.

    locust -f bench/locustfile.py --headless --users 50 --spawn-rate 10 --run-time 60s \
        --host http://127.0.0.1:8100      # with DJANGO_SETTINGS_MODULE=bench.settings, SECRET_KEY set
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import django
from locust import HttpUser, between, task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from bench.constants import PASSWORD, PRACTITIONERS_PER_ORG  # noqa: E402
from tests.wizard_helpers import MAIN_PATH, valid_post  # noqa: E402

STEP_DATA = {step: valid_post(step) for step in MAIN_PATH}
_numbers = itertools.count()


def practitioner(number: int) -> str:
    org = "ab"[number % 2]
    return f"prac{number // 2 % PRACTITIONERS_PER_ORG + 1:02d}_{org}"


class Practitioner(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        username = practitioner(next(_numbers))
        self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.token},
            allow_redirects=False,
            name="/accounts/login/ POST",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {username} failed: {response.status_code}")

    @property
    def token(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def post(self, path: str, data: dict[str, Any], name: str) -> Any:
        """A form POST that must redirect: a 200 means the form was shown again with errors."""
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": self.token},
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
        location = started.headers.get("Location", "")
        if started.status_code != 302 or "/decisions/" not in location:
            return
        reference = location.split("/")[2]
        for step in MAIN_PATH:
            self.client.get(f"/decisions/{reference}/answer/{step}", name="/decisions/[ref]/answer/[step]")
            self.wait()
            self.post(f"/decisions/{reference}/answer/{step}", STEP_DATA[step], "/decisions/[ref]/answer/[step] POST")
        self.client.get(f"/decisions/{reference}/check", name="/decisions/[ref]/check")
        self.wait()
        self.post(f"/decisions/{reference}/check", {"declaration": "on"}, "/decisions/[ref]/check POST")
        self.client.get(f"/decisions/{reference}", name="/decisions/[ref]")
