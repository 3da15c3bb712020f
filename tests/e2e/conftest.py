"""Browser journeys against a real server process on a throw-away database.

A separate server (not pytest-django's live_server) because live_server flushes tables between tests and
the audit and version tables refuse DELETE/TRUNCATE by design. Each test gets a fresh browser context; the
database persists for the session, so journeys create their own decisions.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.two_factor_helpers import pass_two_step, remember_demo_keys

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "e2e demo password 2026"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    return {**browser_context_args, "viewport": {"width": 1100, "height": 900}, "bypass_csp": True, "locale": "en-GB"}


# The e2e server's environment, so a journey can prepare records in its database (see `shell`).
SERVER_ENV: dict[str, str] = {}


def shell(code: str) -> str:
    """Run Python in `manage.py shell` against the e2e database (to prepare records); its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=SERVER_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("e2e") / "db.sqlite3"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SECRET_KEY": "e2e-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "DEMO": "true",  # the demo profile: seed_demo runs, and every page shows the demo banner
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    python = sys.executable
    SERVER_ENV.update(env)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    remember_demo_keys(seeded.stdout)
    # New organisations start on the 2024 edition; these journeys walk the 2018 questions unless they switch an
    # organisation themselves (test_edition_2024.py switches Southvale and puts it back).
    subprocess.run(
        [python, "manage.py", "shell", "-c", "from accounts.models import Organisation; "
         "Organisation.objects.update(guidance_edition='2018')"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "sharing_app.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [python, "manage.py", "db_worker", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310 - loopback only
                if json.load(response)["status"] == "ok":
                    break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        worker.kill()
        raise RuntimeError("the e2e server did not start")
    yield base
    for child in (process, worker):
        child.terminate()
        child.wait(timeout=10)


# Assertions on a page wait for it (a click returns once the next page starts loading); CI's two cores may be
# busy, so they wait longer than Playwright's 5 seconds.
expect.set_options(timeout=30_000)


class Journey:
    """A signed-in browser tab with helpers for screenshots and accessibility checks."""

    def __init__(self, page: Any, base: str, name: str, accessibility: bool = True) -> None:
        self.page = page
        # axe-core needs JavaScript; the no-JavaScript journey checks the same pages the others do.
        self.accessibility = accessibility
        self.base = base
        self.name = name
        self.shots = 0
        self.violations: list[str] = []

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button:has-text('Sign in')")
        # Supervisors, admins and auditors set up or pass two-step verification next.
        pass_two_step(self.page, username)

    def look(self, label: str) -> None:
        """Screenshot the page and run axe-core on it (WCAG 2.0-2.2 A and AA)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{self.shots:02d}-{label}.png"), full_page=True)
        if not self.accessibility:
            return
        for attempt in range(3):
            try:
                result = self._axe()
                break
            except PlaywrightError as error:
                # A page that reloads itself (a check in progress) can reload while axe runs: check the new one.
                if "Execution context was destroyed" not in str(error) or attempt == 2:
                    raise
                self.page.wait_for_load_state()
        self.violations.extend(f"{label} ({self.page.url}): {v}" for v in result)

    def _axe(self) -> list[str]:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        return list(
            self.page.evaluate(
                "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
                ".map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
                AXE_TAGS,
            )
        )

    def continue_(self) -> None:
        self.page.click("button:has-text('Save and')")


@pytest.fixture
def journey(page: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Journey]:
    trip = Journey(page, server, request.node.name)
    yield trip
    assert trip.violations == [], "\n".join(trip.violations)
