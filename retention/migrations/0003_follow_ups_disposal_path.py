"""Disposal clears follow-ups too (issue 24 item 4): the follow-up table's append-only UPDATE trigger is replaced by the
disposal path's (retention/db.py), as 0001 did for versions and reviews: an UPDATE passes only with a disposal permit
for the row's decision and the transaction's token, and only if the row's facts (ids, kind, outcome, dates, who
recorded it) are unchanged, and what disposal clears (who, how, what was said, the response, the reason) becomes
empty, as 0002 allows versions only disposal's own content. The SQL is written out here so it does the same for ever.
"""

from typing import Any

from django.db import migrations

FOLLOW_UPS_DISPOSAL_PATH_FORWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_followup_no_update",
        "CREATE TRIGGER decisions_followup_no_update BEFORE UPDATE ON decisions_followup WHEN NOT (NEW.id IS OLD.id AND NEW.organisation_id IS OLD.organisation_id AND NEW.decision_id IS OLD.decision_id AND NEW.version_id IS OLD.version_id AND NEW.kind IS OLD.kind AND NEW.outcome IS OLD.outcome AND NEW.due_on IS OLD.due_on AND NEW.done_on IS OLD.done_on AND NEW.recorded_at IS OLD.recorded_at AND NEW.recorded_by_id IS OLD.recorded_by_id AND NEW.done_by = '' AND NEW.how = '' AND NEW.what_said = '' AND NEW.response = '' AND NEW.reason = '' AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = app_disposal_token())) BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_followup rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION decisions_followup_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND (NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id AND NEW.decision_id IS NOT DISTINCT FROM OLD.decision_id AND NEW.version_id IS NOT DISTINCT FROM OLD.version_id AND NEW.kind IS NOT DISTINCT FROM OLD.kind AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome AND NEW.due_on IS NOT DISTINCT FROM OLD.due_on AND NEW.done_on IS NOT DISTINCT FROM OLD.done_on AND NEW.recorded_at IS NOT DISTINCT FROM OLD.recorded_at AND NEW.recorded_by_id IS NOT DISTINCT FROM OLD.recorded_by_id AND NEW.done_by = '' AND NEW.how = '' AND NEW.what_said = '' AND NEW.response = '' AND NEW.reason = '' AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = current_setting('app.disposal', true))) THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION 'append-only table: decisions_followup rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql""",
    ],
}

FOLLOW_UPS_DISPOSAL_PATH_BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_followup_no_update",
        "CREATE TRIGGER IF NOT EXISTS decisions_followup_no_update BEFORE UPDATE ON decisions_followup BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_followup rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION decisions_followup_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'append-only table: decisions_followup rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege'; END;
            $$ LANGUAGE plpgsql""",
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
        ("decisions", "0010_follow_ups_as_records"),
        ("retention", "0002_disposal_path_writes_only_disposal"),
    ]

    operations = [
        migrations.RunPython(
            _statements(FOLLOW_UPS_DISPOSAL_PATH_FORWARDS), _statements(FOLLOW_UPS_DISPOSAL_PATH_BACKWARDS)
        ),
    ]
