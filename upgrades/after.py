"""After an earlier release's database is migrated by this checkout: is everything still there and working?

Run by upgrades/run.py with this checkout's code, DATABASE_URL naming the upgraded database. Reads the
release's snapshot (upgrades/snapshot.py) and checks, as the pages do it (Django's test client):

- the audit chain verifies (`verify_audit`), with the events the release wrote still in it;
- every decision is held with the same versions and verification codes;
- every submitted decision opens for a supervisor of its organisation and is not found by the other's;
- each version exports as a signed PDF (admin), which the verify page calls genuine when uploaded, and whose
  verification code it matches when typed;
- every submitted decision can be amended by its practitioner (the amendment opens at check answers, every
  question page of it opens), then the amendment is cancelled;
- the schema is what a new database gets from this checkout's migrations (`--fresh-database`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from typing import Any

import django


def fail(problems: list[str], message: str) -> None:
    problems.append(message)
    print(f"  FAIL {message}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--fresh-database", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharing_app.settings")
    # Every PDF is checked on the verify page from one address, far more than a person's limit allows.
    os.environ.setdefault("VERIFY_CHECKS_PER_WINDOW", "1000000")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's view of templates' context, and mail kept in memory

    with open(args.snapshot, encoding="utf-8") as held:
        snapshot = json.load(held)
    problems: list[str] = []
    check_chain(snapshot, problems)
    check_counts(problems)
    check_records(snapshot, problems)
    check_schema(args.fresh_database, problems)
    print(f"  {len(problems)} problems", flush=True)
    return 1 if problems else 0


def check_chain(snapshot: dict[str, Any], problems: list[str]) -> None:
    from django.core.management import call_command

    from audit.models import AuditEvent

    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except Exception as error:  # noqa: BLE001 - CommandError says what broke; anything else is a failure too
        fail(problems, f"verify_audit: {error}")
    else:
        print(f"  verify_audit: {out.getvalue().strip()}", flush=True)
    if AuditEvent.objects.count() < snapshot["events"]:
        fail(problems, f"events lost: {AuditEvent.objects.count()} of {snapshot['events']}")


def check_counts(problems: list[str]) -> None:
    """The dashboard's stored counts are what counting the records again gives."""
    from collections import Counter

    from decisions import summary
    from decisions.models import DecisionCount
    from oversight.summary import review_counts

    recounted: Counter[Any] = Counter()
    for key, n in [*summary.decision_counts(), *review_counts()]:
        recounted[key] += n
    stored = Counter(
        {
            (row.organisation_id, row.team_key, row.edition, row.month, row.fact, row.value): row.count
            for row in DecisionCount.objects.all()
        }
    )
    if +stored != +recounted:
        fail(
            problems,
            f"dashboard counts differ from the records: {sorted((+stored - recounted).items())[:5]} "
            f"{sorted((+recounted - stored).items())[:5]}",
        )
    else:
        print(f"  dashboard counts: {sum(stored.values())} counted, as the records say", flush=True)


