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
    # The chain a failure was found in, so each organisation sees the details of its own chain only.
    chain_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'BROKEN'}"


class CheckpointReason(models.TextChoices):
    EVENTS = "events", "Every N events"
    HOURLY = "hourly", "Hourly"
    VERIFY = "verify", "Chain check"


CHECKPOINT_FORMAT = "sharing-decisions/audit-checkpoint/1"


class AuditCheckpoint(models.Model):
    """A signed statement that chain `chain_key` had `seq` events ending in `hash` at `signed_at`.

    Signed with a key that is not in the database (audit/keys.py) and also appended to a log outside it, so
    a chain re-hashed after the triggers were dropped, or a database restored from an older backup, no longer
    matches. Append-only, like the events.
    """

    chain_key = models.CharField(max_length=40)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    reason = models.CharField(max_length=10, choices=CheckpointReason.choices)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["chain_key", "-seq"], name="audit_checkpoint_chain_seq")]

    def __str__(self) -> str:
        return f"{self.chain_key} @ {self.seq} ({self.signed_at:%Y-%m-%d %H:%M})"

    def message(self) -> bytes:
        """The exact bytes signed: the same canonical JSON for the database row and the log line."""
        return checkpoint_message(self.chain_key, self.seq, self.hash, self.signed_at, self.key_id)


def checkpoint_message(chain_key: str, seq: int, hash_: str, signed_at: Any, key_id: str) -> bytes:
    at = signed_at if isinstance(signed_at, str) else signed_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {"format": CHECKPOINT_FORMAT, "chain": chain_key, "seq": seq, "hash": hash_, "at": at, "key": key_id}
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


class ChainCheckRun(models.Model):
    """A chain check asked for on the admin's page, run by the background worker, with its progress.

    The outcome is the ChainCheck row it writes at the end (append-only); this row only tracks the job.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    events_total = models.BigIntegerField(default=0)
    events_done = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    result = models.ForeignKey(ChainCheck, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at"], name="chain_check_run_org")]

    def __str__(self) -> str:
        return f"Chain check {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.events_total:
            return 0
        return min(100, int(self.events_done * 100 / self.events_total))
