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


# The chain head is the one audit row that changes: every event moves it on. The database lets it move only
# forward, and only onto an event that exists with that hash; it cannot be deleted. (A re-hashed chain can
# still be given a matching head by someone who drops these triggers too: the signed checkpoints catch that.)
HEAD_TABLE = "audit_chainhead"
HEAD_MESSAGE = "audit_chainhead can only move forward to an existing event"
GENESIS = "0" * 64


def _head_condition(new: str = "NEW", old: str | None = "OLD") -> str:
    moves_on = f"{new}.last_seq > {old}.last_seq AND {new}.chain_key = {old}.chain_key AND " if old else ""
    # Built from this module's constants only, never from input.
    exists = (
        "EXISTS (SELECT 1 FROM audit_auditevent e WHERE "  # noqa: S608  # nosec B608 - constants only
        f"e.chain_key = {new}.chain_key AND e.seq = {new}.last_seq AND e.hash = {new}.last_hash)"
    )
    return f"{moves_on}(({new}.last_seq = 0 AND {new}.last_hash = '{GENESIS}') OR {exists})"


def guarded_head_install_sql(vendor: str) -> list[str]:
    t, msg = HEAD_TABLE, HEAD_MESSAGE
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {t}_guard_update BEFORE UPDATE ON {t} "
            f"WHEN NOT ({_head_condition()}) BEGIN SELECT RAISE(ABORT, '{msg}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {t}_guard_insert BEFORE INSERT ON {t} "
            f"WHEN NOT ({_head_condition(old=None)}) BEGIN SELECT RAISE(ABORT, '{msg}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE.format(table=t)}'); END",
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {t}_guard() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
                    RAISE EXCEPTION '{MESSAGE.format(table=t)}' USING ERRCODE = 'insufficient_privilege';
                  END IF;
                  IF TG_OP = 'UPDATE' AND NOT ({_head_condition()}) THEN
                    RAISE EXCEPTION '{msg}' USING ERRCODE = 'insufficient_privilege';
                  END IF;
                  IF TG_OP = 'INSERT' AND NOT ({_head_condition(old=None)}) THEN
                    RAISE EXCEPTION '{msg}' USING ERRCODE = 'insufficient_privilege';
                  END IF;
                  RETURN NEW;
                END;
                $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {t}_guard ON {t}",
            f"CREATE TRIGGER {t}_guard BEFORE INSERT OR UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {t}_guard()",
            f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}",
            f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION {t}_guard()",
        ]
    raise NotImplementedError(f"chain head triggers are not written for {vendor}")


def guarded_head_remove_sql(vendor: str) -> list[str]:
    t = HEAD_TABLE
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t}_{name}" for name in ("guard_update", "guard_insert", "no_delete")]
    return [
        f"DROP TRIGGER IF EXISTS {t}_guard ON {t}",
        f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}",
        f"DROP FUNCTION IF EXISTS {t}_guard()",
    ]


def guarded_head_operations() -> Any:
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in guarded_head_install_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in guarded_head_remove_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)


# The audit events: append-only, except that the client data of old events (address, browser, a typed username
# that is nobody's, and the salt of their digest) may be emptied, nothing else changing, through the one path in
# audit/clearing.py: only for events older than the newest clearing row, and for a format-1 event (hashed with
# its raw address) only once its signed clearing record exists. The columns compared are those of migration
# 0004; a later migration that adds a column to the events must list it here too (PostgreSQL compares the rows
# whole, so it needs nothing).
EVENT_TABLE = "audit_auditevent"
CLIENT_COLUMNS = ("ip_address", "user_agent", "typed_username", "client_salt")
EVENT_KEPT_COLUMNS = (
    "id", "chain_key", "seq", "occurred_at", "actor_id", "actor_label", "organisation_id", "action", "target_type",
    "target_id", "target_ref", "details", "prev_hash", "hash", "client_digest", "payload_format",
)  # fmt: skip
_CLEARING_ALLOWED = (
    "OLD.occurred_at < (SELECT MAX(c.cleared_before) FROM audit_clientdataclearing c) AND "
    "(OLD.payload_format = 2 OR EXISTS (SELECT 1 FROM audit_legacyclearing l WHERE l.event_id = OLD.id))"
)


def clearable_events_install_sql(vendor: str) -> list[str]:
    t, msg = EVENT_TABLE, MESSAGE.format(table=EVENT_TABLE)
    if vendor == "sqlite":
        unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in EVENT_KEPT_COLUMNS)
        emptied = (
            "NEW.ip_address IS NULL AND NEW.user_agent = '' AND NEW.typed_username IS NULL AND NEW.client_salt IS NULL"
        )
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_update",
            f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} "
            f"WHEN NOT COALESCE(({unchanged} AND {emptied} AND {_CLEARING_ALLOWED}), 0) "
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        ]
    if vendor == "postgresql":
        dropped = " - ".join(f"'{c}'" for c in CLIENT_COLUMNS)
        return [
            f"""CREATE OR REPLACE FUNCTION {t}_clear_only() RETURNS trigger AS $$
                BEGIN
                  IF NEW.ip_address IS NULL AND NEW.user_agent = '' AND NEW.typed_username IS NULL
                     AND NEW.client_salt IS NULL
                     AND (to_jsonb(NEW) - {dropped}) = (to_jsonb(OLD) - {dropped}) THEN
                    IF {_CLEARING_ALLOWED} THEN
                      RETURN NEW;
                    END IF;
                  END IF;
                  RAISE EXCEPTION '{msg}' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {t}_no_change ON {t}",
            f"CREATE TRIGGER {t}_no_change BEFORE DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_append_only()",
            f"DROP TRIGGER IF EXISTS {t}_clear_only ON {t}",
            f"CREATE TRIGGER {t}_clear_only BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_clear_only()",
        ]
    raise NotImplementedError(f"audit event triggers are not written for {vendor}")


def clearable_events_remove_sql(vendor: str) -> list[str]:
    t = EVENT_TABLE
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t}_no_update", *_sqlite(t)]
    return [
        f"DROP TRIGGER IF EXISTS {t}_clear_only ON {t}",
        f"DROP FUNCTION IF EXISTS {t}_clear_only()",
        *_postgresql(t),
    ]


def clearable_events_operations() -> Any:
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in clearable_events_install_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in clearable_events_remove_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)