def client_for(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import twofactor

    client = Client()
    client.force_login(user)
    if twofactor.is_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Upgrade test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def member(organisation: Any, role: str) -> Any:
    from accounts.models import Membership

    membership = Membership.objects.filter(organisation=organisation, role=role).select_related("user").first()
    assert membership is not None, f"{organisation} has no {role}"
    return membership.user


def check_records(snapshot: dict[str, Any], problems: list[str]) -> None:
    from django.urls import reverse

    from accounts.models import Organisation
    from decisions.models import Decision
    from exports.verification import Result

    organisations = {o.slug: o for o in Organisation.objects.all()}
    clients: dict[tuple[str, str], Any] = {}

    def as_role(slug: str, role: str) -> Any:
        if (slug, role) not in clients:
            clients[(slug, role)] = client_for(member(organisations[slug], role))
        return clients[(slug, role)]

    held = {d.reference: d for d in Decision.objects.select_related("organisation", "owner")}
    checked = pdfs = amended = 0
    for reference, before in snapshot["decisions"].items():
        decision = held.get(reference)
        if decision is None:
            fail(problems, f"{reference} is gone")
            continue
        versions = {str(n): h for n, h in decision.versions.values_list("number", "content_hash")}
        if versions != before["versions"]:
            fail(problems, f"{reference}: versions or verification codes changed: {before['versions']} -> {versions}")
        if decision.status != before["status"] or decision.organisation.slug != before["organisation"]:
            fail(problems, f"{reference}: was {before['status']} in {before['organisation']}, now {decision.status}")
        if not decision.is_submitted:
            continue
        slug = decision.organisation.slug
        other = next(s for s in organisations if s != slug)
        detail = reverse("decisions:detail", kwargs={"reference": reference})
        response = as_role(slug, "supervisor").get(detail)
        if response.status_code != 200 or reference not in response.content.decode():
            fail(problems, f"{reference}: the decision page answered {response.status_code} to its organisation")
        if as_role(other, "supervisor").get(detail).status_code != 404:
            fail(problems, f"{reference}: the other organisation's supervisor was not refused")
        for number, code in sorted(versions.items()):
            url = reverse("exports:decision_pdf", kwargs={"reference": reference}) + f"?version={number}"
            response = as_role(slug, "admin").get(url)
            if response.status_code != 200 or response["Content-Type"] != "application/pdf":
                fail(problems, f"{reference} v{number}: the PDF export answered {response.status_code}")
                continue
            pdfs += 1
            upload = io.BytesIO(response.content)
            upload.name = f"{reference}-v{number}.pdf"
            verified = as_role(slug, "admin").post(reverse("exports:verify"), {"file": upload})
            verdict = verified.context.get("verdict") if verified.context else None
            if verdict is None or verdict.result != Result.MATCH or verdict.code != code:
                fail(problems, f"{reference} v{number}: the verify page did not call its PDF genuine ({verdict})")
            typed = as_role(slug, "admin").post(reverse("exports:verify"), {"code": code})
            verdict = typed.context.get("verdict") if typed.context else None
            if verdict is None or verdict.result != Result.MATCH:
                fail(problems, f"{reference} v{number}: its verification code no longer matches ({verdict})")
        amended += check_amendment(decision, problems)
        checked += 1
    print(f"  {checked} submitted records opened, {pdfs} PDFs verified, {amended} amendments opened", flush=True)


def check_amendment(decision: Any, problems: list[str]) -> int:
    """1 when an amendment was opened, walked and cancelled; 0 when one was already open (left as it is)."""
    from django.urls import reverse

    from decisions.selectors import open_draft_of

    reference = decision.reference
    owner = client_for(decision.owner)
    if open_draft_of(decision) is not None:
        return 0  # an amendment the release left open (a returned decision being fixed) is left as it is
    response = owner.post(reverse("decisions:amend", kwargs={"reference": reference}), {"reason": "Upgrade check"})
    check = reverse("decisions:check", kwargs={"reference": reference})
    if response.status_code != 302 or response["Location"] != check:
        fail(problems, f"{reference}: starting an amendment answered {response.status_code}")
        return 0
    page = owner.get(check)
    if page.status_code != 200:
        fail(problems, f"{reference}: the amendment's check answers page answered {page.status_code}")
        return 0
    steps = sorted(set(re.findall(rf'href="(/decisions/{re.escape(reference)}/answer/[\w-]+)', page.content.decode())))
    if not steps:
        fail(problems, f"{reference}: the amendment's check answers page links to no question")
    for url in steps:
        answered = owner.get(url)
        if answered.status_code != 200:
            fail(problems, f"{reference}: {url} answered {answered.status_code} in the amendment")
    cancelled = owner.post(reverse("decisions:discard", kwargs={"reference": reference}), {"confirm": "yes"})
    if cancelled.status_code != 302:
        fail(problems, f"{reference}: cancelling the amendment answered {cancelled.status_code}")
    return 1


def schema(alias: str) -> dict[str, list[str]]:
    """Tables with their columns, indexes, constraints and triggers (with their functions), as text to compare."""
    from django.db import connections

    connection = connections[alias]
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            for kind, name, table, sql in cursor.fetchall():
                found.setdefault(table, []).append(f"{kind} {name}: {' '.join((sql or '').split())}")
            return {t: sorted(v) for t, v in found.items()}
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length "
            "FROM information_schema.columns WHERE table_schema = 'public'"
        )
        for table, column, kind, nullable, default, length in cursor.fetchall():
            default = re.sub(r"_id_seq\d*", "_id_seq", default or "")
            found.setdefault(table, []).append(f"column {column} {kind}({length}) null={nullable} default={default}")
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        for table, name, definition in cursor.fetchall():
            found.setdefault(table, []).append(f"index {name}: {definition}")
        cursor.execute(
            "SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        )
        for table, name, definition in cursor.fetchall():
            # Django names foreign keys with a hash of their columns: the same on both sides.
            found.setdefault(table, []).append(f"constraint {name}: {definition}")
        cursor.execute(
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), p.prosrc FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal"
        )
        for table, name, definition, source in cursor.fetchall():
            found.setdefault(table, []).append(f"trigger {name}: {definition} :: {' '.join(source.split())}")
        cursor.execute("SELECT extname FROM pg_extension ORDER BY extname")
        found["(extensions)"] = [row[0] for row in cursor.fetchall()]
    return {t: sorted(v) for t, v in found.items()}


def check_schema(fresh_url: str, problems: list[str]) -> None:
    import environ
    from django.db import connections

    connections.settings["fresh"] = {**connections.settings["default"], **environ.Env.db_url_config(fresh_url)}
    upgraded, fresh = schema("default"), schema("fresh")
    differences = []
    for table in sorted(set(upgraded) | set(fresh)):
        only_upgraded = sorted(set(upgraded.get(table, [])) - set(fresh.get(table, [])))
        only_fresh = sorted(set(fresh.get(table, [])) - set(upgraded.get(table, [])))
        differences += [f"{table}: upgraded has {line}" for line in only_upgraded]
        differences += [f"{table}: a new database has {line}" for line in only_fresh]
    for line in differences:
        fail(problems, f"schema differs: {line}")
    if not differences:
        print(f"  schema: the same as a new database's ({len(fresh)} tables)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
