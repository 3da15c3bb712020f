"""Walk every chain and report the first event that does not fit."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .models import GENESIS_HASH, AuditEvent, ChainCheck, ChainHead

BATCH = 5000


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events_checked: int
    first_broken_event_id: int | None = None
    message: str = "OK"


def _walk(chain_key: str, head: ChainHead | None) -> tuple[int, ChainReport | None]:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    qs = AuditEvent.objects.filter(chain_key=chain_key).order_by("seq")
    last_seq = 0
    # Seek by seq in batches so a million events never sit in memory at once.
    while True:
        batch = list(qs.filter(seq__gt=last_seq)[:BATCH])
        if not batch:
            break
        for event in batch:
            checked += 1
            problem = None
            if event.seq != expected_seq:
                problem = f"event {event.pk} has sequence {event.seq}, expected {expected_seq} (an event is missing)"
            elif event.prev_hash != expected_prev:
                problem = f"event {event.pk} does not link to the event before it"
            elif event.compute_hash() != event.hash:
                problem = f"event {event.pk} was changed after it was written"
            if problem:
                return checked, ChainReport(False, checked, event.pk, f"Chain {chain_key}: {problem}")
            expected_prev = event.hash
            expected_seq += 1
            last_seq = event.seq
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return checked, ChainReport(
            False,
            checked,
            None,
            f"Chain {chain_key}: the newest events were removed (head is at {head.last_seq})",
        )
    return checked, None


def verify_chains(*, save: bool = True) -> ChainReport:
    heads = {h.chain_key: h for h in ChainHead.objects.all()}
    keys = sorted(set(heads) | set(AuditEvent.objects.values_list("chain_key", flat=True).distinct()))
    total = 0
    report: ChainReport | None = None
    for key in keys:
        checked, broken = _walk(key, heads.get(key))
        total += checked
        if broken is not None:
            report = ChainReport(False, total, broken.first_broken_event_id, broken.message)
            break
    if report is None:
        report = ChainReport(
            True, total, None, f"OK: {total} events in {len(keys)} chain{'' if len(keys) == 1 else 's'}"
        )
    if save:
        ChainCheck.objects.create(
            checked_at=timezone.now(),
            ok=report.ok,
            events_checked=report.events_checked,
            first_broken_event_id=report.first_broken_event_id,
            message=report.message,
        )
    return report
