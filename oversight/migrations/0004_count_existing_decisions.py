"""Count the decisions and reviews made before the dashboard kept running counts.

Until 1.0.0 this called the live `oversight.summary.rebuild`, which uses today's models: on a database with
decisions, upgraded from 0.1.0, those models no longer match the schema at this point. The counts are derived
data, so they are now rebuilt after the whole migration instead (oversight/apps.py, `count_after_migrate`), by
the code that matches the schema then. A database that applied the old version has its counts already.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0004_decision_counts"),
        ("oversight", "0003_email_notifications"),
    ]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
