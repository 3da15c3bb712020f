"""The performance harness: `make bench` (full) and `make bench-quick` (CI).

One run, against one gunicorn (2 workers) on 127.0.0.1, measures every page as a ratio to a floor view
served by the same gunicorn in the same run (see bench/README.md). Steps:

1. For each size (quick: 1,000 then 10,000 decisions; full: 10,000 then BENCH_DECISIONS, default 1,000,000):
   a throw-away PostgreSQL database is created, migrated and seeded (bench/seed.py), gunicorn is started on
   it, and the floor and every page are timed with a keep-alive client signed in through the real form.
2. On the larger database: one decision's PDF against a one-paragraph WeasyPrint document, a bulk export shared
   by two workers against as many single PDFs, and locust (one practitioner walking the wizard, then 50 at once).
3. A table on stdout and bench/results.json; the databases are dropped and gunicorn stopped.

The orchestrator does not import Django: each database's work (seed, PDF, bulk export) runs in a
subprocess whose environment names that database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PY = sys.executable
BIN = Path(PY).parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
RESULTS = ROOT / "bench" / "results.json"
SECRET = "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef"  # noqa: S105

PAGE_RATIO_GOAL = 1.5
# The audit log's goal is 2x (issue 17): every read of it writes an audit event, under the chain's row lock.
PAGE_RATIO_GOALS = {"audit log first page": 2.0, "audit log deep page": 2.0, "search": 2.0}
PAGE_QUERIES_GOAL = 10
AUDIT_P95_GOAL_MS = 50.0
AUDIT_GROWTH_GOAL = 1.5
PDF_RATIO_GOAL = 3.0
BULK_RSS_GOAL_MB = 300.0
BULK_RATIO_GOAL = 0.6  # with 2 workers on 2 cores
LOCUST_P95_RATIO_GOAL = 3.0


@dataclass(frozen=True)
class Profile:
    name: str
    sizes: tuple[int, int]
    samples: int
    warmup: int
    pdf_samples: int
    bulk_records: int
    locust_users: int
    locust_spawn_rate: int
    locust_seconds: int
    page_seconds: int
    locust_single_seconds: int = 30


def profiles() -> dict[str, Profile]:
    full_size = int(os.environ.get("BENCH_DECISIONS", "1000000"))
    return {
        # The quick run's locust stages are long enough for a practitioner to finish a walk (about 32 requests
        # with 1-3 s between them): with 30 s, the one user's p95 was the second-slowest of 28 requests.
        "quick": Profile("quick", (1_000, 10_000), 30, 3, 3, 10, 50, 25, 60, 20, 75),
        "full": Profile("full", (10_000, full_size), 200, 10, 20, 1000, 50, 25, 60, 90, 90),
    }


# Results --------------------------------------------------------------------------------------------------


@dataclass
class Measure:
    name: str
    value: float | None
    unit: str
    goal: str | None = None
    met: bool | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "value": None if self.value is None else round(self.value, 3),
            "unit": self.unit,
            "goal": self.goal,
            "met": self.met,
        }
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Results:
    measures: list[Measure] = field(default_factory=list)
    seeding: list[dict[str, Any]] = field(default_factory=list)

    def add(self, measure: Measure) -> Measure:
        self.measures.append(measure)
        print(f"  {_row(measure)}", flush=True)
        return measure

    def at_most(self, name: str, value: float | None, unit: str, goal: float, note: str = "") -> Measure:
        text = f"<= {goal:g}x" if unit == "x" else f"<= {goal:g} {unit}"
        met = None if value is None else value <= goal
        return self.add(Measure(name, value, unit, text, met, note))

    def info(self, name: str, value: float | None, unit: str, note: str = "") -> Measure:
        return self.add(Measure(name, value, unit, None, None, note))

    def unavailable(self, name: str, why: str) -> Measure:
        return self.add(Measure(name, None, "", None, None, f"not available: {why}"))


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("queries", "requests", "errors", "decisions", "workers"):
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.2f}"
    return f"{value:,.1f}"


def _row(m: Measure) -> str:
    verdict = {True: "met", False: "MISSED", None: ""}[m.met]
    value = f"{_fmt(m.value, m.unit)} {m.unit}".strip() if m.value is not None else "-"
    note = f"  ({m.note})" if m.note else ""
    return f"{m.name:<44} {value:>16}   {m.goal or '':<12} {verdict:<6}{note}"


def table(results: Results) -> str:
    header = f"{'measure':<44} {'value':>16}   {'goal':<12} {'':<6}"
    return "\n".join([header, "-" * len(header), *(_row(m) for m in results.measures)])


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else ""
    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory_gb = round(int(found.group(1)) / 1024 / 1024, 1) if found else None
    server = _psql("postgres", "SHOW server_version").strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": server,
        "gunicorn_workers": 2,
        "gunicorn_threads": 4,
        # Other work on the machine skews absolute times more than ratios; this says how busy it was.
        "load_average_at_start": list(os.getloadavg()),
    }


# PostgreSQL -----------------------------------------------------------------------------------------------


def _psql(db: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db, "-XAtq", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def ensure_postgres() -> None:
    ready = ["pg_isready", "-h", PG["host"], "-p", PG["port"], "-q"]
    if subprocess.run(ready, check=False).returncode == 0:
        return
    versions = sorted(os.listdir("/etc/postgresql"))
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=True)
    for _ in range(30):
        if subprocess.run(ready, check=False).returncode == 0:
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL did not start on 127.0.0.1:5432")


def database_url(db: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db}"


def django_env(db: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "ROOT_URLCONF")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url(db),
        SECRET_KEY=SECRET,
        SECURE_COOKIES="false",
        PYTHONPATH=str(ROOT),
    )
    return env


def run_django(db: str, *args: str) -> str:
    """Run a Django command or bench job on `db`; its progress lines (stderr) pass through."""
    out = subprocess.run([PY, *args], cwd=ROOT, env=django_env(db), check=False, stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed ({out.returncode}): {' '.join(args)}\n{out.stdout[-3000:]}")
    return out.stdout


def create_database(db: str) -> None:
    _psql("postgres", f'DROP DATABASE IF EXISTS "{db}"')
    _psql("postgres", f'CREATE DATABASE "{db}"')
    run_django(db, "manage.py", "migrate", "--noinput", "-v", "0")


def drop_database(db: str) -> None:
    _psql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


# gunicorn -------------------------------------------------------------------------------------------------


class Server:
    def __init__(self, db: str, port: int) -> None:
        self.db = db
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        VAR.mkdir(parents=True, exist_ok=True)
        self.log = open(VAR / f"gunicorn-{port}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "sharing_app.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                # As the README recommends: threads, so a slow request (a sign-in's Argon2 hash) does not hold up
                # the quick ones queued behind it; keep-alive longer than a practitioner's pause between pages.
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--keep-alive",
                "75",
                "--access-logfile",
                "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            ],
            cwd=ROOT,
            env=django_env(db),
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        self._wait()

    def _wait(self) -> None:
        import http.client

        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def free_port() -> int:
    import socket

    for port in range(8100, 8200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8100-8199")


# The client -----------------------------------------------------------------------------------------------


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 (30 s steps, 6 digits, SHA-1), django-otp's defaults."""
    import hashlib
    import hmac

    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(bytes.fromhex(key_hex), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


class PageUnavailable(Exception):
    pass


class Client:
    """A keep-alive session signed in through the real login form."""

    def __init__(self, base: str, username: str, password: str) -> None:
        import requests

        self.base = base
        self.session = requests.Session()
        self.session.get(f"{base}/accounts/login/").raise_for_status()
        response = self.session.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.token},
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {username}: {response.status_code}")
        self._second_step(response.headers["Location"])

    def _second_step(self, location: str) -> None:
        """Roles that need two-step verification are sent to enter a code: the seeded app's current one."""
        from bench.constants import TOTP_KEY

        response = self.session.get(f"{self.base}{location}", allow_redirects=False)
        if response.status_code == 302 and "two" in response.headers["Location"]:
            page = response.headers["Location"]
            form = self.session.get(f"{self.base}{page}").text
            names = set(re.findall(r'<input[^>]*name="([^"]+)"', form)) - {"csrfmiddlewaretoken", "next"}
            fields = [name for name in names if "code" in name or "token" in name or "otp" in name]
            # A code is accepted once: if this window's was used already (an earlier sign-in), wait for the next.
            for attempt in range(2):
                if attempt:
                    time.sleep(30.5 - time.time() % 30)
                data = {name: totp(TOTP_KEY) for name in fields} | {"csrfmiddlewaretoken": self.token}
                answer = self.session.post(f"{self.base}{page}", data=data, allow_redirects=False)
                if answer.status_code == 302:
                    return
            raise SystemExit(f"two-step verification failed on {page}: {answer.status_code} {sorted(names)}")

    @property
    def token(self) -> str:
        return str(self.session.cookies.get("csrftoken", ""))

    def request(self, method: str, path: str, data: dict[str, Any] | None = None) -> tuple[float, int, int, str]:
        payload = {**(data or {}), "csrfmiddlewaretoken": self.token} if method == "POST" else None
        started = time.perf_counter()
        response = self.session.request(method, f"{self.base}{path}", data=payload, allow_redirects=False)
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, response.status_code, int(response.headers.get("X-Query-Count", "-1")), response.text


