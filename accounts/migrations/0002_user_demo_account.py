from typing import Any

from django.db import migrations, models

# The accounts seed_demo made before it marked them: its usernames with its example.org addresses
# (example.org is reserved for examples, so no real person has one).
DEMO_USERNAMES = [
    f"{role}.{place}" for role in ("practitioner", "supervisor", "admin", "auditor") for place in ("north", "south")
]


def mark_earlier_demo_accounts(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    for username in DEMO_USERNAMES:
        User.objects.filter(username=username, email=f"{username}@example.org").update(demo_account=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="demo_account",
            field=models.BooleanField(
                default=False, editable=False, help_text="Made by manage.py seed_demo for the demonstration."
            ),
        ),
        migrations.RunPython(mark_earlier_demo_accounts, migrations.RunPython.noop),
    ]
