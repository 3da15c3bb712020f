"""The 2024 edition's first layout is layout 1 of its own, so the two constraints about what a "do not share"
decision states now exempt only the 2018 edition's first layout (every existing version satisfies both, as
before). On SQLite, changing constraints rebuilds the versions table and drops its append-only triggers, so
they are put back at the end, as in 0003."""

from typing import Any

from django.conf import settings
from django.db import migrations, models

# The SQL below is written out as audit/append_only.py generated it when this migration was made, so the migration
# does the same for ever whatever that module becomes (tests/test_migration_history.py pins it).
DROP_TRIGGERS_ON_SQLITE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_update",
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_delete",
    ],
    "postgresql": [],
}

INSTALL_TRIGGERS = {
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


def _statements(by_vendor: dict[str, list[str]]) -> Any:
    """A migration function that executes the statements written out for the database in use."""

    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in by_vendor:
            raise NotImplementedError(f"this migration is not written for {vendor}")
        for sql in by_vendor[vendor]:
            schema_editor.execute(sql)

    return run


_drop_triggers_on_sqlite = _statements(DROP_TRIGGERS_ON_SQLITE)
_install_triggers = _statements(INSTALL_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0006_decision_disposed_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_drop_triggers_on_sqlite, _install_triggers),
        migrations.RemoveConstraint(
            model_name="decisionversion",
            name="no_share_states_no_basis_or_method",
        ),
        migrations.RemoveConstraint(
            model_name="decisionversion",
            name="share_states_basis_and_method",
        ),
        migrations.AddConstraint(
            model_name="decisionversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("edition", "2018"), ("layout", 1)),
                    models.Q(("outcome", "no_share"), _negated=True),
                    models.Q(("lawful_basis", ""), ("sharing_method", ""), ("special_category_condition", "")),
                    _connector="OR",
                ),
                name="no_share_states_no_basis_or_method",
            ),
        ),
        migrations.AddConstraint(
            model_name="decisionversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("edition", "2018"), ("layout", 1)),
                    ("outcome", "no_share"),
                    models.Q(
                        models.Q(("lawful_basis", ""), _negated=True), models.Q(("sharing_method", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="share_states_basis_and_method",
            ),
        ),
        migrations.RunPython(_install_triggers, _drop_triggers_on_sqlite),
    ]
