"""Issue 25 item 8: on PostgreSQL a database writer could insert a disposal permit, set `app.disposal` to its token
and rewrite a submitted version's answers, keeping its hash. The disposal path now lets through only what disposal
writes: answers `{"disposed": true}`, the fixed text where an amendment reason or a returned review's comment was,
and (if a later release clears them) no recipient agencies. Every other column stays as it was.

The SQL is written out here so this migration does the same for ever. It replaces what 0001 installed (the reverse
puts that back) and depends on decisions 0009, so nothing after it rebuilds the versions table on SQLite.
"""

from typing import Any

from django.db import migrations

FORWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_update",
        "CREATE TRIGGER decisions_decisionversion_no_update BEFORE UPDATE ON decisions_decisionversion WHEN NOT COALESCE((NEW.id IS OLD.id AND NEW.decision_id IS OLD.decision_id AND NEW.number IS OLD.number AND NEW.edition IS OLD.edition AND NEW.layout IS OLD.layout AND NEW.content_hash IS OLD.content_hash AND NEW.submitted_at IS OLD.submitted_at AND NEW.submitted_by_id IS OLD.submitted_by_id AND NEW.previous_id IS OLD.previous_id AND NEW.outcome IS OLD.outcome AND NEW.consent_status IS OLD.consent_status AND NEW.consent_not_sought_reasons IS OLD.consent_not_sought_reasons AND NEW.lawful_basis IS OLD.lawful_basis AND NEW.special_category IS OLD.special_category AND NEW.special_category_condition IS OLD.special_category_condition AND NEW.sharing_method IS OLD.sharing_method AND json_valid(NEW.answers) AND json(NEW.answers) = '{\"disposed\":true}' AND (NEW.amendment_reason IS OLD.amendment_reason OR NEW.amendment_reason IS (CASE WHEN OLD.number = 1 THEN '' ELSE 'Removed on disposal' END)) AND (NEW.recipient_agencies IS OLD.recipient_agencies OR NEW.recipient_agencies = '') AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = app_disposal_token())), 0) BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_decisionversion rows cannot be changed or removed'); END",
        "DROP TRIGGER IF EXISTS oversight_review_no_update",
        "CREATE TRIGGER oversight_review_no_update BEFORE UPDATE ON oversight_review WHEN NOT COALESCE((NEW.id IS OLD.id AND NEW.decision_id IS OLD.decision_id AND NEW.version_id IS OLD.version_id AND NEW.reviewer_id IS OLD.reviewer_id AND NEW.outcome IS OLD.outcome AND NEW.created_at IS OLD.created_at AND (NEW.comment IS OLD.comment OR NEW.comment IS (CASE WHEN OLD.outcome = 'return' THEN 'Removed on disposal' ELSE '' END)) AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = app_disposal_token())), 0) BEGIN SELECT RAISE(ABORT, 'append-only table: oversight_review rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION decisions_decisionversion_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND (NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.decision_id IS NOT DISTINCT FROM OLD.decision_id AND NEW.number IS NOT DISTINCT FROM OLD.number AND NEW.edition IS NOT DISTINCT FROM OLD.edition AND NEW.layout IS NOT DISTINCT FROM OLD.layout AND NEW.content_hash IS NOT DISTINCT FROM OLD.content_hash AND NEW.submitted_at IS NOT DISTINCT FROM OLD.submitted_at AND NEW.submitted_by_id IS NOT DISTINCT FROM OLD.submitted_by_id AND NEW.previous_id IS NOT DISTINCT FROM OLD.previous_id AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome AND NEW.consent_status IS NOT DISTINCT FROM OLD.consent_status AND NEW.consent_not_sought_reasons IS NOT DISTINCT FROM OLD.consent_not_sought_reasons AND NEW.lawful_basis IS NOT DISTINCT FROM OLD.lawful_basis AND NEW.special_category IS NOT DISTINCT FROM OLD.special_category AND NEW.special_category_condition IS NOT DISTINCT FROM OLD.special_category_condition AND NEW.sharing_method IS NOT DISTINCT FROM OLD.sharing_method AND NEW.answers = '{"disposed": true}'::jsonb AND (NEW.amendment_reason = OLD.amendment_reason OR NEW.amendment_reason = (CASE WHEN OLD.number = 1 THEN '' ELSE 'Removed on disposal' END)) AND (NEW.recipient_agencies = OLD.recipient_agencies OR NEW.recipient_agencies = '') AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = current_setting('app.disposal', true))) THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION 'append-only table: decisions_decisionversion rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE FUNCTION oversight_review_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND (NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.decision_id IS NOT DISTINCT FROM OLD.decision_id AND NEW.version_id IS NOT DISTINCT FROM OLD.version_id AND NEW.reviewer_id IS NOT DISTINCT FROM OLD.reviewer_id AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at AND (NEW.comment = OLD.comment OR NEW.comment = (CASE WHEN OLD.outcome = 'return' THEN 'Removed on disposal' ELSE '' END)) AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = current_setting('app.disposal', true))) THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION 'append-only table: oversight_review rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql""",
    ],
}

