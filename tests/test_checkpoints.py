"""Signed audit checkpoints: the chain's anchor outside the database (issue 16, defect 2)."""

from __future__ import annotations

import json
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import override_settings

from audit import checkpoints, keys
from audit import services as audit
from audit.models import AuditCheckpoint, AuditEvent, ChainCheck, ChainHead, CheckpointReason
from audit.tasks import hourly_checkpoint, schedule_hourly_checkpoint
from audit.verify import verify_chains

from .audit_helpers import rehash_chain_from, triggers_disabled, unaudited_account_changes
from .base import World


def verify_audit() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken(**kwargs: object) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", stdout=StringIO(), **kwargs)
    return str(excinfo.value)


class CheckpointTests(World):
    @classmethod
    def setUpTestData(cls) -> None:
        # The chains start empty, as these tests count from the first event: the world is made unrecorded (its
        # accounts and organisations would otherwise be events, issue 25 item 2).
        with unaudited_account_changes():
            super().setUpTestData()

    def setUp(self) -> None:
        self.chain = f"org:{self.org_a.pk}"

    def events(self, n: int) -> list[AuditEvent]:
        with self.captureOnCommitCallbacks(execute=True):
            return [audit.record(action=f"step_{i}", organisation=self.org_a) for i in range(n)]

    @override_settings(AUDIT_CHECKPOINT_EVERY=3)
    def test_every_n_events_the_head_is_signed(self) -> None:
        events = self.events(7)
        rows = list(AuditCheckpoint.objects.filter(chain_key=self.chain).order_by("seq"))
        assert [(r.seq, r.hash, r.reason) for r in rows] == [
            (3, events[2].hash, CheckpointReason.EVENTS),
            (6, events[5].hash, CheckpointReason.EVENTS),
        ]
        public = keys.signing_key().public_key
        assert all(keys.verify_signature(public, r.message(), r.signature) for r in rows)
        assert verify_audit().startswith("OK: 7 events in 1 chain, checkpoints verified")

    @override_settings(AUDIT_CHECKPOINT_EVERY=3)
    def test_a_rehashed_chain_does_not_match_its_signed_checkpoint(self) -> None:
        # The attack: triggers dropped, one event edited, and the whole chain after it re-hashed.
        self.events(7)
        with triggers_disabled():
            rehash_chain_from(self.chain, 2, action="innocent")
        # The chain itself links up again: without checkpoints this would pass.
        assert AuditEvent.objects.get(chain_key=self.chain, seq=2).action == "innocent"
        message = broken()
        assert message.startswith("BROKEN: does not match the signed checkpoint of ")
        assert f"event 3 of chain {self.chain}" in message and "the chain was rewritten" in message
        assert not ChainCheck.objects.latest().ok
        # A broken chain is never signed.
        assert not AuditCheckpoint.objects.filter(reason=CheckpointReason.VERIFY).exists()

    def test_each_chain_check_signs_the_heads_that_moved(self) -> None:
        self.events(2)
        audit.record(action="other", organisation=self.org_b)
        verify_audit()
        assert set(AuditCheckpoint.objects.values_list("chain_key", "seq", "reason")) == {
            (self.chain, 2, CheckpointReason.VERIFY),
            (f"org:{self.org_b.pk}", 1, CheckpointReason.VERIFY),
        }
        verify_audit()  # nothing moved: nothing new to sign
        assert AuditCheckpoint.objects.count() == 2

    def test_hourly_job_signs_and_queues_its_next_run(self) -> None:
        from django_tasks_db.models import DBTaskResult

        self.events(2)
        assert schedule_hourly_checkpoint() is True
        assert schedule_hourly_checkpoint() is False  # already queued: never twice
        assert hourly_checkpoint.call() == 1
        assert AuditCheckpoint.objects.get().reason == CheckpointReason.HOURLY
        assert DBTaskResult.objects.filter(task_path=hourly_checkpoint.module_path, status="READY").count() == 1
        assert hourly_checkpoint.call() == 0  # nothing moved since

    def test_a_checkpoint_signed_with_another_key_is_refused(self) -> None:
        self.events(2)
        forger = keys.SigningKey(keys.Ed25519PrivateKey.generate())
        head = ChainHead.objects.get(chain_key=self.chain)
        row = AuditCheckpoint(
            chain_key=self.chain,
            seq=head.last_seq,
            hash=head.last_hash,
            signed_at=AuditEvent.objects.latest("id").occurred_at,
            reason=CheckpointReason.HOURLY,
            key_id=forger.key_id,
        )
        row.signature = forger.sign(row.message())
        row.save()
        assert "is signed by an unknown key" in broken()

    def test_a_checkpoint_whose_signature_was_edited_is_refused(self) -> None:
        self.events(2)
        (row,) = checkpoints.write_checkpoints(CheckpointReason.HOURLY)
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditcheckpoint SET seq = 1, hash = %s WHERE id = %s", ["f" * 64, row.pk])
        assert "has a signature that does not verify" in broken()

    def test_key_rotation_keeps_old_checkpoints_verifying(self) -> None:
        self.events(2)
        checkpoints.write_checkpoints(CheckpointReason.HOURLY)
        old_public = keys.public_key_pem(Path(keys.settings.AUDIT_SIGNING_KEY_FILE).read_bytes())
        trusted = Path(keys.settings.AUDIT_TRUSTED_PUBLIC_KEYS_FILE)
        with override_settings(AUDIT_SIGNING_KEY=keys.new_private_key_pem().decode()):
            # The new key alone does not know the old checkpoints ...
            assert "is signed by an unknown key" in broken()
            # ... the old public key, kept in the trusted-keys file, does.
            trusted.write_bytes(old_public)
            try:
                self.events(1)
                assert verify_audit().startswith("OK: 3 events in 1 chain")
                assert AuditCheckpoint.objects.order_by("-pk").first().key_id == keys.signing_key().key_id
            finally:
                trusted.unlink()

    def test_without_a_key_nothing_is_signed_and_the_check_says_so(self) -> None:
        with override_settings(AUDIT_SIGNING_KEY_FILE="", AUDIT_CHECKPOINT_EVERY=1):
            self.events(2)
            assert "warning: no checkpoint signing key is configured" in verify_audit()
        assert not AuditCheckpoint.objects.exists()

    def test_checkpoint_and_chain_check_rows_and_the_chain_head_are_guarded(self) -> None:
        self.events(2)
        checkpoints.write_checkpoints(CheckpointReason.HOURLY)
        verify_audit()
        statements = [
            ("UPDATE audit_auditcheckpoint SET seq = 1", []),
            ("DELETE FROM audit_auditcheckpoint", []),
            ("UPDATE audit_chaincheck SET ok = %s", [False]),
            ("DELETE FROM audit_chaincheck", []),
            ("DELETE FROM audit_chainhead", []),
            # The head moves only forward, and only onto an event that exists with that hash.
            ("UPDATE audit_chainhead SET last_seq = 1", []),
            ("UPDATE audit_chainhead SET last_seq = last_seq + 1", []),
            ("UPDATE audit_chainhead SET last_hash = %s", ["e" * 64]),
            ("INSERT INTO audit_chainhead (chain_key, last_seq, last_hash) VALUES ('org:999', 5, %s)", ["e" * 64]),
        ]
        for sql, params in statements:
            with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
        assert verify_chains(save=False).ok


