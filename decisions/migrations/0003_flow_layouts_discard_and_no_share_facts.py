"""Layouts of the questions (issue 11): every draft and version says which it was answered in; drafts keep
pages saved without being finished and can be discarded; versions from layout 2 state a lawful basis and a
way of sending only when the information is shared.

Existing rows are layout 1 and satisfy every new constraint (layout 1 versions are exempt from the two about
not sharing, because that layout asked every decision for a lawful basis). On SQLite, adding columns and
constraints rebuilds the versions table, which drops its append-only triggers, so they are put back at the
end (on PostgreSQL nothing is rewritten and reinstalling them is a no-op).
"""

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
        ("accounts", "0001_initial"),
        ("decisions", "0002_versions_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_drop_triggers_on_sqlite, _install_triggers),
        migrations.RemoveConstraint(
            model_name="decision",
            name="submitted_decision_has_version",
        ),
        migrations.RemoveConstraint(
            model_name="decisiondraft",
            name="one_open_draft_per_decision",
        ),
        migrations.AddField(
            model_name="decisiondraft",
            name="discarded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="decisiondraft",
            name="layout",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="decisiondraft",
            name="unfinished",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="decisionversion",
            name="layout",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="decisionversion",
            name="sharing_method",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name="decision",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("submitted", "Submitted"), ("discarded", "Discarded")],
                default="draft",
                max_length=12,
            ),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "draft"),
                    models.Q(
                        ("current_version__isnull", True), ("status", "discarded"), ("submitted_at__isnull", True)
                    ),
                    models.Q(
                        ("current_version__isnull", False), ("status", "submitted"), ("submitted_at__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="decision_status_matches_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="decisiondraft",
            constraint=models.UniqueConstraint(
                condition=models.Q(("discarded_at__isnull", True), ("submitted_version__isnull", True)),
                fields=("decision",),
                name="one_open_draft_per_decision",
            ),
        ),
        migrations.AddConstraint(
            model_name="decisiondraft",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("submitted_version__isnull", True), ("discarded_at__isnull", True), _connector="OR"
                ),
                name="draft_submitted_or_discarded_not_both",
            ),
        ),
        migrations.AddConstraint(
            model_name="decisionversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("lawful_basis", "a_consent"), _negated=True), ("consent_status", "given"), _connector="OR"
                ),
                name="consent_basis_needs_consent",
            ),
        ),
        migrations.AddConstraint(
            model_name="decisionversion",
            constraint=models.CheckConstraint(condition=models.Q(("layout__gte", 1)), name="version_layout_positive"),
        ),
        migrations.AddConstraint(
            model_name="decisionversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("layout", 1),
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
                    ("layout", 1),
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
