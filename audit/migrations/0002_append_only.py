from typing import Any

from django.db import migrations

# The SQL below is written out as audit/append_only.py generated it when this migration was made, so the migration
# does the same for ever whatever that module becomes (tests/test_migration_history.py pins it).
AUDITEVENT_APPEND_ONLY_FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent BEGIN SELECT RAISE(ABORT, 'append-only table: audit_auditevent rows cannot be changed or removed'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent BEGIN SELECT RAISE(ABORT, 'append-only table: audit_auditevent rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'append-only table: audit_auditevent rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege'; END;
            $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent",
        "CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
        "CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only()",
    ],
}

AUDITEVENT_APPEND_ONLY_BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
    ],
}


def _statements(by_vendor: dict[str, list[str]]) -> Any:
    """A migration function that executes the statements written out for the database in use."""

    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in by_vendor:
            raise NotImplementedError(f"this migration is not written for {vendor}")
        for sql in by_vendor[vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        migrations.RunPython(
            _statements(AUDITEVENT_APPEND_ONLY_FORWARDS), _statements(AUDITEVENT_APPEND_ONLY_BACKWARDS)
        )
    ]
