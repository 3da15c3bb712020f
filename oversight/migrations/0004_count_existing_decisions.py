"""Count the decisions and reviews made before the dashboard kept running counts."""

from typing import Any

from django.db import migrations


def count_existing(apps: Any, schema_editor: Any) -> None:
    # Only where there is something to count: a fresh database (tests, a new install) has nothing, and the
    # rebuild uses today's models, which a much later schema may no longer match at this point.
    if not apps.get_model("decisions", "Decision").objects.filter(status="submitted").exists():
        return
    from oversight.summary import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0004_decision_counts"),
        ("oversight", "0003_email_notifications"),
    ]
    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
