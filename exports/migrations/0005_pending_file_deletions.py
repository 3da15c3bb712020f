from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0004_subject_access_for_review"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingFileDeletion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file_name", models.CharField(max_length=200, unique=True)),
                ("queued_at", models.DateTimeField()),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_failed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"ordering": ["queued_at", "pk"]},
        ),
    ]
