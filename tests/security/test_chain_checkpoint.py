"""Issue 25 item 13: the hourly job signed chain heads without checking the chain first, and a new installation
had no checkpoint until an hour after its first events. Now what a checkpoint vouches for is checked before it is
signed (a failure is logged and shown as a failed chain check), and chains are signed at set-up: after migrate, and
when the service starts (`audit_checkpoint --schedule`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from audit import actions
from audit import services as audit
from audit.models import AuditCheckpoint, ChainCheck, CheckpointReason
from audit.tasks import hourly_checkpoint

from ..audit_helpers import triggers_disabled
from ..base import World


class CheckBeforeSigning(World):
    def setUp(self) -> None:
        self.events = [audit.record(action=actions.LOGIN, organisation=self.org_a) for _ in range(4)]

    def tamper(self) -> None:
        with triggers_disabled("audit_auditevent"), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'innocent' WHERE id = %s", [self.events[1].pk])

    def test_the_hourly_job_refuses_to_sign_a_changed_chain(self) -> None:
        before = AuditCheckpoint.objects.filter(chain_key=f"org:{self.org_a.pk}").count()
        self.tamper()
        with self.assertLogs("audit.verify", level="ERROR"):
            hourly_checkpoint.call()
        assert AuditCheckpoint.objects.filter(chain_key=f"org:{self.org_a.pk}").count() == before
        failed = ChainCheck.objects.latest("pk")
        assert failed.ok is False and "Checkpoint refused" in failed.message

    def test_the_command_refuses_too(self) -> None:
        self.tamper()
        with pytest.raises(CommandError, match="No checkpoint signed"), self.assertLogs("audit.verify", "ERROR"):
            call_command("audit_checkpoint", stdout=StringIO())

    def test_an_intact_chain_is_signed(self) -> None:
        hourly_checkpoint.call()
        assert AuditCheckpoint.objects.filter(chain_key=f"org:{self.org_a.pk}", seq=self.events[-1].seq).exists()


class SignedAtSetUp(World):
    def test_migrate_signs_the_chains(self) -> None:
        event = audit.record(action=actions.LOGIN, organisation=self.org_b)
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
        checkpoint = AuditCheckpoint.objects.get(chain_key=event.chain_key, seq=event.seq)
        assert checkpoint.reason == CheckpointReason.SETUP

    def test_starting_the_service_signs_the_chains(self) -> None:
        event = audit.record(action=actions.LOGIN, organisation=self.org_b)
        out = StringIO()
        call_command("audit_checkpoint", "--schedule", stdout=out)
        assert AuditCheckpoint.objects.filter(chain_key=event.chain_key, seq=event.seq).exists(), out.getvalue()
