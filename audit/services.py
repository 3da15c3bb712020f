"""The one way to write an audit event."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import checkpoints
from .models import PAYLOAD_FORMAT, AuditEvent, ChainCheckRun, ChainHead, chain_key_for

USER_AGENT_MAX = 300
# A chain check that has made no progress for this long was dropped by its worker, and can be asked for again.
CHAIN_CHECK_STALLED_AFTER = dt.timedelta(minutes=2)


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _locked_head(key: str) -> ChainHead:
    """The chain head, row-locked: that serialises writers of one chain on PostgreSQL (SQLite's IMMEDIATE
    transactions serialise all writers anyway)."""
    head = ChainHead.objects.select_for_update().filter(chain_key=key).first()
    if head is None:
        # First event of a new chain: create the head, tolerating a concurrent creator.
        with transaction.atomic():
            ChainHead.objects.get_or_create(chain_key=key)
        head = ChainHead.objects.select_for_update().get(chain_key=key)
    return head


def record(
    *,
    action: str,
    actor: Any = None,
    organisation: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_ref: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
    typed_username: str = "",
) -> AuditEvent:
    """Append one event to its organisation's chain.

    Call it inside the transaction that makes the change it describes: it joins that transaction, so the
    change and its event are committed, or rolled back, together.

    `details` are hashed and kept for ever, so they hold facts about the event (ids, versions, counts, hashes),
    never the personal content of a record (names, free text, answers): that stays in the record, where disposal
    can remove it. `typed_username` is a sign-in name that is nobody's account: kept with the address and browser,
    outside the hash, and cleared with them.
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    organisation_id = getattr(organisation, "pk", organisation)
    key = chain_key_for(organisation_id)
    # No savepoint: this joins the caller's transaction, and a failure here must fail the whole change.
    with transaction.atomic(savepoint=False):
        head = _locked_head(key)
        event = AuditEvent(
            chain_key=key,
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=actor_label or (actor.get_username() if actor is not None else ""),
            organisation_id=organisation_id,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            target_ref=target_ref,
            details=details or {},
            ip_address=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:USER_AGENT_MAX],
            typed_username=typed_username[:150] or None,
            payload_format=PAYLOAD_FORMAT,
            prev_hash=head.last_hash,
        )
        if any(event.client_values().values()):
            event.client_salt = secrets.token_hex(16)
        event.client_digest = event.compute_client_digest()
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
        checkpoints.after_event(head)
    return event


def chain_check_start(*, by: Any, organisation_id: int) -> tuple[ChainCheckRun, bool]:
    """Queue a chain check for the worker, unless this organisation already has one waiting or running."""
    with transaction.atomic():
        # Lock the organisation's runs so two clicks cannot queue two checks.
        active = (
            ChainCheckRun.objects.select_for_update()
            .filter(
                organisation_id=organisation_id, status__in=[ChainCheckRun.Status.QUEUED, ChainCheckRun.Status.RUNNING]
            )
            .order_by("-pk")
            .first()
        )
        if active is not None and timezone.now() - active.updated_at <= CHAIN_CHECK_STALLED_AFTER:
            return active, False
        if active is not None:
            # The worker stopped while it had this one: it is replaced by a new run.
            ChainCheckRun.objects.filter(pk=active.pk).update(status=ChainCheckRun.Status.FAILED)
        now = timezone.now()
        run = ChainCheckRun.objects.create(
            requested_by=by, organisation_id=organisation_id, created_at=now, updated_at=now
        )
        transaction.on_commit(partial(_enqueue_chain_check, run.pk), robust=True)
    return run, True


def _enqueue_chain_check(run_id: int) -> None:
    from .tasks import chain_check

    chain_check.enqueue(run_id)
