"""Issue 25 item 3: clearing rows are signed (audit/clearing.py) and the database refuses a row whose cut-off is
later than its start minus its keep period, or whose start is more than an hour ahead of the database's clock.

The SQL is written out here, not imported, so this migration does the same for ever. Rows that exist already keep a
NULL keep period and signature: new rows cannot (the trigger refuses them), so verify_audit tells the two apart and
checks the old ones by the rule alone."""

from typing import Any

from django.db import migrations, models

MESSAGE = (
    "audit_clientdataclearing: a cut-off must be at least the keep period before the clearing starts, "
    "and it cannot start in the future"
)

GUARD_FORWARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_clientdataclearing_guard_insert BEFORE INSERT ON audit_clientdataclearing "
        "WHEN NOT COALESCE((NEW.keep_days >= 1 "
        "AND julianday(NEW.cleared_before) <= julianday(NEW.started_at) - NEW.keep_days "
        "AND julianday(NEW.started_at) <= julianday('now') + 1.0 / 24), 0) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION audit_clientdataclearing_guard() RETURNS trigger AS $$
            BEGIN
              IF NOT COALESCE(NEW.keep_days >= 1
                  AND NEW.cleared_before <= NEW.started_at - make_interval(days => NEW.keep_days)
                  AND NEW.started_at <= clock_timestamp() + interval '1 hour', false) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END;
            $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS audit_clientdataclearing_guard ON audit_clientdataclearing",
        "CREATE TRIGGER audit_clientdataclearing_guard BEFORE INSERT ON audit_clientdataclearing "
        "FOR EACH ROW EXECUTE FUNCTION audit_clientdataclearing_guard()",
    ],
}

GUARD_BACKWARDS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_clientdataclearing_guard_insert"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_clientdataclearing_guard ON audit_clientdataclearing",
        "DROP FUNCTION IF EXISTS audit_clientdataclearing_guard()",
    ],
}


def _statements(by_vendor: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in by_vendor:
            raise NotImplementedError(f"this migration is not written for {vendor}")
        for sql in by_vendor[vendor]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_client_data_clearing"),
    ]

    operations = [
        # Nullable, no default: SQLite adds them in place, so the table keeps its append-only triggers.
        migrations.AddField(
            model_name="clientdataclearing",
            name="keep_days",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="clientdataclearing",
            name="key_id",
            field=models.CharField(blank=True, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name="clientdataclearing",
            name="signature",
            field=models.CharField(blank=True, max_length=100, null=True),
        ),
        migrations.RunPython(_statements(GUARD_FORWARDS), _statements(GUARD_BACKWARDS)),
        # Checkpoints signed when migrate has run or the service starts (issue 25 item 13); choices only, no SQL.
        migrations.AlterField(
            model_name="auditcheckpoint",
            name="reason",
            field=models.CharField(
                choices=[
                    ("events", "Every N events"),
                    ("hourly", "Hourly"),
                    ("verify", "Chain check"),
                    ("setup", "At set-up"),
                ],
                max_length=10,
            ),
        ),
    ]
