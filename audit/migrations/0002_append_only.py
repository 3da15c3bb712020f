from django.db import migrations

from audit.append_only import operations


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [operations("audit_auditevent")]
