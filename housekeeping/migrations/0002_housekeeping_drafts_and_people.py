"""Housekeeping counts the discarded drafts it purges and the people rows it removes (issue 25 item 7)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("housekeeping", "0001_housekeeping_runs")]

    operations = [
        migrations.AddField(
            model_name="housekeepingrun",
            name="drafts_purged",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="housekeepingrun",
            name="people_removed",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
