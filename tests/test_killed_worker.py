"""A gunicorn worker killed in the middle of a submit, proved from outside: a real gunicorn, a real SIGKILL,
and PostgreSQL's own view of the transaction. Nothing is half-written, the audit chain verifies, and the same
submit goes through once gunicorn has started a new worker."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from decisions.models import Decision, DecisionDraft, DecisionVersion

from .committed_helpers import committed_practitioner
from .test_interrupted_submit import ready_draft

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a real server on a shared database")


def wait_for(what: str, check: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def server_env() -> dict[str, str]:
    """The test database, seen by another process."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    url = f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sharing_app.settings",
        "DATABASE_URL": url,
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
    }


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (name) state ppid ...": the name may hold spaces, so read after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Gunicorn:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "sharing_app.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            cwd=ROOT,
            env=server_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for("gunicorn to answer", self.healthy)

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def worker(self) -> int:
        [pid] = wait_for("one worker", lambda: children_of(self.process.pid))
        return int(pid)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def practitioner(django_db_setup: None, django_db_blocker: Any) -> Iterator[User]:
    with django_db_blocker.unblock(), committed_practitioner("killedworker") as user:
        yield user


@pytest.fixture
def gunicorn(practitioner: User) -> Iterator[Gunicorn]:
    server = Gunicorn()
    try:
        yield server
    finally:
        server.stop()


def verify_audit() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=server_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_worker_killed_mid_submit_leaves_nothing_half_written(practitioner: User, gunicorn: Gunicorn) -> None:
    draft = ready_draft(practitioner)
    reference = draft.decision.reference
    org_id = practitioner.membership.organisation_id
    signed_in = Client()
    signed_in.force_login(practitioner)
    browser = requests.Session()
    browser.cookies.set("sessionid", signed_in.cookies["sessionid"].value)
    check_url = f"{gunicorn.base}{reverse('decisions:check', kwargs={'reference': reference})}"
    page = browser.get(check_url, timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    events_before = AuditEvent.objects.filter(organisation_id=org_id).count()

    # Hold the organisation's audit chain head, which the submit locks after writing the version and the
    # decision and before writing its audit event: the worker will wait there, half way through.
    locker = connections.create_connection("default")
    watcher = connections.create_connection("default")
    outcome: dict[str, Any] = {}

    def submit() -> None:
        try:
            outcome["response"] = browser.post(
                check_url, data={"declaration": "on", "csrfmiddlewaretoken": token}, allow_redirects=False, timeout=60
            )
        except requests.RequestException as exc:
            outcome["error"] = exc

    try:
        locker.set_autocommit(False)
        with locker.cursor() as cursor:
            cursor.execute("SELECT 1 FROM audit_chainhead WHERE chain_key = %s FOR UPDATE", [f"org:{org_id}"])
        request = threading.Thread(target=submit)
        request.start()

        def waiting_submit() -> int | None:
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    " AND query ILIKE %s",
                    ["%audit_chainhead%FOR UPDATE%"],
                )
                row = cursor.fetchone()
            return int(row[0]) if row else None

        backend = wait_for("the submit to wait on the chain head", waiting_submit)
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock'",
                [backend],
            )
            written = {row[0] for row in cursor.fetchall()}
        # Half way: the version and the decision are written (not committed), the audit event is not.
        assert {"decisions_decisionversion", "decisions_decision", "decisions_decisiondraft"} <= written
        assert "audit_auditevent" not in written

        os.kill(gunicorn.worker(), signal.SIGKILL)
        request.join(timeout=30)
        assert "error" in outcome, "the killed worker should not have answered"
    finally:
        locker.rollback()
        locker.close()

    try:
        # PostgreSQL ends the orphaned transaction when it finds its client gone.
        def backend_gone() -> bool:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend])
                return cursor.fetchone()[0] == 0

        wait_for("the orphaned transaction to end", backend_gone)
    finally:
        watcher.close()

    assert DecisionDraft.objects.get(pk=draft.pk).submitted_version_id is None
    decision = Decision.objects.get(pk=draft.decision_id)
    assert decision.status == "draft" and decision.current_version_id is None
    assert not DecisionVersion.objects.filter(decision=decision).exists()
    assert AuditEvent.objects.filter(organisation_id=org_id).count() == events_before
    checked = verify_audit()
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr

    # gunicorn starts a new worker; the same form, sent again, submits once.
    wait_for("a new worker", gunicorn.healthy)
    again = browser.post(check_url, data={"declaration": "on", "csrfmiddlewaretoken": token}, allow_redirects=False)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/decisions/{reference}")
    assert DecisionVersion.objects.filter(decision=decision).count() == 1
    assert AuditEvent.objects.filter(organisation_id=org_id, action="decision_submit").count() == 1
    checked = verify_audit()
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr
