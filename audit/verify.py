"""Walk every chain, then compare it with every signed checkpoint, and report the first thing that does not fit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from . import checkpoints, keys
from .models import (
    GENESIS_HASH,
    AuditCheckpoint,
    AuditEvent,
    ChainCheck,
    ChainHead,
    CheckpointReason,
    ClientDataClearing,
    LegacyClearing,
)

logger = logging.getLogger(__name__)
BATCH = 5000
NO_KEY_NOTE = "no checkpoint signing key is configured, so the chain is not anchored outside the database"

Progress = Callable[[int, int], None]
# Checks of what the chain vouches for outside itself, registered by the apps above this one (a lower app imports no
# higher one): e.g. retention/integrity.py recomputes every submitted version's content hash. Each returns a problem
# or None.
RecordCheck = Callable[[], "str | None"]
_record_checks: list[RecordCheck] = []


def register_record_check(check: RecordCheck) -> None:
    if check not in _record_checks:
        _record_checks.append(check)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events_checked: int
    first_broken_event_id: int | None = None
    message: str = "OK"
    chain_key: str = ""


# How far a clearing row's start may be ahead of this clock (the database's trigger allows the same).
CLOCK_SKEW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ClearingCheck:
    """The client-data clearing rows, checked: the latest cut-off they justify, or what is wrong with one."""

    cutoff: dt.datetime | None
    problem: str | None = None


def check_clearings(now: dt.datetime | None = None) -> ClearingCheck:
    """Every clearing row must be signed by a trusted key (rows from before signing, with no keep period, are
    checked by the rule alone with today's keep period), start no later than now, and have a cut-off no later than
    its start minus its keep period. A row a database writer inserted fails here, whatever it cleared."""
    now = now or timezone.now()
    trusted = keys.trusted_public_keys()
    signing = keys.has_signing_key()
    today_keep = int(getattr(settings, "AUDIT_CLIENT_DATA_KEEP_DAYS", 365))
    cutoff: dt.datetime | None = None
    for row in ClientDataClearing.objects.order_by("pk"):
        when = f"the client-data clearing of {row.started_at:%Y-%m-%d %H:%M} (row {row.pk})"
        if row.keep_days is None and not row.signature:
            keep = today_keep  # from before clearing rows were signed (migration 0005)
        elif row.signature:
            public = trusted.get(row.key_id or "")
            if public is None or not keys.verify_signature(public, row.message(), row.signature):
                return ClearingCheck(None, f"{when} has a signature that does not verify with a trusted key")
            keep = row.keep_days or 0
        elif signing:
            return ClearingCheck(None, f"{when} is not signed: it was not written by the service")
        else:
            keep = row.keep_days or 0
        if row.started_at > now + CLOCK_SKEW:
            return ClearingCheck(None, f"{when} starts in the future")
        if keep < 1 or row.cleared_before > row.started_at - dt.timedelta(days=keep):
            return ClearingCheck(None, f"{when} clears events younger than the {keep} days they are kept for")
        cutoff = row.cleared_before if cutoff is None else max(cutoff, row.cleared_before)
    return ClearingCheck(cutoff)


def event_problem(
    event: AuditEvent,
    cleared: LegacyClearing | None,
    trusted: dict[str, Any],
    cutoff: dt.datetime | None = None,
) -> str | None:
    """Why this event's content does not match its hash, or None. The link to the event before is checked by the
    caller. `cutoff`: events from then on must still hold their client data (see check_clearings)."""
    if event.format >= 2:
        if event.compute_hash() != event.hash:
            return "was changed after it was written"
        if event.client_salt:
            if event.compute_client_digest() != event.client_digest:
                return "had its address, browser or typed username changed"
        elif not event.client_cleared:
            return "had its address, browser or typed username changed"
        elif event.client_digest and (cutoff is None or event.occurred_at >= cutoff):
            return "had its address, browser or typed username cleared before its time"
        return None
    if event.compute_hash() == event.hash:
        return None
    if cleared is None:
        return "was changed after it was written"
    if cutoff is None or event.occurred_at >= cutoff:
        return "had its address and browser cleared before their time"
    # A format-1 event whose address and browser were cleared: its clearing record vouches for the rest.
    if cleared.event_hash != event.hash or not event.client_cleared:
        return "was changed after it was written"
    if event.compute_hash(without_client=True) != cleared.rest_digest:
        return "was changed after its address and browser were cleared"
    public = trusted.get(cleared.key_id)
    if public is None or not keys.verify_signature(public, cleared.message(), cleared.signature):
        return "has a clearing record whose signature does not verify with a trusted key"
    return None


def _walk(
    chain_key: str,
    head: ChainHead | None,
    progress: Callable[[int], None],
    cutoff: dt.datetime | None,
    start: tuple[int, str] = (0, GENESIS_HASH),
) -> tuple[int, ChainReport | None]:
    """Check the chain's events after `start` (a sequence number and its hash, already vouched for)."""
    last_seq, expected_prev = start
    expected_seq = last_seq + 1
    checked = 0
    qs = AuditEvent.objects.filter(chain_key=chain_key).order_by("seq")
    trusted = keys.trusted_public_keys()
    # Seek by seq in batches so a million events never sit in memory at once.
    while True:
        batch = list(qs.filter(seq__gt=last_seq)[:BATCH])
        if not batch:
            break
        cleared = {
            c.seq: c
            for c in LegacyClearing.objects.filter(chain_key=chain_key, seq__gte=batch[0].seq, seq__lte=batch[-1].seq)
        }
        for event in batch:
            checked += 1
            problem = None
            if event.seq != expected_seq:
                problem = f"event {event.pk} has sequence {event.seq}, expected {expected_seq} (an event is missing)"
            elif event.prev_hash != expected_prev:
                problem = f"event {event.pk} does not link to the event before it"
            elif (why := event_problem(event, cleared.get(event.seq), trusted, cutoff)) is not None:
                problem = f"event {event.pk} {why}"
            if problem:
                return checked, ChainReport(False, checked, event.pk, f"Chain {chain_key}: {problem}", chain_key)
            expected_prev = event.hash
            expected_seq += 1
            last_seq = event.seq
        progress(len(batch))
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return checked, ChainReport(
            False,
            checked,
            None,
            f"Chain {chain_key}: the newest events were removed (head is at {head.last_seq})",
            chain_key,
        )
    return checked, None


def events_to_check() -> int:
    return int(ChainHead.objects.aggregate(n=Sum("last_seq"))["n"] or 0)


def verify_chains(
    *, save: bool = True, progress: Progress | None = None, extra_logs: Iterable[Path] = ()
) -> ChainReport:
    """Every chain link and every checkpoint. When all hold, the heads are checkpointed (signed) again."""
    heads = {h.chain_key: h for h in ChainHead.objects.all()}
    keys_ = sorted(set(heads) | set(AuditEvent.objects.values_list("chain_key", flat=True).distinct()))
    total_expected = sum(h.last_seq for h in heads.values())
    total = 0
    report: ChainReport | None = None

    def advance(n: int) -> None:
        nonlocal total
        total += n
        if progress is not None:
            progress(total, max(total, total_expected))

    done_before = 0
    clearings = check_clearings()
    if clearings.problem is not None:
        report = ChainReport(False, 0, None, clearings.problem)
    for key in keys_ if report is None else []:
        checked, broken = _walk(key, heads.get(key), advance, clearings.cutoff)
        done_before += checked
        total = done_before
        if broken is not None:
            report = ChainReport(False, total, broken.first_broken_event_id, broken.message, key)
            break
    for check in _record_checks if report is None else []:
        record_problem = check()
        if record_problem is not None:
            report = ChainReport(False, total, None, record_problem)
            break
    if report is None:
        problem = checkpoints.verify_checkpoints(extra_logs=extra_logs)
        if problem is not None:
            report = ChainReport(False, total, None, problem.message, problem.chain_key)
    if report is None:
        chains = f"{len(keys_)} chain{'' if len(keys_) == 1 else 's'}"
        note = "" if keys.has_signing_key() else f" (warning: {NO_KEY_NOTE})"
        report = ChainReport(True, total, None, f"OK: {total} events in {chains}, checkpoints verified{note}")
        if save:
            # Only a chain that checked out is signed: a checkpoint must never vouch for a broken one.
            checkpoints.write_checkpoints(CheckpointReason.VERIFY)
    if save:
        ChainCheck.objects.create(
            checked_at=timezone.now(),
            ok=report.ok,
            events_checked=report.events_checked,
            first_broken_event_id=report.first_broken_event_id,
            message=report.message,
            chain_key=report.chain_key,
        )
    return report


def _latest_checkpoint(chain_key: str) -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.filter(chain_key=chain_key).order_by("-seq", "-pk").first()


def _check_since_checkpoint(head: ChainHead, cutoff: dt.datetime | None) -> ChainReport | None:
    """Check the events a new checkpoint of this chain would vouch for: from the last signed checkpoint (its
    signature verified and its event still holding its hash) to the head. None if they hold."""
    last = _latest_checkpoint(head.chain_key)
    start = (0, GENESIS_HASH)
    if last is not None:
        problem = checkpoints.verify_checkpoint_row(last)
        if problem:
            return ChainReport(False, 0, None, f"Chain {head.chain_key}: {problem}", head.chain_key)
        start = (last.seq, last.hash)
    _, broken = _walk(head.chain_key, head, lambda n: None, cutoff, start)
    return broken


def checkpoint_after_check(reason: str) -> tuple[list[AuditCheckpoint], ChainReport | None]:
    """Sign the head of every chain that moved since its last checkpoint, but only once the events the new
    checkpoints vouch for are checked (from each chain's last checkpoint on, so it costs what the hour added).
    If anything does not hold nothing is signed: the failure is logged and saved as a failed chain check, which
    admins see on the chain page. Returns the new checkpoints and the failure, if any."""
    if not keys.has_signing_key():
        return [], None
    clearings = check_clearings()
    failure = ChainReport(False, 0, None, clearings.problem) if clearings.problem else None
    moved = []
    for head in ChainHead.objects.order_by("chain_key") if failure is None else []:
        last = _latest_checkpoint(head.chain_key)
        if head.last_seq == 0 or (last is not None and last.seq >= head.last_seq):
            continue
        failure = _check_since_checkpoint(head, clearings.cutoff)
        if failure is not None:
            break
        moved.append(head.chain_key)
    if failure is not None:
        logger.error("Audit checkpoint refused: the chain does not check out. %s", failure.message)
        ChainCheck.objects.create(
            checked_at=timezone.now(),
            ok=False,
            events_checked=failure.events_checked,
            first_broken_event_id=failure.first_broken_event_id,
            message=f"Checkpoint refused: {failure.message}",
            chain_key=failure.chain_key,
        )
        return [], failure
    if not moved:
        return [], None
    return checkpoints.write_checkpoints(reason, chain_keys=moved), None
