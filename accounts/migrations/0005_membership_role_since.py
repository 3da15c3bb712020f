"""Issue 25 item 2: when each membership's current role was given, so a new admin cannot approve a disposal at
once. Existing memberships are taken to have held their role since they were made (nothing better is known)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_organisation_guidance_edition"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="role_since",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(
            "UPDATE accounts_membership SET role_since = created_at WHERE role_since IS NULL",
            migrations.RunSQL.noop,
        ),
    ]
