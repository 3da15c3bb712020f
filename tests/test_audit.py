"""The audit trail: hash chain, append-only at the database, verification, and concurrent writers."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction

from accounts.models import Organisation
from audit import services as audit
from audit.models import GENESIS_HASH, AuditEvent, ChainCheck, ChainHead
from audit.verify import verify_chains

from .audit_helpers import triggers_disabled
from .base import World


class ChainTests(World):
    def test_events_link_into_a_chain_per_organisation(self) -> None:
        # The world's organisations, teams and accounts were recorded as they were made (issue 25 item 2).
        start = ChainHead.objects.get(chain_key=f"org:{self.org_a.pk}")
        genesis = AuditEvent.objects.get(chain_key=f"org:{self.org_b.pk}", seq=1)
        first = audit.record(action="test_a", actor=self.alice_practitioner_org_a, organisation=self.org_a)
        second = audit.record(action="test_b", actor=self.sue_supervisor_org_a, organisation=self.org_a)
        other = audit.record(action="test_c", actor=self.bob_practitioner_org_b, organisation=self.org_b)
        assert first.prev_hash == start.last_hash and first.seq == start.last_seq + 1
        assert second.prev_hash == first.hash and second.seq == first.seq + 1
        assert genesis.prev_hash == GENESIS_HASH and other.chain_key == f"org:{self.org_b.pk}"
        assert len(first.hash) == 64 and first.hash == first.compute_hash()
        head = ChainHead.objects.get(chain_key=f"org:{self.org_a.pk}")
        assert (head.last_seq, head.last_hash) == (second.seq, second.hash)

    def test_hash_survives_a_round_trip_through_the_database(self) -> None:
        event = audit.record(
            action="test",
            actor=self.alice_practitioner_org_a,
            organisation=self.org_a,
            details={"step": "consent", "changed": True, "n": 3, "accents": "Zoë’s"},
        )
        assert AuditEvent.objects.get(pk=event.pk).compute_hash() == event.hash

    def test_target_and_request_details_are_kept(self) -> None:
        from django.test import RequestFactory

        request = RequestFactory().get("/", HTTP_USER_AGENT="Browser/1.0", REMOTE_ADDR="10.1.2.3")
        event = audit.record(
            action="view",
            actor=self.alice_practitioner_org_a,
            organisation=self.org_a,
            target=self.team_a,
            request=request,
        )
        assert (event.target_type, event.target_id) == ("accounts.team", str(self.team_a.pk))
        assert (event.ip_address, event.user_agent) == ("10.1.2.3", "Browser/1.0")
        assert event.actor_label == "alice_practitioner"

    def test_an_event_rolled_back_with_its_change_leaves_no_trace(self) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(action="doomed", organisation=self.org_a)
            raise RuntimeError("the change failed")
        assert not AuditEvent.objects.filter(action="doomed").exists()
        assert verify_chains(save=False).ok


class AppendOnlyTests(World):
    def test_update_is_refused_by_the_database(self) -> None:
        event = audit.record(action="test", organisation=self.org_a)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(action="edited")

    def test_delete_is_refused_by_the_database(self) -> None:
        event = audit.record(action="test", organisation=self.org_a)
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    @pytest.mark.skipif("connection.vendor != 'postgresql'")
    def test_truncate_is_refused_on_postgresql(self) -> None:
        audit.record(action="test", organisation=self.org_a)
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE audit_auditevent CASCADE")


class VerifyTests(World):
    def setUp(self) -> None:
        self.events = [audit.record(action=f"step_{i}", organisation=self.org_a) for i in range(5)]
        audit.record(action="other", organisation=self.org_b)

    def test_intact_chain_reports_ok_and_is_remembered(self) -> None:
        out = StringIO()
        call_command("verify_audit", stdout=out)
        events, chains = AuditEvent.objects.count(), AuditEvent.objects.values("chain_key").distinct().count()
        assert out.getvalue().startswith(f"OK: {events} events in {chains} chains")
        assert ChainCheck.objects.latest().ok is True

    def test_edited_event_is_detected(self) -> None:
        victim = self.events[2]
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'innocent' WHERE id = %s", [victim.pk])
        with pytest.raises(CommandError) as excinfo:
            call_command("verify_audit", stdout=StringIO())
        assert f"event {victim.pk} was changed" in str(excinfo.value)
        latest = ChainCheck.objects.latest()
        assert latest.ok is False and latest.first_broken_event_id == victim.pk

    def test_rehashed_edit_breaks_the_next_link(self) -> None:
        victim = self.events[1]
        victim.action = "innocent"
        new_hash = victim.compute_hash()
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET action = 'innocent', hash = %s WHERE id = %s",
                [new_hash, victim.pk],
            )
        report = verify_chains(save=False)
        assert not report.ok and report.first_broken_event_id == self.events[2].pk

    def test_deleted_event_is_detected(self) -> None:
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [self.events[3].pk])
        report = verify_chains(save=False)
        assert not report.ok and "missing" in report.message

    def test_deleted_newest_event_is_detected_by_the_head(self) -> None:
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [self.events[-1].pk])
        report = verify_chains(save=False)
        assert not report.ok and "newest events were removed" in report.message


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Real commits from several connections; cleans up after itself (triggers off for the purge)."""
    with django_db_blocker.unblock():
        yield
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("DELETE FROM audit_chainhead")
            cursor.execute("DELETE FROM audit_chaincheck")
            cursor.execute("DELETE FROM accounts_organisation WHERE slug LIKE 'concurrent-%%'")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks across connections need PostgreSQL")
def test_concurrent_writers_keep_the_chain_intact(committed_db) -> None:  # type: ignore[no-untyped-def]
    org = Organisation.objects.create(name="Concurrent", slug="concurrent-org", reference_prefix="CC")
    made = AuditEvent.objects.filter(organisation=org).count()  # creating it is an audited change (issue 25)
    threads_count, per_thread = 8, 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit.record(action=f"t{n}_{i}", organisation=org.pk)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = list(AuditEvent.objects.filter(organisation=org).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, made + threads_count * per_thread + 1))
    assert len({e.prev_hash for e in events}) == len(events)
    report = verify_chains(save=False)
    assert report.ok, report.message
