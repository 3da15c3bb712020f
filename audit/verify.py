"""Walk every chain, then compare it with every signed checkpoint, and report the first thing that does not fit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from . import checkpoints, keys
from .models import GENESIS_HASH, AuditEvent, ChainCheck, ChainHead, CheckpointReason, LegacyClearing

BATCH = 5000
NO_KEY_NOTE = "no checkpoint signing key is configured, so the chain is not anchored outside the database"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events_checked: int
    first_broken_event_id: int | None = None
    message: str = "OK"
    chain_key: str = ""


def event_problem(event: AuditEvent, cleared: LegacyClearing | None, trusted: dict[str, Any]) -> str | None:
    """Why this event's content does not match its hash, or None. The link to the event before is checked by the
    caller."""
    if event.format >= 2:
        if event.compute_hash() != event.hash:
            return "was changed after it was written"
        if event.client_salt:
            if event.compute_client_digest() != event.client_digest:
                return "had its address, browser or typed username changed"
        elif not event.client_cleared:
            return "had its address, browser or typed username changed"
        return None
    if event.compute_hash() == event.hash:
        return None
    if cleared is None:
        return "was changed after it was written"
    # A format-1 event whose address and browser were cleared: its clearing record vouches for the rest.
    if cleared.event_hash != event.hash or not event.client_cleared:
        return "was changed after it was written"
    if event.compute_hash(without_client=True) != cleared.rest_digest:
        return "was changed after its address and browser were cleared"
    public = trusted.get(cleared.key_id)
    if public is None or not keys.verify_signature(public, cleared.message(), cleared.signature):
        return "has a clearing record whose signature does not verify with a trusted key"
    return None


def _walk(chain_key: str, head: ChainHead | None, progress: Callable[[int], None]) -> tuple[int, ChainReport | None]:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    qs = AuditEvent.objects.filter(chain_key=chain_key).order_by("seq")
    last_seq = 0
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
            elif (why := event_problem(event, cleared.get(event.seq), trusted)) is not None:
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
    for key in keys_:
        checked, broken = _walk(key, heads.get(key), advance)
        done_before += checked
        total = done_before
        if broken is not None:
            report = ChainReport(False, total, broken.first_broken_event_id, broken.message, key)
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
