"""Database triggers that make a table append-only: UPDATE, DELETE (and TRUNCATE on PostgreSQL) fail.

Used by migrations for the audit events and the submitted decision versions, so the rule holds even for
someone with a database shell and the application's credentials.
"""

from __future__ import annotations

from typing import Any

MESSAGE = "append-only table: {table} rows cannot be changed or removed"


def _sqlite(table: str) -> list[str]:
    msg = MESSAGE.format(table=table)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{msg}'); END",
    ]


def _postgresql(table: str) -> list[str]:
    msg = MESSAGE.format(table=table)
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{msg}' USING ERRCODE = 'insufficient_privilege'; END;
            $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
    ]


def install_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite(table)
    if vendor == "postgresql":
        return _postgresql(table)
    raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def remove_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_append_only()",
    ]


def operations(table: str) -> Any:
    """A RunPython migration operation that installs (and on reverse removes) the triggers."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in install_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in remove_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)