class CheckpointLogTests(World):
    """The copy of each checkpoint outside the database."""

    @classmethod
    def setUpTestData(cls) -> None:
        with unaudited_account_changes():  # as CheckpointTests
            super().setUpTestData()

    def setUp(self) -> None:
        self.chain = f"org:{self.org_a.pk}"
        folder = Path(keys.settings.AUDIT_SIGNING_KEY_FILE).parent
        self.log = folder / f"checkpoints-{self.id().rsplit('.', 1)[-1]}.log"
        self.log.unlink(missing_ok=True)
        self.addCleanup(self.log.unlink, missing_ok=True)
        self.settings_override = override_settings(AUDIT_CHECKPOINT_LOG=str(self.log), AUDIT_CHECKPOINT_EVERY=2)
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def events(self, n: int) -> None:
        for i in range(n):
            with self.captureOnCommitCallbacks(execute=True):
                audit.record(action=f"step_{i}", organisation=self.org_a)

    def test_each_checkpoint_is_appended_to_the_log_when_its_event_commits(self) -> None:
        self.events(4)
        lines = [json.loads(line) for line in self.log.read_text().splitlines()]
        assert [(e["chain"], e["seq"], e["reason"]) for e in lines] == [
            (self.chain, 2, "events"),
            (self.chain, 4, "events"),
        ]
        assert verify_audit().startswith("OK")

    def test_a_rolled_back_event_never_reaches_the_log(self) -> None:
        self.events(1)
        with pytest.raises(RuntimeError), self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            audit.record(action="doomed", organisation=self.org_a)
            raise RuntimeError("the change failed")
        assert not self.log.exists() or self.log.read_text() == ""

    def test_a_database_restored_from_an_older_backup_is_noticed(self) -> None:
        self.events(4)
        # The restore: the two newest events and their checkpoint are gone from the database, not from the log.
        with triggers_disabled(), connection.cursor() as cursor:
            first_two = AuditEvent.objects.get(chain_key=self.chain, seq=2)
            cursor.execute("DELETE FROM audit_auditevent WHERE chain_key = %s AND seq > 2", [self.chain])
            cursor.execute("DELETE FROM audit_auditcheckpoint WHERE seq > 2")
            cursor.execute(
                "UPDATE audit_chainhead SET last_seq = 2, last_hash = %s WHERE chain_key = %s",
                [first_two.hash, self.chain],
            )
        message = broken()
        assert "does not match the signed checkpoint of" in message
        assert "had 4 events then and has 2 now" in message

    def test_a_database_restored_without_its_log_is_noticed(self) -> None:
        self.events(2)
        self.log.write_text("")
        assert "has no checkpoint of chain" in broken()

    def test_a_copy_of_the_log_from_syslog_can_be_checked_too(self) -> None:
        self.events(4)
        copy = self.log.with_suffix(".syslog")
        self.addCleanup(copy.unlink, missing_ok=True)
        line = self.log.read_text().splitlines()[-1]
        forged = json.loads(line) | {"hash": "a" * 64}
        copy.write_text(
            f"Nov 25 10:00:00 web1 {checkpoints.SYSLOG_TAG}{line}\n"
            f"Nov 25 10:00:01 web1 {checkpoints.SYSLOG_TAG}{json.dumps(forged)}\n"
        )
        assert "has a signature that does not verify" in broken(checkpoint_log=[copy])

    def test_checkpoints_can_also_go_to_syslog(self) -> None:
        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        self.addCleanup(receiver.close)
        port = receiver.getsockname()[1]
        checkpoints._syslog = None
        self.addCleanup(setattr, checkpoints, "_syslog", None)
        with override_settings(AUDIT_CHECKPOINT_SYSLOG=f"127.0.0.1:{port}"):
            self.events(2)
        datagram = receiver.recv(4096).decode()
        assert checkpoints.SYSLOG_TAG in datagram and f'"chain":"{self.chain}"' in datagram
