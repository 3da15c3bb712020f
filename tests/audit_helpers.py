"""Test-only ways around the database triggers, to prove that tampering is detected."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

APPEND_ONLY_TABLES = (
    "audit_auditevent",
    "decisions_decisionversion",
    "audit_chaincheck",
    "audit_auditcheckpoint",
    "audit_clientdataclearing",
    "audit_legacyclearing",
)
AUDIT_TABLES = (
    "audit_auditevent",
    "audit_chainhead",
    "audit_chaincheck",
    "audit_auditcheckpoint",
    "audit_clientdataclearing",
    "audit_legacyclearing",
)


@contextmanager
def unaudited_account_changes() -> Iterator[None]:
    """Make accounts or organisations without their audit events, for a test that needs a chain to start empty."""
    from unittest import mock

    with mock.patch("accounts.audit_changes._record"):
        yield


@contextmanager
def triggers_disabled(*tables: str) -> Iterator[None]:
    """What someone with a database shell can do: switch the triggers off (default: every audit table's).

    On PostgreSQL the superuser-only session_replication_role skips ordinary triggers; unlike DROP TRIGGER it
    works with deferred foreign-key checks pending in the test's transaction. On SQLite the triggers are
    dropped and put back exactly as they were.
    """
    tables = tables or AUDIT_TABLES
    saved: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            marks = ", ".join("%s" for _ in tables)
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",  # noqa: S608
                list(tables),
            )
            for name, sql in cursor.fetchall():
                saved.append(sql)
                cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")
            else:
                for sql in saved:
                    cursor.execute(sql)


def rehash_chain_from(chain_key: str, seq: int, **changes: object) -> None:
    """The attack of issue 16: with the triggers off, edit one event and re-hash it and every event after it,
    then move the chain head to the new last hash, so the chain links up again."""
    from audit.models import AuditEvent

    events = list(AuditEvent.objects.filter(chain_key=chain_key, seq__gte=seq).order_by("seq"))
    previous = AuditEvent.objects.get(chain_key=chain_key, seq=seq - 1).hash if seq > 1 else "0" * 64
    with connection.cursor() as cursor:
        for i, event in enumerate(events):
            if i == 0:
                for field, value in changes.items():
                    setattr(event, field, value)
            event.prev_hash = previous
            event.hash = event.compute_hash()
            cursor.execute(
                "UPDATE audit_auditevent SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.action, event.prev_hash, event.hash, event.pk],
            )
            previous = event.hash
        cursor.execute("UPDATE audit_chainhead SET last_hash = %s WHERE chain_key = %s", [previous, chain_key])
