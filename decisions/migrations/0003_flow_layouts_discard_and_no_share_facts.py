"""Layouts of the questions (issue 11): every draft and version says which it was answered in; drafts keep
pages saved without being finished and can be discarded; versions from layout 2 state a lawful basis and a
way of sending only when the information is shared.

Existing rows are layout 1 and satisfy every new constraint (layout 1 versions are exempt from the two about
not sharing, because that layout asked every decision for a lawful basis). On SQLite, adding columns and
constraints rebuilds the versions table, which drops its append-only triggers, so they are put back at the
end (on PostgreSQL nothing is rewritten and reinstalling them is a no-op).
"""

from django.conf import settings
from django.db import migrations, models

from audit.append_only import install_sql, remove_sql

VERSIONS = "decisions_decisionversion"


def _drop_triggers_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in remove_sql("sqlite", VERSIONS):
            schema_editor.execute(sql)


def _install_triggers(apps, schema_editor):
    for sql in install_sql(schema_editor.connection.vendor, VERSIONS):
        schema_editor.execute(sql)


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