@dataclass
class Request:
    method: str
    path: str
    data: dict[str, Any] | None = None
    expect: int = 200


@dataclass
class Timing:
    median: float
    p95: float
    queries: int
    samples: int


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


FLOOR = "/bench/floor"


def time_requests(
    client: Client, requests: list[Request], samples: int, warmup: int, seconds: float = 3600
) -> tuple[Timing, Timing]:
    """Issue the requests in rotation, one at a time, each preceded by a floor request from the same client.

    Pairing the floor with the page puts both under the same load at the same moment, so the ratio holds
    even when something else is busy on the machine. The first `warmup` pairs are not counted. A slow page
    stops after `seconds` (with at least 10 samples), so one slow page cannot hold up the whole run.
    """
    page: list[float] = []
    floor: list[float] = []
    queries = floor_queries = 0
    started = time.monotonic()
    for i in range(warmup + samples):
        if len(page) >= 10 and time.monotonic() - started > seconds:
            break
        req = requests[i % len(requests)]
        floor_ms, floor_status, floor_count, _ = client.request("GET", FLOOR)
        elapsed, status, count, body = client.request(req.method, req.path, req.data)
        if status == 404 and i == 0:
            raise PageUnavailable(f"{req.method} {req.path} answered 404")
        if status != req.expect or floor_status != 200:
            raise SystemExit(f"{req.method} {req.path}: expected {req.expect}, got {status}\n{body[:2000]}")
        if i >= warmup:
            page.append(elapsed)
            floor.append(floor_ms)
            queries = max(queries, count)
            floor_queries = max(floor_queries, floor_count)
    return (
        Timing(statistics.median(page), percentile(page, 95), queries, len(page)),
        Timing(statistics.median(floor), percentile(floor, 95), floor_queries, len(floor)),
    )


