from django.db import migrations

from audit.append_only import operations


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [operations("decisions_decisionversion")]
