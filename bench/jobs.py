"""The harness's work inside Django, one subprocess per database: `python -m bench.jobs seed|check|documents`.

Each prints one JSON line last, which bench/run.py reads.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

VERIFY_URL = "http://127.0.0.1/exports/verify"


def seed(decisions: int) -> dict[str, Any]:
    from bench.seed import seed as seed_decisions

    report = seed_decisions(decisions, progress=lambda line: print(line, file=sys.stderr, flush=True))
    return {
        "decisions": report.decisions,
        "versions": report.versions,
        "reviews": report.reviews,
        "events": report.events,
        "seconds": round(report.seconds, 1),
        "phases": {k: round(v, 1) for k, v in report.phases.items()},
    }


def check(sample: int) -> dict[str, Any]:
    """The seeded rows as the application reads them: chains verify, content hashes recompute, constraints hold."""
    from audit.verify import verify_chains
    from decisions.models import DecisionVersion

    report = verify_chains(save=False)
    versions = DecisionVersion.objects.select_related("decision", "previous").order_by("?")[:sample]
    bad = [v.pk for v in versions if v.compute_content_hash() != v.content_hash]
    for version in versions[:50]:
        version.full_clean(validate_unique=False)
    with connection.cursor() as cursor:
        # The foreign keys the load did not check, checked now.
        cursor.execute(
            """SELECT
                 (SELECT count(*) FROM decisions_decision d
                   LEFT JOIN decisions_decisionversion v ON v.id = d.current_version_id
                   WHERE d.current_version_id IS NOT NULL AND (v.id IS NULL OR v.decision_id <> d.id)),
                 (SELECT count(*) FROM decisions_decisionversion v
                   LEFT JOIN decisions_decision d ON d.id = v.decision_id WHERE d.id IS NULL),
                 (SELECT count(*) FROM decisions_decisiondraft r
                   LEFT JOIN decisions_decisionversion v ON v.id = r.submitted_version_id
                   WHERE r.submitted_version_id IS NOT NULL AND v.id IS NULL),
                 (SELECT count(*) FROM audit_auditevent e
                   LEFT JOIN accounts_user u ON u.id = e.actor_id WHERE e.actor_id IS NOT NULL AND u.id IS NULL)"""
        )
        dangling = list(cursor.fetchone())
    return {
        "chains_ok": report.ok,
        "chain_message": report.message,
        "hashes_checked": len(versions),
        "hash_mismatches": bad,
        "dangling_references": dangling,
    }


def _median_ms(fn: Any, samples: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def documents(pdf_samples: int, bulk_records: int) -> dict[str, Any]:
    from accounts.models import User
    from decisions.models import DecisionVersion

    result: dict[str, Any] = {}
    try:
        from decisions import pdf
    except ImportError as exc:
        return {"pdf_available": False, "why": f"decisions.pdf cannot be imported ({exc})", "bulk_available": False}
    from weasyprint import HTML

    admin = User.objects.get(username="admin_a")
    amended = (
        DecisionVersion.objects.filter(decision__organisation__slug="bench-a", number=2)
        .select_related("decision", "decision__organisation", "decision__team", "decision__owner", "submitted_by")
        .order_by("-pk")
        .first()
    )
    assert amended is not None
    paragraph = "<p>The practitioner shared the attendance record with the police after the mother agreed.</p>"
    result["floor_ms"] = _median_ms(lambda: HTML(string=paragraph).write_pdf(), pdf_samples)
    result["pdf_ms"] = _median_ms(
        lambda: pdf.render_pdf(amended, generated_by=admin, verify_url=VERIFY_URL), pdf_samples
    )
    result["pdf_what"] = f"{amended.decision.reference} v2: two versions, two reviews, its audit events"
    import io

    from pypdf import PdfReader

    from decisions import signing

    rendered = pdf.render_pdf(amended, generated_by=admin, verify_url=VERIFY_URL)
    assert rendered is not None
    result["pdf_pages"] = len(PdfReader(io.BytesIO(rendered)).pages)
    if signing.is_configured():
        result["sign_ms"] = _median_ms(lambda: signing.sign_pdf(rendered), pdf_samples)
    result["pdf_available"] = True
    result.update(bulk(admin, pdf_samples, bulk_records))
    return result


def bulk(admin: Any, pdf_samples: int, records: int) -> dict[str, Any]:
    """A real bulk export, run by `manage.py db_worker` in its own process so its peak RSS is its own."""
    try:
        from exports import services
        from exports.models import BulkExport
        from exports.selectors import decisions_for_export
    except ImportError as exc:
        return {"bulk_available": False, "bulk_why": f"exports cannot be imported ({exc})"}
    import datetime as dt

    from accounts.models import Team
    from decisions import pdf
    from decisions.models import DecisionVersion

    # Whole UK days from a year ago, one team or all: the selection whose size is nearest `records`.
    start = (timezone.localdate() - dt.timedelta(days=365)).replace(day=1)
    best: tuple[int, dt.date, Any] | None = None
    for team in [None, *Team.objects.filter(organisation__slug="bench-a")]:
        end = start
        while True:
            count = decisions_for_export(
                admin, submitted_from=start, submitted_to=end, team_id=team.pk if team else None
            ).count()
            if count >= records or end > start + dt.timedelta(days=400):
                break
            end += dt.timedelta(days=max(1, (end - start).days // 8))
        if count >= records and (best is None or count < best[0]):
            best = (count, end, team)
    assert best is not None, "not enough decisions for the bulk export"
    _, end, team = best
    selection = list(
        decisions_for_export(
            admin, submitted_from=start, submitted_to=end, team_id=team.pk if team else None
        ).values_list("current_version_id", flat=True)
    )

    # One PDF at a time, of different decisions in the selection, as the job renders them.
    def single(version_id: int) -> float:
        started = time.perf_counter()
        version = DecisionVersion.objects.select_related(
            "decision", "decision__organisation", "decision__team", "decision__owner", "submitted_by"
        ).get(pk=version_id)
        pdf.render_pdf(version, generated_by=admin, verify_url=VERIFY_URL)
        return (time.perf_counter() - started) * 1000

    single(selection[0])
    step = max(1, len(selection) // pdf_samples)
    single_ms = statistics.median(single(v) for v in selection[::step][:pdf_samples])

    with transaction.atomic():
        export = services.bulk_export_start(
            by=admin, submitted_from=start, submitted_to=end, team=team, outcome="", verify_url=VERIFY_URL
        )
    log = open(settings.BASE_DIR / "var" / "bench" / "worker.log", "ab")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=log,
    )
    _, status, usage = os.wait4(worker.pid, 0)
    worker.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    export = BulkExport.objects.get(pk=export.pk)
    if worker.returncode != 0 or export.started_at is None or export.finished_at is None:
        raise SystemExit(f"bulk export did not finish: worker exit {worker.returncode}, status {export.status}")
    return {
        "bulk_available": True,
        "bulk_records": export.total,
        "bulk_status": export.status,
        "bulk_seconds": (export.finished_at - export.started_at).total_seconds(),
        "bulk_peak_rss_mb": usage.ru_maxrss / 1024,
        "single_ms": single_ms,
        "bulk_range": [start.isoformat(), end.isoformat()],
    }


def explain(path: str, username: str) -> dict[str, Any]:
    """Django's query log for one GET of `path` as `username`, with EXPLAIN ANALYZE of each SELECT.

    For finding why a page is slow: `python -m bench.jobs explain /audit/ super1_a` on a kept database.
    """
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = User.objects.get(username=username)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    device = _otp_device(user)
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    client.get(path)  # warm: templates, connection
    with CaptureQueriesContext(connection) as log:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    queries = []
    for query in log.captured_queries:
        entry: dict[str, Any] = {"ms": float(query["time"]) * 1000, "sql": query["sql"]}
        if query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                entry["plan"] = [row[0] for row in cursor.fetchall()]
        queries.append(entry)
    for entry in queries:
        print(f"\n-- {entry['ms']:.1f} ms\n{entry['sql']}", file=sys.stderr)
        for line in entry.get("plan", []):
            print(f"   {line}", file=sys.stderr)
    return {"status": response.status_code, "ms": elapsed, "queries": len(queries)}


def _otp_device(user: Any) -> Any:
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "seed":
        out = seed(int(args[0]))
    elif command == "check":
        out = check(int(args[0]) if args else 500)
    elif command == "explain":
        out = explain(args[0], args[1])
    elif command == "documents":
        out = documents(int(args[0]), int(args[1]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
