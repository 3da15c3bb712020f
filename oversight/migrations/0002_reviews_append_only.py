from django.db import migrations

from audit.append_only import operations


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [operations("oversight_review")]