# What 0001 installed, put back on the way down.
BACKWARDS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS decisions_decisionversion_no_update",
        "CREATE TRIGGER decisions_decisionversion_no_update BEFORE UPDATE ON decisions_decisionversion WHEN NOT (NEW.id IS OLD.id AND NEW.decision_id IS OLD.decision_id AND NEW.number IS OLD.number AND NEW.edition IS OLD.edition AND NEW.layout IS OLD.layout AND NEW.content_hash IS OLD.content_hash AND NEW.submitted_at IS OLD.submitted_at AND NEW.submitted_by_id IS OLD.submitted_by_id AND NEW.previous_id IS OLD.previous_id AND NEW.outcome IS OLD.outcome AND NEW.consent_status IS OLD.consent_status AND NEW.lawful_basis IS OLD.lawful_basis AND NEW.special_category IS OLD.special_category AND NEW.sharing_method IS OLD.sharing_method AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = app_disposal_token())) BEGIN SELECT RAISE(ABORT, 'append-only table: decisions_decisionversion rows cannot be changed or removed'); END",
        "DROP TRIGGER IF EXISTS oversight_review_no_update",
        "CREATE TRIGGER oversight_review_no_update BEFORE UPDATE ON oversight_review WHEN NOT (NEW.id IS OLD.id AND NEW.decision_id IS OLD.decision_id AND NEW.version_id IS OLD.version_id AND NEW.reviewer_id IS OLD.reviewer_id AND NEW.outcome IS OLD.outcome AND NEW.created_at IS OLD.created_at AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = app_disposal_token())) BEGIN SELECT RAISE(ABORT, 'append-only table: oversight_review rows cannot be changed or removed'); END",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION decisions_decisionversion_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND (NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.decision_id IS NOT DISTINCT FROM OLD.decision_id AND NEW.number IS NOT DISTINCT FROM OLD.number AND NEW.edition IS NOT DISTINCT FROM OLD.edition AND NEW.layout IS NOT DISTINCT FROM OLD.layout AND NEW.content_hash IS NOT DISTINCT FROM OLD.content_hash AND NEW.submitted_at IS NOT DISTINCT FROM OLD.submitted_at AND NEW.submitted_by_id IS NOT DISTINCT FROM OLD.submitted_by_id AND NEW.previous_id IS NOT DISTINCT FROM OLD.previous_id AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome AND NEW.consent_status IS NOT DISTINCT FROM OLD.consent_status AND NEW.lawful_basis IS NOT DISTINCT FROM OLD.lawful_basis AND NEW.special_category IS NOT DISTINCT FROM OLD.special_category AND NEW.sharing_method IS NOT DISTINCT FROM OLD.sharing_method AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = current_setting('app.disposal', true))) THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION 'append-only table: decisions_decisionversion rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE FUNCTION oversight_review_append_only() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND (NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.decision_id IS NOT DISTINCT FROM OLD.decision_id AND NEW.version_id IS NOT DISTINCT FROM OLD.version_id AND NEW.reviewer_id IS NOT DISTINCT FROM OLD.reviewer_id AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at AND EXISTS (SELECT 1 FROM retention_disposalpermit p WHERE p.decision_id = OLD.decision_id AND p.token = current_setting('app.disposal', true))) THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION 'append-only table: oversight_review rows cannot be changed or removed' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql""",
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
        ("retention", "0001_retention_holds_disposal"),
        ("decisions", "0009_person_name_trigram_and_case_reference"),
        ("oversight", "0004_count_existing_decisions"),
    ]

    operations = [
        migrations.RunPython(_statements(FORWARDS), _statements(BACKWARDS)),
    ]
