"""Search: a trigram index for partial name search on PostgreSQL, and an index for case references.

`LIKE '%part%'` on Person.search_name can use a GIN trigram index (pg_trgm) on PostgreSQL, so a name search
costs the same at a million people as at a thousand. SQLite has no such index; its LIKE scans the
organisation's people, which is fine at the sizes SQLite is used for (development and tests).
"""

from django.db import migrations, models
from django.db.models.functions import Upper

TRIGRAM_INDEX = "person_search_name_trgm"


def create_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON decisions_person USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other databases objects may use it, and it holds no data.
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0008_follow_up_and_recipient_agencies"),
    ]

    operations = [
        migrations.RunPython(create_trigram_index, drop_trigram_index),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(models.F("organisation"), Upper("case_reference"), name="decision_org_case_ref"),
        ),
    ]