# The pages ------------------------------------------------------------------------------------------------


def wizard_data() -> tuple[list[str], dict[str, dict[str, Any]], list[str]]:
    """MAIN_PATH and valid POST data per step, from the tests' helpers (read without Django set up)."""
    out = subprocess.run(
        [
            PY,
            "-c",
            "import json, django; django.setup(); from tests.wizard_helpers import LIST_STEPS, MAIN_PATH, valid_post; "
            "print(json.dumps({'path': MAIN_PATH, 'data': {s: valid_post(s) for s in MAIN_PATH}, "
            "'lists': list(LIST_STEPS)}))",
        ],
        cwd=ROOT,
        env=django_env("postgres"),
        check=True,
        capture_output=True,
        text=True,
    )
    loaded = json.loads(out.stdout)
    return loaded["path"], loaded["data"], loaded["lists"]


def measure_pages(server: Server, db: str, size: int, profile: Profile, results: Results) -> dict[str, Timing]:
    """Each page at this size, paired with the floor. Returns the timings by page name."""
    from bench.constants import CONSENT_FROM, PASSWORD

    path, data, lists = wizard_data()
    practitioner = Client(server.base, "prac01_a", PASSWORD)
    supervisor = Client(server.base, "super1_a", PASSWORD)

    # A draft of the practitioner's, answered throughout, for the step and check pages.
    started = practitioner.session.post(
        f"{server.base}/decisions/new", data={"csrfmiddlewaretoken": practitioner.token}, allow_redirects=False
    )
    reference = started.headers["Location"].split("/")[2]
    for step in path:
        url = f"/decisions/{reference}/answer/{step}"
        if step == "consent":
            found = CONSENT_FROM.search(practitioner.request("GET", url)[3])
            data[step] = {**data[step], "consent_from": found.group(1) if found else ""}
        # A list page takes one entry, then "Save and continue".
        for posted in [data[step], {"action": "continue"}] if step in lists else [data[step]]:
            _, status, _, body = practitioner.request("POST", url, posted)
            if status != 302:
                raise SystemExit(f"answering {step} failed: {status}\n{body[:2000]}")

    own = _psql(
        db,
        "SELECT d.reference FROM decisions_decision d JOIN accounts_user u ON u.id = d.owner_id "
        "WHERE u.username = 'prac01_a' AND d.status = 'submitted' "
        "AND (SELECT count(*) FROM decisions_decisionversion v WHERE v.decision_id = d.id) > 1 "
        "ORDER BY d.id DESC LIMIT 1",
    ).strip()
    if not own:
        raise SystemExit("prac01_a has no amended decision to open: the seed changed?")
    org_events = int(
        _psql(
            db,
            "SELECT count(*) FROM audit_auditevent e JOIN accounts_organisation o ON o.id = e.organisation_id "
            "WHERE o.slug = 'bench-a'",
        )
    )
    deep_cursor = _psql(
        db,
        "SELECT e.id FROM audit_auditevent e JOIN accounts_organisation o ON o.id = e.organisation_id "
        f"WHERE o.slug = 'bench-a' ORDER BY e.id DESC OFFSET {org_events * 9 // 10} LIMIT 1",  # noqa: S608
    ).strip()

    # A name to search for: the child of bench-a's newest seeded decision. Its full name is shared by about one
    # person in 13,000, so the search finds one or two records at 10,000 decisions and about a hundred at 1M.
    child = _psql(
        db,
        "SELECT p.full_name FROM decisions_person p JOIN accounts_organisation o ON o.id = p.organisation_id "
        "WHERE o.slug = 'bench-a' ORDER BY p.id DESC LIMIT 1",
    ).strip()
    if not child:
        raise SystemExit("bench-a has no people on its records: the seed changed?")
    search = f"/decisions/?{urlencode({'name': child.split()[0].lower() + ' ' + child.split()[-1][:4]})}"

    steps_get = [Request("GET", f"/decisions/{reference}/answer/{s}") for s in path]
    # A list page's timed POST is "Save and continue" (adding an entry each time would grow the list).
    steps_post = [
        Request("POST", f"/decisions/{reference}/answer/{s}", {"action": "continue"} if s in lists else data[s], 302)
        for s in path
    ]
    pages: list[tuple[str, Client, list[Request]]] = [
        ("home", practitioner, [Request("GET", "/")]),
        ("decision list", practitioner, [Request("GET", "/decisions/")]),
        ("wizard step GET", practitioner, steps_get),
        ("wizard step POST", practitioner, steps_post),
        ("check answers", practitioner, [Request("GET", f"/decisions/{reference}/check")]),
        ("decision detail", practitioner, [Request("GET", f"/decisions/{own}")]),
        ("review queue", supervisor, [Request("GET", "/oversight/reviews")]),
        ("search", supervisor, [Request("GET", search)]),
        ("audit log first page", supervisor, [Request("GET", "/audit/")]),
        ("audit log deep page", supervisor, [Request("GET", f"/audit/?after={deep_cursor}")]),
        ("dashboard", supervisor, [Request("GET", "/oversight/dashboard")]),
    ]
    label = f"@{size:,}"
    timings: dict[str, Timing] = {}
    floors: list[Timing] = []
    for name, client, reqs in pages:
        try:
            timing, floor = time_requests(client, reqs, profile.samples, profile.warmup, profile.page_seconds)
        except PageUnavailable as exc:
            results.unavailable(f"{name} {label}", str(exc))
            continue
        timings[name] = timing
        floors.append(floor)
        capped = (
            f"{timing.samples} samples (capped at {profile.page_seconds} s)" if timing.samples < profile.samples else ""
        )
        results.info(f"{name} median {label}", timing.median, "ms", capped)
        if name.startswith("audit log"):
            results.at_most(f"{name} p95 {label}", timing.p95, "ms", AUDIT_P95_GOAL_MS)
        else:
            results.info(f"{name} p95 {label}", timing.p95, "ms")
        results.at_most(
            f"{name} ratio to floor {label}",
            timing.median / floor.median,
            "x",
            PAGE_RATIO_GOALS.get(name, PAGE_RATIO_GOAL),
            f"floor {floor.median:.1f} ms alongside",
        )
        results.at_most(f"{name} queries {label}", timing.queries, "queries", PAGE_QUERIES_GOAL)
    # The floor over the whole size, from the samples taken beside every page.
    medians = [f.median for f in floors]
    results.info(f"floor median {label}", statistics.median(medians), "ms", "median of the per-page floor medians")
    results.info(f"floor p95 {label}", statistics.median(f.p95 for f in floors), "ms")
    results.info(
        f"floor queries {label}",
        max(f.queries for f in floors),
        "queries",
        "session, user (and two-step device), one query on a primary key, session save",
    )
    return timings


