"""Each organisation chooses the edition of the advice its new decisions are made under.

Organisations that exist now keep the 2018 edition their decisions have always used (the column is added with
that value), and only new organisations start on 2024 (the default changes after the rows are filled)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organisation_retention_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="guidance_edition",
            field=models.CharField(
                choices=[
                    ("2018", "July 2018 advice, with the local procedure built on it"),
                    ("2024", "May 2024 advice, read with Working Together to Safeguard Children 2023"),
                ],
                default="2018",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="organisation",
            name="guidance_edition",
            field=models.CharField(
                choices=[
                    ("2018", "July 2018 advice, with the local procedure built on it"),
                    ("2024", "May 2024 advice, read with Working Together to Safeguard Children 2023"),
                ],
                default="2024",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(("guidance_edition__in", ["2018", "2024"])),
                name="organisation_guidance_edition_valid",
            ),
        ),
    ]
