"""Signed checkpoints of each chain's head: the audit trail's anchor outside the database.

Someone who can drop the triggers can edit an event and re-hash every event after it; the chain then links
up again. What they cannot do without the signing key (audit/keys.py) is sign a checkpoint for the new
hashes, nor remove the copy of each checkpoint appended to the checkpoint log outside the database. So
`verify_audit` compares the chain with every signed checkpoint, from the database and from the log.

Checkpoints are written every `AUDIT_CHECKPOINT_EVERY` events (inside the transaction of the event that
reaches the count), every hour by the worker (audit/tasks.py), and at every chain check that passes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import keys
from .models import AuditCheckpoint, AuditEvent, ChainHead, CheckpointReason, checkpoint_message

logger = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
SYSLOG_TAG = "sharing-decisions-audit-checkpoint: "


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as read back, from a database row or a log line."""

    chain_key: str
    seq: int
    hash: str
    signed_at: str
    key_id: str
    signature: str
    source: str

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> Checkpoint:
        return cls(
            row.chain_key,
            row.seq,
            row.hash,
            row.signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            row.key_id,
            row.signature,
            "database",
        )

    def message(self) -> bytes:
        return checkpoint_message(self.chain_key, self.seq, self.hash, self.signed_at, self.key_id)

    @property
    def when(self) -> str:
        at = dt.datetime.fromisoformat(self.signed_at).astimezone(LONDON)
        return f"{at:%-d %B %Y, %H:%M:%S} (UK time)"


def checkpoint_every() -> int:
    return max(1, int(getattr(settings, "AUDIT_CHECKPOINT_EVERY", 1000)))


def log_path() -> Path | None:
    path = getattr(settings, "AUDIT_CHECKPOINT_LOG", "") or ""
    return Path(path) if path else None


