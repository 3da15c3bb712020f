"""Follow-ups as records (issue 24 items 3 and 4): what was done after a decision (the family told, the
information sent after sign-off), each a row that is never changed, and the planned sharing date of decisions
made in an organisation that reviews before sharing.

The follow-up table is append-only like the versions (UPDATE, DELETE and TRUNCATE refused); retention/0002 opens
the disposal path on it (retention/db.py), which may clear its words but not its facts. The SQL below is written out
as audit/append_only.py generated it when this migration was made, so the migration does the same for ever whatever
that module becomes. (Not here, and not depending on retention: that would run retention/0001 before decisions/0008
on a new database, and 0008 puts the versions' plain triggers back over their disposal path.) Existing decisions
are not touched: their one-click "family told" stays on the decision row and still shows.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FOLLOW_UPS_APPEND_ONLY_FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS decisions_followup_no_update BEFORE UPDATE ON decisions_followup BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_followup rows cannot be changed or removed'); END",
        "CREATE TRIGGER IF NOT EXISTS decisions_followup_no_delete BEFORE DELETE ON decisions_followup BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_followup rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION decisions_followup_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'append-only table: decisions_followup rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege'; END;
            $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS decisions_followup_no_change ON decisions_followup",
        "CREATE TRIGGER decisions_followup_no_change BEFORE UPDATE OR DELETE ON decisions_followup FOR EACH ROW EXECUTE FUNCTION decisions_followup_append_only()",
        "DROP TRIGGER IF EXISTS decisions_followup_no_truncate ON decisions_followup",
        "CREATE TRIGGER decisions_followup_no_truncate BEFORE TRUNCATE ON decisions_followup FOR EACH STATEMENT EXECUTE FUNCTION decisions_followup_append_only()",
    ],
}

FOLLOW_UPS_APPEND_ONLY_BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_followup_no_update",
        "DROP TRIGGER IF EXISTS decisions_followup_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS decisions_followup_no_change ON decisions_followup",
        "DROP TRIGGER IF EXISTS decisions_followup_no_truncate ON decisions_followup",
        "DROP FUNCTION IF EXISTS decisions_followup_append_only()",
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
    dependencies = [
        ("accounts", "0004_organisation_guidance_edition"),
        ("decisions", "0009_person_name_trigram_and_case_reference"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="share_planned_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="decision",
            name="share_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="FollowUp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("family_told", "Telling the family"), ("share_sent", "Sending the information")],
                        max_length=20,
                    ),
                ),
                (
                    "outcome",
                    models.CharField(choices=[("done", "Done"), ("not_done", "Not done after all")], max_length=10),
                ),
                ("due_on", models.DateField(blank=True, null=True)),
                ("done_on", models.DateField(blank=True, null=True)),
                ("done_by", models.CharField(blank=True, max_length=200)),
                ("how", models.CharField(blank=True, max_length=200)),
                ("what_said", models.TextField(blank=True)),
                ("response", models.TextField(blank=True)),
                ("reason", models.TextField(blank=True)),
                ("recorded_at", models.DateTimeField()),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="follow_ups", to="decisions.decision"
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organisation"
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_ups",
                        to="decisions.decisionversion",
                    ),
                ),
            ],
            options={
                "ordering": ["decision", "recorded_at", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["family_told", "share_sent"])), name="follow_up_kind_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("done_on__isnull", False), ("outcome", "done")),
                            models.Q(("done_on__isnull", True), ("outcome", "not_done")),
                            _connector="OR",
                        ),
                        name="follow_up_outcome_matches_date",
                    ),
                    models.UniqueConstraint(fields=("version", "kind"), name="follow_up_once_per_version"),
                ],
            },
        ),
        migrations.RunPython(
            _statements(FOLLOW_UPS_APPEND_ONLY_FORWARDS), _statements(FOLLOW_UPS_APPEND_ONLY_BACKWARDS)
        ),
    ]
