from typing import Any

from django.db import migrations

# The SQL below is written out as audit/append_only.py generated it when this migration was made, so the migration
# does the same for ever whatever that module becomes (tests/test_migration_history.py pins it).
REVIEWS_APPEND_ONLY_FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS oversight_review_no_update BEFORE UPDATE ON oversight_review BEGIN SELECT RAISE(ABORT, 'append-only table: oversight_review rows cannot be changed or removed'); END",
        "CREATE TRIGGER IF NOT EXISTS oversight_review_no_delete BEFORE DELETE ON oversight_review BEGIN SELECT RAISE(ABORT, 'append-only table: oversight_review rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION oversight_review_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'append-only table: oversight_review rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege'; END;
            $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS oversight_review_no_change ON oversight_review",
        "CREATE TRIGGER oversight_review_no_change BEFORE UPDATE OR DELETE ON oversight_review FOR EACH ROW EXECUTE FUNCTION oversight_review_append_only()",
        "DROP TRIGGER IF EXISTS oversight_review_no_truncate ON oversight_review",
        "CREATE TRIGGER oversight_review_no_truncate BEFORE TRUNCATE ON oversight_review FOR EACH STATEMENT EXECUTE FUNCTION oversight_review_append_only()",
    ],
}

REVIEWS_APPEND_ONLY_BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS oversight_review_no_update",
        "DROP TRIGGER IF EXISTS oversight_review_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS oversight_review_no_change ON oversight_review",
        "DROP TRIGGER IF EXISTS oversight_review_no_truncate ON oversight_review",
        "DROP FUNCTION IF EXISTS oversight_review_append_only()",
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
    dependencies = [("oversight", "0001_initial")]
    operations = [
        migrations.RunPython(_statements(REVIEWS_APPEND_ONLY_FORWARDS), _statements(REVIEWS_APPEND_ONLY_BACKWARDS))
    ]
