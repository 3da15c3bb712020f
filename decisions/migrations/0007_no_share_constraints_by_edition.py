"""The 2024 edition's first layout is layout 1 of its own, so the two constraints about what a "do not share"
decision states now exempt only the 2018 edition's first layout (every existing version satisfies both, as
before). On SQLite, changing constraints rebuilds the versions table and drops its append-only triggers, so
they are put back at the end, as in 0003."""

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
