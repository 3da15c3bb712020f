"""Test-only ways around the append-only triggers, to prove that tampering is detected."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from audit.append_only import install_sql

APPEND_ONLY_TABLES = ("audit_auditevent", "decisions_decisionversion")


@contextmanager
def triggers_disabled(table: str = "audit_auditevent") -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Superuser-only switch that skips ordinary triggers; unlike ALTER TABLE it works with
            # deferred foreign-key checks pending in the test's transaction.
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")
            else:
                for sql in install_sql("sqlite", table):
                    cursor.execute(sql)
