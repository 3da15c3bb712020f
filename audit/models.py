"""The tamper-evident audit trail.

Each organisation has its own hash chain: every event stores the previous event's hash and its own SHA-256
over a canonical serialisation, so editing, removing or reordering an event breaks the chain. The database
itself refuses UPDATE and DELETE on the event table (see migration 0002).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "global"


def chain_key_for(organisation_id: int | None) -> str:
    return f"org:{organisation_id}" if organisation_id else GLOBAL_CHAIN


class ChainHead(models.Model):
    """The last link of one chain. Writers lock this row, so concurrent events queue up in order."""

    chain_key = models.CharField(max_length=40, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain_key} @ {self.last_seq}"


class AuditEvent(models.Model):
    chain_key = models.CharField(max_length=40)
    seq = models.BigIntegerField()
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The username at the time, kept so the record reads the same if the account is renamed.
    actor_label = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    # A decision's reference, when the event concerns one, so the log can be filtered by it.
    target_ref = models.CharField(max_length=40, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "seq"], name="audit_event_seq_unique_in_chain"),
        ]
        indexes = [
            # Keyset pagination of one organisation's log, newest first.
            models.Index(fields=["organisation", "-id"], name="audit_org_id_desc"),
            models.Index(fields=["organisation", "target_ref", "-id"], name="audit_org_ref"),
            models.Index(fields=["organisation", "action", "-id"], name="audit_org_action"),
            models.Index(fields=["organisation", "actor", "-id"], name="audit_org_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def canonical_payload(self) -> dict[str, Any]:
        return {
            "chain": self.chain_key,
            "seq": self.seq,
            "at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "org": self.organisation_id,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_ref": self.target_ref,
            "details": self.details,
            "ip": self.ip_address,
            "ua": self.user_agent,
            "prev": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.canonical_payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ChainCheck(models.Model):
    """The outcome of each `verify_audit` run, shown to admins."""

    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    events_checked = models.BigIntegerField()
    first_broken_event_id = models.BigIntegerField(null=True, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'BROKEN'}"
