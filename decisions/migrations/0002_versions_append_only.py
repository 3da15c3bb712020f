from typing import Any

from django.db import migrations

# The SQL below is written out as audit/append_only.py generated it when this migration was made, so the migration
# does the same for ever whatever that module becomes (tests/test_migration_history.py pins it).
VERSIONS_APPEND_ONLY_FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS decisions_decisionversion_no_update BEFORE UPDATE ON decisions_decisionversion BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_decisionversion rows cannot be changed or removed'); END",
        "CREATE TRIGGER IF NOT EXISTS decisions_decisionversion_no_delete BEFORE DELETE ON decisions_decisionversion BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_decisionversion rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION decisions_decisionversion_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'append-only table: decisions_decisionversion rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege'; END;
            $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_change ON decisions_decisionversion",
        "CREATE TRIGGER decisions_decisionversion_no_change BEFORE UPDATE OR DELETE ON decisions_decisionversion FOR EACH ROW EXECUTE FUNCTION decisions_decisionversion_append_only()",
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_truncate ON decisions_decisionversion",
        "CREATE TRIGGER decisions_decisionversion_no_truncate BEFORE TRUNCATE ON decisions_decisionversion FOR EACH STATEMENT EXECUTE FUNCTION decisions_decisionversion_append_only()",
    ],
}

VERSIONS_APPEND_ONLY_BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_update",
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_change ON decisions_decisionversion",
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_truncate ON decisions_decisionversion",
        "DROP FUNCTION IF EXISTS decisions_decisionversion_append_only()",
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
    dependencies = [("decisions", "0001_initial")]
    operations = [
        migrations.RunPython(_statements(VERSIONS_APPEND_ONLY_FORWARDS), _statements(VERSIONS_APPEND_ONLY_BACKWARDS))
    ]
