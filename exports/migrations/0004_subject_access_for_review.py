"""Subject access bundles count the records in their review-before-release folder (issue 25 item 6)."""

from django.db import migrations, models
from django.db.models import F


def bundles_before_count_their_third_party_records(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Older bundles split only the records naming other people: those were the ones to review.
    apps.get_model("exports", "SubjectAccessRequest").objects.update(for_review=F("naming_others"))


class Migration(migrations.Migration):
    dependencies = [("exports", "0003_subject_access_requests")]

    operations = [
        migrations.AddField(
            model_name="subjectaccessrequest",
            name="for_review",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(bundles_before_count_their_third_party_records, migrations.RunPython.noop),
    ]
