"""Clearing what clients sent (address, browser, a typed username that is nobody's) from old audit events, the one
way those columns of the append-only event table may change.

The database allows it only for events older than the newest `ClientDataClearing` row, only to empty those
columns, and, for a format-1 event (whose hash covered its raw address and browser), only once a signed
`LegacyClearing` row vouches for the rest of it (migration 0004). So the chain keeps verifying:

- a format-2 event's hash covers a salted digest of the client data, not the data: clearing the data and its
  salt leaves the hash recomputable, and the digest cannot be guessed back without the salt;
- a format-1 event is checked first (its hash recomputed from the raw values), then a signed record of its hash
  and of a digest of everything but the address and browser is written; `verify_audit` checks that record and
  recomputes the digest instead of the hash. Without a signing key, format-1 events are left as they are.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import keys
from .models import AuditEvent, ClientDataClearing, LegacyClearing

logger = logging.getLogger(__name__)

HAS_CLIENT_DATA = (
    Q(ip_address__isnull=False) | ~Q(user_agent="") | Q(typed_username__isnull=False) | Q(client_salt__isnull=False)
)


def keep_client_data_for() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "AUDIT_CLIENT_DATA_KEEP_DAYS", 365)))


def client_data_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Events before this have their client data cleared."""
    return (now or timezone.now()) - keep_client_data_for()


@transaction.atomic
def clearing_open(*, before: dt.datetime) -> ClientDataClearing:
    """Record that client data older than `before` is being cleared; from now the database allows it.

    The row is signed with the checkpoint key, so `verify_audit` can tell it from one a database writer inserted
    (and the database refuses a cut-off later than the start minus the keep period). Without a key it is written
    unsigned, and the chain check says the trail is not anchored."""
    started = timezone.now()
    keep_days = keep_client_data_for().days
    if before > started - dt.timedelta(days=keep_days):
        raise ValueError(f"Client data is kept for {keep_days} days: a cut-off of {before} is too recent")
    row = ClientDataClearing(cleared_before=before, started_at=started, keep_days=keep_days)
    if keys.has_signing_key():
        signer = keys.signing_key()
        row.key_id = signer.key_id
        row.signature = signer.sign(row.message())
    row.save(force_insert=True)
    return row


def events_to_clear(*, before: dt.datetime, after: dt.datetime | None = None) -> int:
    qs = AuditEvent.objects.filter(HAS_CLIENT_DATA, occurred_at__lt=before)
    if after is not None:
        qs = qs.filter(occurred_at__gte=after)
    return qs.count()


@dataclass(frozen=True)
class ClearedBatch:
    events: int  # cleared
    format_1: int  # of which format-1 events, each with a signed clearing record
    left: int  # format-1 events left as they were (no signing key, or their hash did not check out)
    cursor: tuple[dt.datetime, int] | None  # the last event looked at, to start the next batch after

    @property
    def seen(self) -> int:
        return self.events + self.left


def clear_batch(
    *, before: dt.datetime, after: dt.datetime | None, cursor: tuple[dt.datetime, int] | None, limit: int
) -> ClearedBatch:
    """Clear up to `limit` events older than `before` (and from `after`), in (time, id) order after `cursor`.
    Call inside a transaction (with whatever counts the work), and after `clearing_open` for `before`."""
    assert transaction.get_connection().in_atomic_block, "clear_batch must run inside a transaction"
    qs = AuditEvent.objects.filter(HAS_CLIENT_DATA, occurred_at__lt=before)
    if after is not None:
        qs = qs.filter(occurred_at__gte=after)
    if cursor is not None:
        at, pk = cursor
        qs = qs.filter(Q(occurred_at__gt=at) | Q(occurred_at=at, pk__gt=pk))
    events = list(qs.order_by("occurred_at", "pk")[:limit])
    if not events:
        return ClearedBatch(0, 0, 0, None)
    signer = keys.signing_key() if keys.has_signing_key() else None
    now = timezone.now()
    clear_ids: list[int] = []
    records: list[LegacyClearing] = []
    left = 0
    for event in events:
        if event.format >= 2:
            clear_ids.append(event.pk)
            continue
        # A format-1 event: vouch for it only if it is intact now, and only with a key to sign with.
        if signer is None or event.compute_hash() != event.hash:
            if signer is not None:
                logger.warning(
                    "Audit event %s does not match its hash; its client data is left for the chain check", event.pk
                )
            left += 1
            continue
        record = LegacyClearing(
            event=event,
            chain_key=event.chain_key,
            seq=event.seq,
            event_hash=event.hash,
            rest_digest=event.compute_hash(without_client=True),
            cleared_at=now,
            key_id=signer.key_id,
        )
        record.signature = signer.sign(record.message())
        records.append(record)
        clear_ids.append(event.pk)
    LegacyClearing.objects.bulk_create(records)
    AuditEvent.objects.filter(pk__in=clear_ids).update(
        ip_address=None, user_agent="", typed_username=None, client_salt=None
    )
    last = events[-1]
    return ClearedBatch(len(clear_ids), len(records), left, (last.occurred_at, last.pk))
