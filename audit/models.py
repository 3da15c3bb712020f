"""The tamper-evident audit trail.

Each organisation has its own hash chain: every event stores the previous event's hash and its own SHA-256
over a canonical serialisation, so editing, removing or reordering an event breaks the chain. The database
itself refuses UPDATE and DELETE on the event table (see migration 0002).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64
# Format 1 (a NULL payload_format: every event written before 2026-11-26) hashed the raw address and browser; format
# 2 hashes a salted digest of them instead, so they can be cleared without breaking the chain (audit/clearing.py).
PAYLOAD_FORMAT = 2
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
    # What the client sent: kept for a while (AUDIT_CLIENT_DATA_KEEP_DAYS), then cleared by housekeeping. From format
    # 2 the hash covers only `client_digest`, an HMAC of them under `client_salt`, a random key cleared with them,
    # so what is left after clearing cannot be guessed back (an unkeyed hash of an IPv4 address could be).
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # A username typed at sign-in that is nobody's account (it may be an email address, or a password typed into
    # the wrong box): client data too, never in the hashed payload.
    # NULL, not "", in these new columns: SQLite adds a column with no default in place, where a default would rebuild
    # the table and lose its append-only triggers; and NULL marks what events before format 2 never had.
    typed_username = models.CharField(max_length=150, null=True, blank=True)  # noqa: DJ001
    client_salt = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    client_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    payload_format = models.PositiveSmallIntegerField(null=True, blank=True)
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

    @property
    def format(self) -> int:
        return self.payload_format or 1

    @property
    def client_cleared(self) -> bool:
        return self.ip_address is None and not self.user_agent and not self.typed_username and not self.client_salt

    def client_values(self) -> dict[str, Any]:
        return {"ip": self.ip_address, "ua": self.user_agent, "username": self.typed_username or ""}

    def compute_client_digest(self) -> str:
        """HMAC-SHA256 of what the client sent, under this event's own salt; empty when it sent nothing."""
        values = self.client_values()
        if not any(values.values()):
            return ""
        message = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return hmac.new(bytes.fromhex(self.client_salt or ""), message, hashlib.sha256).hexdigest()

    def canonical_payload(self, *, without_client: bool = False) -> dict[str, Any]:
        """The hashed content. `without_client` (format 1 only): the same with the address and browser left out,
        which is what a format-1 event's clearing record vouches for once they are cleared."""
        payload = {
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
            "prev": self.prev_hash,
        }
        if self.format >= 2:
            payload |= {"format": self.format, "client": self.client_digest or ""}
        elif not without_client:
            payload |= {"ip": self.ip_address, "ua": self.user_agent}
        return payload

    def compute_hash(self, *, without_client: bool = False) -> str:
        payload = self.canonical_payload(without_client=without_client)
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


CLIENT_DATA_CLEARING_FORMAT = "sharing-decisions/audit-client-data-clearing/1"


class ClientDataClearing(models.Model):
    """One clearing of the client data (address, browser, typed username) of the events older than
    `cleared_before`. The database lets those columns be emptied, and nothing else changed, only for events older
    than the newest row here (migration 0004), so clearing cannot happen by accident. Append-only.

    Since migration 0005 each row is signed with the checkpoint key, and the database refuses a row whose cut-off is
    later than its start minus `keep_days`, or whose start is in the future: a database writer cannot open clearing
    of recent events, and `verify_audit` fails on a row it did not sign. Rows from before 0005 have no `keep_days`
    and no signature: they are checked by the rule alone, with today's keep period (audit/verify.py)."""

    cleared_before = models.DateTimeField()
    started_at = models.DateTimeField()
    # NULL only in rows from before migration 0005 (a column added in place keeps SQLite's triggers).
    keep_days = models.PositiveIntegerField(null=True, blank=True)
    key_id = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
    signature = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    def __str__(self) -> str:
        return f"Client data cleared before {self.cleared_before:%Y-%m-%d}"

    def message(self) -> bytes:
        payload = {
            "format": CLIENT_DATA_CLEARING_FORMAT,
            "before": self.cleared_before.astimezone(UTC).isoformat(timespec="microseconds"),
            "started": self.started_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "keep_days": self.keep_days,
            "key": self.key_id,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


CLEARING_FORMAT = "sharing-decisions/audit-client-data-cleared/1"


class LegacyClearing(models.Model):
    """A format-1 event's address and browser were cleared. Its hash covered them, so it can no longer be
    recomputed; instead this row, signed with the checkpoint key (audit/keys.py) after the event was checked,
    vouches for the event's hash and for a digest of the rest of its content, which the chain check recomputes.
    Append-only."""

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="+")
    chain_key = models.CharField(max_length=40)
    seq = models.BigIntegerField()
    event_hash = models.CharField(max_length=64)
    # SHA-256 of the event's canonical payload without "ip" and "ua".
    rest_digest = models.CharField(max_length=64)
    cleared_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["chain_key", "seq"], name="audit_legacy_clearing_seq")]

    def __str__(self) -> str:
        return f"{self.chain_key} event {self.seq} cleared"

    def message(self) -> bytes:
        at = self.cleared_at.astimezone(UTC).isoformat(timespec="microseconds")
        payload = {
            "format": CLEARING_FORMAT,
            "chain": self.chain_key,
            "seq": self.seq,
            "hash": self.event_hash,
            "rest": self.rest_digest,
            "at": at,
            "key": self.key_id,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


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
    SETUP = "setup", "At set-up"


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
