"""The one database path that may rewrite append-only rows: disposal.

Submitted versions and reviews are append-only (audit/append_only.py): their triggers refuse UPDATE, DELETE
and TRUNCATE. This module replaces the UPDATE part of those triggers with one that also refuses, unless

1. a `retention_disposalpermit` row exists for the row's decision, and
2. the transaction carries the same random token: on PostgreSQL the transaction-local setting
   `app.disposal` (`set_config('app.disposal', token, true)`, gone at commit or rollback); on SQLite the
   connection-local function `app_disposal_token()`, which only this process's connections have (a sqlite3
   shell has no such function, so every UPDATE there fails), returning the token the service set, and
3. the columns that make the row evidence (its hash, numbers, dates, people, outcome) are unchanged, and
4. (since retention migration 0002, whose SQL is the one in force) what changes becomes exactly what disposal writes:
   answers `{"disposed": true}`, the fixed text for an amendment reason or a returned review's comment, no recipient
   agencies. A forged permit can no longer put other content in a version; verify_audit also recomputes every
   version's hash (retention/integrity.py).

`disposal_path()` is that path and only `retention.services.disposal_approve` uses it: it inserts the permit,
sets the token, yields, then deletes the permit and clears the token, all inside the disposal transaction,
which also writes the audit event. DELETE and TRUNCATE stay refused for everyone. A plain UPDATE from the
ORM, the Django admin or a database shell fails as before.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from audit.append_only import MESSAGE, install_sql

PERMIT_TABLE = "retention_disposalpermit"

# Append-only tables disposal may rewrite, and the columns that must stay exactly as they were.
GUARDED: dict[str, list[str]] = {
    "decisions_decisionversion": [
        "id", "decision_id", "number", "edition", "layout", "content_hash", "submitted_at", "submitted_by_id",
        "previous_id", "outcome", "consent_status", "lawful_basis", "special_category", "sharing_method",
    ],
    "oversight_review": ["id", "decision_id", "version_id", "reviewer_id", "outcome", "created_at"],
    "decisions_followup": [
        "id", "organisation_id", "decision_id", "version_id", "kind", "outcome", "due_on", "done_on",
        "recorded_at", "recorded_by_id",
    ],
}  # fmt: skip


def _permitted(vendor: str, table: str) -> str:
    same = " IS " if vendor == "sqlite" else " IS NOT DISTINCT FROM "
    unchanged = " AND ".join(f"NEW.{c}{same}OLD.{c}" for c in GUARDED[table])
    token = "app_disposal_token()" if vendor == "sqlite" else "current_setting('app.disposal', true)"
    # Built from this module's constants only, never from input.
    permit = (
        f"EXISTS (SELECT 1 FROM {PERMIT_TABLE} p WHERE p.decision_id = OLD.decision_id "  # noqa: S608  # nosec B608
        f"AND p.token = {token})"
    )
    return f"({unchanged} AND {permit})"


def install_disposal_path_sql(vendor: str, table: str) -> list[str]:
    msg = MESSAGE.format(table=table)
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"WHEN NOT {_permitted(vendor, table)} BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        ]
    if vendor == "postgresql":
        # Same function name as audit/append_only.py, so its existing triggers call the new body.
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND {_permitted(vendor, table)} THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION '{msg}' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql"""
        ]
    raise NotImplementedError(f"the disposal path is not written for {vendor}")


def remove_disposal_path_sql(vendor: str, table: str) -> list[str]:
    """Back to the plain append-only triggers."""
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", install_sql(vendor, table)[0]]
    return [install_sql(vendor, table)[0]]


def operations() -> Any:
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for table in GUARDED:
            for sql in install_disposal_path_sql(schema_editor.connection.vendor, table):
                schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for table in GUARDED:
            for sql in remove_disposal_path_sql(schema_editor.connection.vendor, table):
                schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)


TOKEN_ATTRIBUTE = "retention_disposal_token"  # noqa: S105  # nosec B105 - an attribute name


@receiver(connection_created)
def _register_sqlite_token_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no session settings: the token lives on this process's connection object instead."""
    if connection.vendor != "sqlite":
        return
    wrapper = connection
    connection.connection.create_function(
        "app_disposal_token", 0, lambda: getattr(wrapper, TOKEN_ATTRIBUTE, None), deterministic=False
    )


@contextmanager
def disposal_path(decision_id: int) -> Iterator[None]:
    """Open the disposal path for one decision, inside the caller's transaction. Only the disposal service
    calls this; it must already hold the decision's row lock and write the audit event in the same transaction."""
    from .models import DisposalPermit

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the disposal path opens only inside a transaction")
    token = secrets.token_hex(32)
    permit = DisposalPermit.objects.create(decision_id=decision_id, token=token)
    _set_token(token)
    try:
        yield
    except BaseException:
        # The transaction is rolled back, which removes the permit and the PostgreSQL setting with it.
        setattr(connection, TOKEN_ATTRIBUTE, None)
        raise
    _set_token(None)
    DisposalPermit.objects.filter(pk=permit.pk).delete()


def _set_token(token: str | None) -> None:
    setattr(connection, TOKEN_ATTRIBUTE, token)
    if connection.vendor == "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.disposal', %s, true)", [token or ""])