def _log_line(row: AuditCheckpoint) -> str:
    cp = Checkpoint.from_row(row)
    return json.dumps(
        {
            "chain": cp.chain_key,
            "seq": cp.seq,
            "hash": cp.hash,
            "at": cp.signed_at,
            "key": cp.key_id,
            "sig": cp.signature,
            "reason": row.reason,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


_syslog: logging.Logger | None = None


def _syslog_logger() -> logging.Logger | None:
    """A logger that sends checkpoint lines to syslog when AUDIT_CHECKPOINT_SYSLOG is set ("/dev/log" or
    "host:port"), e.g. to a log host the database administrator cannot write to."""
    global _syslog
    address = getattr(settings, "AUDIT_CHECKPOINT_SYSLOG", "") or ""
    if not address:
        return None
    if _syslog is None:
        host, _, port = address.rpartition(":")
        target: Any = (host, int(port)) if host and port.isdigit() else address
        handler = logging.handlers.SysLogHandler(address=target, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV)
        handler.setFormatter(logging.Formatter(SYSLOG_TAG + "%(message)s"))
        _syslog = logging.getLogger("audit.checkpoint.syslog")
        _syslog.propagate = False
        _syslog.addHandler(handler)
        _syslog.setLevel(logging.INFO)
    return _syslog


def append_to_log(lines: Iterable[str]) -> None:
    """Append checkpoint lines to the file (fsync'd) and to syslog, as configured."""
    lines = list(lines)
    if not lines:
        return
    path = log_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
            f.flush()
            import os

            os.fsync(f.fileno())
    syslog = _syslog_logger()
    if syslog is not None:
        for line in lines:
            syslog.info(line)


def read_log(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints in a log file, and the lines that are not checkpoints (reported as problems)."""
    checkpoints, bad = [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            text = line.strip()
            if SYSLOG_TAG.strip() in text:  # a copy taken from syslog
                text = text.split(SYSLOG_TAG.strip(), 1)[1].strip()
            if not text:
                continue
            try:
                data = json.loads(text)
                checkpoints.append(
                    Checkpoint(
                        str(data["chain"]),
                        int(data["seq"]),
                        str(data["hash"]),
                        str(data["at"]),
                        str(data["key"]),
                        str(data["sig"]),
                        f"{path.name} line {number}",
                    )
                )
            except (ValueError, KeyError, TypeError):
                bad.append(f"{path.name} line {number}")
    return checkpoints, bad


def _sign(head: ChainHead, reason: str, now: dt.datetime) -> AuditCheckpoint:
    key = keys.signing_key()
    row = AuditCheckpoint(
        chain_key=head.chain_key,
        seq=head.last_seq,
        hash=head.last_hash,
        signed_at=now,
        reason=reason,
        key_id=key.key_id,
    )
    row.signature = key.sign(row.message())
    row.save(force_insert=True)
    return row


def after_event(head: ChainHead) -> None:
    """Called by audit.services.record under the chain-head lock: every N events, sign the head. The log
    line is written when the transaction commits, so a rolled-back event never reaches the log."""
    if head.last_seq % checkpoint_every() or not keys.has_signing_key():
        return
    row = _sign(head, CheckpointReason.EVENTS, timezone.now())
    transaction.on_commit(partial(append_to_log, [_log_line(row)]), robust=True)


def write_checkpoints(reason: str, *, chain_keys: Iterable[str] | None = None) -> list[AuditCheckpoint]:
    """Sign the head of every chain that has moved since its last checkpoint. Returns the new rows."""
    if not keys.has_signing_key():
        return []
    wanted = set(chain_keys) if chain_keys is not None else None
    written = []
    now = timezone.now()
    with transaction.atomic():
        for head in ChainHead.objects.order_by("chain_key"):
            if wanted is not None and head.chain_key not in wanted:
                continue
            if head.last_seq == 0:
                continue
            last = AuditCheckpoint.objects.filter(chain_key=head.chain_key).order_by("-seq", "-pk").first()
            if last is not None and last.seq >= head.last_seq:
                continue
            written.append(_sign(head, reason, now))
    transaction.on_commit(partial(append_to_log, [_log_line(r) for r in written]), robust=True)
    return written


@dataclass(frozen=True)
class CheckpointProblem:
    chain_key: str
    message: str


def _check_one(
    cp: Checkpoint, trusted: dict[str, Any], events: dict[tuple[str, int], str], heads: dict[str, int]
) -> str:
    public = trusted.get(cp.key_id)
    if public is None:
        return (
            f"the checkpoint of {cp.when} in the {cp.source} is signed by an unknown key ({cp.key_id}); "
            "if the key was rotated, add the old public key to AUDIT_TRUSTED_PUBLIC_KEYS_FILE"
        )
    if not keys.verify_signature(public, cp.message(), cp.signature):
        return f"the checkpoint of {cp.when} in the {cp.source} has a signature that does not verify"
    actual = events.get((cp.chain_key, cp.seq))
    if actual is None:
        now_at = heads.get(cp.chain_key, 0)
        return (
            f"does not match the signed checkpoint of {cp.when}: chain {cp.chain_key} had {cp.seq} events then "
            f"and has {now_at} now (events were removed, or the database was restored from an older backup)"
        )
    if actual != cp.hash:
        return (
            f"does not match the signed checkpoint of {cp.when}: event {cp.seq} of chain {cp.chain_key} was "
            f"signed with hash {cp.hash[:12]}… and now has {actual[:12]}… (the chain was rewritten)"
        )
    return ""


def verify_checkpoint_row(row: AuditCheckpoint) -> str:
    """What is wrong with one checkpoint row (its signature, or the event it names), or ""."""
    cp = Checkpoint.from_row(row)
    event_hash = AuditEvent.objects.filter(chain_key=cp.chain_key, seq=cp.seq).values_list("hash", flat=True).first()
    events = {(cp.chain_key, cp.seq): event_hash} if event_hash is not None else {}
    heads = dict(ChainHead.objects.filter(chain_key=cp.chain_key).values_list("chain_key", "last_seq"))
    return _check_one(cp, keys.trusted_public_keys(), events, heads)


def verify_checkpoints(*, extra_logs: Iterable[Path] = ()) -> CheckpointProblem | None:
    """Check every checkpoint (database rows and log lines) against the chains. None if all hold."""
    checkpoints = [Checkpoint.from_row(r) for r in AuditCheckpoint.objects.order_by("chain_key", "seq", "pk")]
    in_database = {(c.chain_key, c.seq, c.hash, c.signature) for c in checkpoints}
    logs = [p for p in [log_path(), *extra_logs] if p is not None]
    logged_chains: set[str] = set()
    for path in logs:
        if not path.exists():
            continue
        from_log, bad = read_log(path)
        if bad:
            return CheckpointProblem("", f"the checkpoint log has lines that are not checkpoints: {', '.join(bad[:5])}")
        logged_chains.update(c.chain_key for c in from_log)
        checkpoints.extend(c for c in from_log if (c.chain_key, c.seq, c.hash, c.signature) not in in_database)
    if not checkpoints:
        return None
    trusted = keys.trusted_public_keys()
    heads = dict(ChainHead.objects.values_list("chain_key", "last_seq"))
    wanted: dict[str, set[int]] = {}
    for cp in checkpoints:
        wanted.setdefault(cp.chain_key, set()).add(cp.seq)
    events: dict[tuple[str, int], str] = {}
    for chain_key, seqs in wanted.items():
        ordered = sorted(seqs)
        for i in range(0, len(ordered), 1000):
            rows = AuditEvent.objects.filter(chain_key=chain_key, seq__in=ordered[i : i + 1000]).values_list(
                "seq", "hash"
            )
            events.update({(chain_key, seq): h for seq, h in rows})
    for cp in checkpoints:
        problem = _check_one(cp, trusted, events, heads)
        if problem:
            return CheckpointProblem(cp.chain_key, problem)
    # A log that exists but knows nothing of chains the database has checkpoints for: the database was
    # restored, or pointed at, without its log.
    if log_path() is not None:
        missing = sorted({c.chain_key for c in checkpoints if c.source == "database"} - logged_chains)
        if missing:
            return CheckpointProblem(
                missing[0],
                f"the checkpoint log {log_path()} has no checkpoint of chain {missing[0]}, which the database has "
                "(was the database restored or moved without its checkpoint log?)",
            )
    return None
