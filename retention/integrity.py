"""verify_audit's check of the records themselves: every submitted version's content hash is recomputed from what
it holds and compared with the hash its submission recorded in the chain.

A database writer who gets past the triggers (issue 25 item 8: a forged disposal permit on PostgreSQL) and rewrites
a version's answers, keeping its hash, is found here. A disposed record's versions hold no answers any more: their
hashes are checked against the chain only, and answers emptied as disposal empties them are a problem unless the
record has its tombstone.
"""

from __future__ import annotations

from audit import actions
from audit.models import AuditEvent
from decisions.models import DecisionVersion

from .models import Tombstone

BATCH = 2000
DISPOSED_ANSWERS = {"disposed": True}


def versions_problem() -> str | None:
    """The first submitted version that does not match its hash or its submission event, or None."""
    disposed = set(Tombstone.objects.values_list("decision_id", flat=True))
    last_pk = 0
    while True:
        batch = list(
            DecisionVersion.objects.filter(pk__gt=last_pk).select_related("decision", "previous").order_by("pk")[:BATCH]
        )
        if not batch:
            return None
        submitted: dict[tuple[str, int], str] = {}
        events = AuditEvent.objects.filter(
            action=actions.DECISION_SUBMIT, target_id__in={str(v.decision_id) for v in batch}
        ).values_list("target_id", "details")
        for target_id, details in events:
            if isinstance(details, dict) and details.get("content_hash") and isinstance(details.get("version"), int):
                submitted[(target_id, details["version"])] = details["content_hash"]
        for version in batch:
            where = f"Version {version.number} of {version.decision.reference}"
            if version.decision_id not in disposed:
                if version.answers == DISPOSED_ANSWERS:
                    return f"{where} had its answers removed without a disposal"
                if version.compute_content_hash() != version.content_hash:
                    return f"{where} does not match its content hash: what it holds was changed after it was submitted"
            recorded = submitted.get((str(version.decision_id), version.number))
            if recorded is not None and recorded != version.content_hash:
                return f"{where} has a content hash other than the one its submission recorded in the audit trail"
        last_pk = batch[-1].pk