# PDF, bulk export, locust ---------------------------------------------------------------------------------


def measure_pdf_and_bulk(db: str, profile: Profile, results: Results) -> None:
    out = run_django(db, "-m", "bench.jobs", "documents", str(profile.pdf_samples), str(profile.bulk_records))
    data = json.loads(out.strip().splitlines()[-1])
    if not data.get("pdf_available"):
        results.unavailable("decision PDF ratio to one-paragraph PDF", data.get("why", "decisions/pdf.py missing"))
    else:
        results.info("one-paragraph PDF median (WeasyPrint floor)", data["floor_ms"], "ms")
        results.info("decision PDF median", data["pdf_ms"], "ms", data["pdf_what"])
        results.info("decision PDF ratio to one-paragraph PDF", data["pdf_ms"] / data["floor_ms"], "x")
        # The goal is per page (issue 17): a longer record may take proportionally longer.
        results.info("decision PDF pages", data["pdf_pages"], "pages")
        results.at_most(
            "decision PDF ratio to one-paragraph PDF per page",
            data["pdf_ms"] / data["pdf_pages"] / data["floor_ms"],
            "x",
            PDF_RATIO_GOAL,
        )
        if "sign_ms" in data:
            results.info("decision PDF signing median", data["sign_ms"], "ms", "PAdES signature (pyHanko)")
    if not data.get("bulk_available"):
        results.unavailable("bulk export", data.get("bulk_why", "exports app missing"))
        return
    n = data["bulk_records"]
    workers = data.get("bulk_workers", 1)
    results.info("bulk export records", n, "decisions")
    results.info(
        "bulk export workers",
        workers,
        "workers",
        f"db_worker processes sharing its chunks of {data.get('bulk_chunk_size', '?')} decisions",
    )
    results.info("bulk export wall time", data["bulk_seconds"], "s", f"job status {data['bulk_status']}")
    results.info(f"{n} x single PDF", n * data["single_ms"] / 1000, "s", "median of single renders x records")
    results.at_most(
        "bulk export ratio to N x single",
        data["bulk_seconds"] * 1000 / (n * data["single_ms"]),
        "x",
        BULK_RATIO_GOAL,
        f"{workers} workers",
    )
    results.at_most(
        "bulk export worker peak RSS",
        data["bulk_peak_rss_mb"],
        "MB",
        BULK_RSS_GOAL_MB,
        "largest of the workers: " + ", ".join(f"{mb:.0f}" for mb in data.get("bulk_peak_rss_each_mb", [])),
    )


