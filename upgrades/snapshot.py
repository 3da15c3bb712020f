# Run by an earlier release's own `manage.py shell -c` (upgrades/run.py): what it holds, read with its own code,
# for upgrades/after.py to compare once this checkout has migrated the database. Only fields every release has.
import json
import os

from audit.models import AuditEvent
from decisions.models import Decision, DecisionVersion

decisions = {}
for decision in Decision.objects.select_related("organisation").order_by("pk"):
    decisions[decision.reference] = {
        "organisation": decision.organisation.slug,
        "status": decision.status,
        "review_status": decision.review_status,
        "versions": {
            str(number): content_hash
            for number, content_hash in DecisionVersion.objects.filter(decision=decision).values_list(
                "number", "content_hash"
            )
        },
    }
snapshot = {"decisions": decisions, "events": AuditEvent.objects.count()}
with open(os.environ["UPGRADE_SNAPSHOT"], "w", encoding="utf-8") as out:
    json.dump(snapshot, out, indent=1)