def _locust(server: Server, users: int, spawn_rate: int, seconds: int, label: str) -> dict[str, Any]:
    """One headless locust run; its samples split into sign-ins and pages, pages only once all users walk."""
    samples_file = VAR / f"locust-{label}.json"
    samples_file.unlink(missing_ok=True)
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        server.base,
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    env = {**django_env(server.db), "BENCH_LOCUST_SAMPLES": str(samples_file)}
    with open(VAR / f"locust-{label}.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=log, stderr=log, timeout=seconds + 300)
    data = json.loads(samples_file.read_text())
    sign_in = [ms for name, ms, _, _ in data["samples"] if name == data["sign_in"]]
    pages = [ms for name, ms, _, walking in data["samples"] if name != data["sign_in"] and walking]
    return {
        "sign_in": sign_in,
        "pages": pages,
        "errors": sum(1 for _, _, failed, _ in data["samples"] if failed),
        "failures": sorted(set(data.get("failures", [])))[:5],
        "seconds": seconds,
    }


def measure_locust(server: Server, profile: Profile, results: Results) -> None:
    """Practitioners walking the wizard: one alone, then many at once, against the same server in the same run.

    The goal is the tail at many users against the tail of one (p95 of page requests once every user is
    walking); sign-in (Argon2, slow on purpose, and all at once while users start) is reported apart.
    """
    one = _locust(server, 1, 1, profile.locust_single_seconds, "1-user")
    many = _locust(server, profile.locust_users, profile.locust_spawn_rate, profile.locust_seconds, "many-users")
    n = profile.locust_users
    if not one["pages"] or not many["pages"]:
        results.unavailable(f"locust p95 ratio {n}/1 users", "no page requests were made")
        return
    p95_one, p95_many = percentile(one["pages"], 95), percentile(many["pages"], 95)
    results.info("locust p95 @1 user", p95_one, "ms", f"{len(one['pages'])} page requests in {one['seconds']} s")
    results.info(f"locust p50 @{n} users", statistics.median(many["pages"]), "ms")
    results.info(
        f"locust p95 @{n} users", p95_many, "ms", f"{len(many['pages'])} page requests once all {n} were walking"
    )
    walking_seconds = many["seconds"] - n / profile.locust_spawn_rate
    results.info(f"locust requests/s @{n} users", len(many["pages"]) / walking_seconds, "requests/s")
    results.at_most(f"locust p95 ratio {n}/1 users", p95_many / p95_one, "x", LOCUST_P95_RATIO_GOAL)
    if many["sign_in"]:
        results.info(
            f"locust sign-in p95 (Argon2) @{n} users",
            percentile(many["sign_in"], 95),
            "ms",
            f"{len(many['sign_in'])} sign-ins, {profile.locust_spawn_rate} users starting a second",
        )
    examples = "; ".join(one["failures"] + many["failures"])
    results.at_most("locust errors", one["errors"] + many["errors"], "errors", 0, examples)


# Main -----------------------------------------------------------------------------------------------------


def seed_database(db: str, size: int, results: Results, check: bool) -> None:
    started = time.monotonic()
    create_database(db)
    out = run_django(db, "-m", "bench.jobs", "seed", str(size))
    report = json.loads(out.strip().splitlines()[-1])
    if check:
        # The seeded rows read back as the application expects: chains verify, hashes recompute, references hold.
        verdict = json.loads(run_django(db, "-m", "bench.jobs", "check", "300").strip().splitlines()[-1])
        if not verdict["chains_ok"] or verdict["hash_mismatches"] or any(verdict["dangling_references"]):
            raise SystemExit(f"seeded data is not consistent: {verdict}")
        print(f"  seeded data checked: {verdict['chain_message']}", flush=True)
    report["database_seconds_with_migrate"] = round(time.monotonic() - started, 1)
    results.seeding.append(report)
    results.info(f"seeding time @{size:,}", report["seconds"], "s", _seed_note(report))


def _seed_note(report: dict[str, Any]) -> str:
    return (
        f"{report['decisions']:,} decisions, {report['versions']:,} versions, {report['reviews']:,} reviews, "
        f"{report['events']:,} audit events"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 decisions, a few seconds per measure (CI)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (their names are printed)")
    args = parser.parse_args(argv)
    # Stopped from outside (CI's timeout, kill): still stop gunicorn and drop the databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    profile = profiles()["quick" if args.quick else "full"]
    started = time.monotonic()
    ensure_postgres()
    VAR.mkdir(parents=True, exist_ok=True)
    run_django("postgres", "manage.py", "collectstatic", "--noinput", "-v", "0")
    results = Results()
    info = machine()
    print(f"bench ({profile.name}) on {info['cpus']} x {info['cpu_model']}, {info['memory_gb']} GB, "
          f"PostgreSQL {info['postgresql']}", flush=True)  # fmt: skip
    small, large = profile.sizes
    databases: list[str] = []
    server: Server | None = None
    try:
        for size in (small, large):
            db = f"bench_{os.getpid()}_{size}"
            databases.append(db)
            print(f"\n[{size:,} decisions] seeding {db}", flush=True)
            seed_database(db, size, results, check=size == small)
            server = Server(db, free_port())
            print(f"[{size:,} decisions] pages, gunicorn on {server.base}", flush=True)
            measure_pages(server, db, size, profile, results)
            if size == large:
                _growth(results, small, large)
                print(f"[{size:,} decisions] PDF and bulk export", flush=True)
                measure_pdf_and_bulk(db, profile, results)
                print(f"[{size:,} decisions] locust", flush=True)
                measure_locust(server, profile, results)
            server.stop()
            server = None
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            for db in databases:
                drop_database(db)
        else:
            print(f"kept databases: {', '.join(databases)}")
    # Faults (bench/fault.py): PostgreSQL restarted under load, on a private throw-away cluster of its own.
    from bench import fault

    print("\n[fault] PostgreSQL restarted while practitioners walk the wizard", flush=True)
    fault.measure(results, fault.QUICK if args.quick else fault.FULL)
    info["load_average_at_end"] = list(os.getloadavg())
    output = {
        "machine": info,
        "profile": profile.name,
        "sizes": list(profile.sizes),
        "seconds": round(time.monotonic() - started, 1),
        "seeding": results.seeding,
        "measures": [m.as_json() for m in results.measures],
    }
    RESULTS.write_text(json.dumps(output, indent=2) + "\n")
    print("\n" + table(results))
    missed = [m.name for m in results.measures if m.met is False]
    print(f"\n{len(missed)} goals missed of {sum(m.met is not None for m in results.measures)}; "
          f"results in {RESULTS.relative_to(ROOT)}; {output['seconds']:.0f} s")  # fmt: skip
    # Missed goals are findings, not failures: the harness fails only when a page or a step breaks.
    return 0


# Pages whose cost must not grow with the data: the growth goal for each.
_GROWTH_PAGES = {
    "audit log first page": AUDIT_GROWTH_GOAL,
    "audit log deep page": AUDIT_GROWTH_GOAL,
    "dashboard": 1.2,
    "search": 1.2,
}


def _growth(results: Results, small: int, large: int) -> None:
    """How much slower a page is at the larger size than at the smaller.

    The goal is judged on the floor-normalised ratio (its ratio to the floor at the larger size over the
    same at the smaller), since the two sizes are measured minutes apart and the machine's load may differ;
    the plain ratio of medians is shown beside it.
    """
    by_name = {m.name: m.value for m in results.measures}
    for page, goal in _GROWTH_PAGES.items():
        a = by_name.get(f"{page} median @{small:,}")
        b = by_name.get(f"{page} median @{large:,}")
        ra = by_name.get(f"{page} ratio to floor @{small:,}")
        rb = by_name.get(f"{page} ratio to floor @{large:,}")
        if a and b and ra and rb:
            results.at_most(f"{page} growth {large:,}/{small:,}", rb / ra, "x", goal, "ratios to the floor")
            results.info(f"{page} growth {large:,}/{small:,} (medians)", b / a, "x")


if __name__ == "__main__":
    sys.exit(main())
