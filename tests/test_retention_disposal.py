"""Retention services: legal holds, two-admin disposal, what disposal removes and keeps, and the one
database path that lets it rewrite append-only rows."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from audit import actions
from audit.models import AuditEvent
from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionDraft, DecisionVersion
from exports.models import BulkExport, ExportStatus
from exports.storage import export_storage
from oversight.models import Review
from retention import schedule, services
from retention.db import disposal_path
from retention.models import DisposalPermit, DisposalProposal, LegalHold, ProposalStatus, RetentionSchedule, Tombstone

from .base import World, make_user
from .retention_helpers import CHILD_BORN, CHILD_NAME, LONG_AGO, at, database_dump, old_record, traces_in


class RetentionWorld(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from accounts.models import Role

        cls.abe_admin_org_a = make_user("abe_admin", cls.org_a, Role.ADMIN, cls.team_a)

    def propose(self, decision: Decision, by=None) -> DisposalProposal:  # type: ignore[no-untyped-def]
        return services.disposal_propose(
            by=by or self.ada_admin_org_a, decision=decision, reason="Past the retention period; no open case"
        )


class ScheduleTests(RetentionWorld):
    def test_no_birth_date_means_years_after_last_activity(self) -> None:
        version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)
        decision = Decision.objects.get(pk=version.decision_id)
        # Amended on 16 May 2018, the last activity; six years on by default.
        assert schedule.retention_review_date(decision) == dt.date(2024, 5, 16)
        facts = RetentionSchedule.objects.get(decision=decision)
        assert facts.last_activity_on == dt.date(2018, 5, 16) and facts.youngest_child_born_on is None
        self.org_a.retention_no_birth_date_years = 10
        self.org_a.save()
        decision.refresh_from_db()
        assert schedule.retention_review_date(decision) == dt.date(2028, 5, 16)

    def test_birth_date_rule(self) -> None:
        assert schedule.review_date_from(
            born_on=dt.date(2012, 2, 29), last_activity=dt.date(2020, 1, 1), child_age_years=25, no_birth_date_years=6
        ) == dt.date(2037, 2, 28)
        assert schedule.review_date_from(
            born_on=None, last_activity=dt.date(2020, 1, 1), child_age_years=25, no_birth_date_years=6
        ) == dt.date(2026, 1, 1)

    def test_review_is_activity(self) -> None:
        version = old_record(self.alice_practitioner_org_a, amended=False)
        with at(LONG_AGO + dt.timedelta(days=40)):
            from oversight import services as review_services

            review_services.review_approve(by=self.sue_supervisor_org_a, decision=version.decision, version=version)
        facts = RetentionSchedule.objects.get(decision_id=version.decision_id)
        assert facts.last_activity_on == (LONG_AGO + dt.timedelta(days=40)).date()


class HoldTests(RetentionWorld):
    def setUp(self) -> None:
        self.decision = old_record(self.alice_practitioner_org_a).decision

    def test_hold_on_record_blocks_proposal_and_approval(self) -> None:
        proposal = self.propose(self.decision)
        hold = services.hold_place(by=self.abe_admin_org_a, decision=self.decision, reason="Inquiry request 2026/4")
        with pytest.raises(services.DisposalRefused, match="on legal hold"):
            services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)
        assert Decision.objects.get(pk=self.decision.pk).status == DecisionStatus.SUBMITTED
        services.disposal_cancel(by=self.abe_admin_org_a, proposal=proposal)
        with pytest.raises(services.DisposalRefused, match="on legal hold"):
            self.propose(self.decision)
        services.hold_lift(by=self.ada_admin_org_a, hold=hold, reason="Inquiry closed")
        self.propose(self.decision)
        place, lift = AuditEvent.objects.filter(action__startswith="legal_hold").order_by("pk")
        assert (place.action, lift.action) == (actions.LEGAL_HOLD_PLACE, actions.LEGAL_HOLD_LIFT)
        assert place.target_ref == self.decision.reference and place.details == {"hold": hold.pk, "scope": "record"}
        assert "Inquiry" not in str(place.details) + str(lift.details)

    def test_organisation_hold_blocks_every_record(self) -> None:
        proposal = self.propose(self.decision)
        hold = services.hold_place(by=self.ada_admin_org_a, reason="IICSA: do not destroy")
        with pytest.raises(services.DisposalRefused, match="organisation's records are on legal hold"):
            services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)
        with pytest.raises(services.DisposalRefused, match="already on legal hold"):
            services.hold_place(by=self.abe_admin_org_a, reason="Twice")
        services.hold_lift(by=self.abe_admin_org_a, hold=hold, reason="Inquiry finished")
        services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)
        assert Decision.objects.get(pk=self.decision.pk).status == DecisionStatus.DISPOSED

    def test_other_organisation_and_other_roles(self) -> None:
        with pytest.raises(PermissionDenied):
            services.hold_place(by=self.bea_admin_org_b, decision=self.decision, reason="Not mine")
        for user in [self.sue_supervisor_org_a, self.aud_auditor_org_a, self.alice_practitioner_org_a]:
            with pytest.raises(PermissionDenied):
                services.hold_place(by=user, decision=self.decision, reason="Not allowed")
        hold = services.hold_place(by=self.ada_admin_org_a, decision=self.decision, reason="Held")
        with pytest.raises(PermissionDenied):
            services.hold_lift(by=self.bea_admin_org_b, hold=hold, reason="Not mine")
        assert LegalHold.objects.get(pk=hold.pk).is_active

    def test_reason_required(self) -> None:
        with pytest.raises(services.DisposalRefused.__mro__[1], match="Enter why"):
            services.hold_place(by=self.ada_admin_org_a, decision=self.decision, reason="   ")
        assert not LegalHold.objects.exists()


class TwoAdminTests(RetentionWorld):
    def setUp(self) -> None:
        self.decision = old_record(self.alice_practitioner_org_a).decision

    def test_the_same_admin_cannot_approve_their_own_proposal(self) -> None:
        proposal = self.propose(self.decision)
        with pytest.raises(services.DisposalRefused, match="A different admin must approve"):
            services.disposal_approve(by=self.ada_admin_org_a, proposal=proposal)
        assert DisposalProposal.objects.get(pk=proposal.pk).status == ProposalStatus.PROPOSED
        assert not Tombstone.objects.exists()

    def test_the_database_refuses_one_admin_in_both_roles(self) -> None:
        proposal = self.propose(self.decision)
        with pytest.raises(IntegrityError), transaction.atomic():
            DisposalProposal.objects.filter(pk=proposal.pk).update(
                status=ProposalStatus.DISPOSED, decided_by=self.ada_admin_org_a, decided_at=proposal.proposed_at
            )

    def test_other_organisation_admin_cannot_approve(self) -> None:
        proposal = self.propose(self.decision)
        with pytest.raises(PermissionDenied):
            services.disposal_approve(by=self.bea_admin_org_b, proposal=proposal)
        with pytest.raises(PermissionDenied):
            services.disposal_cancel(by=self.bea_admin_org_b, proposal=proposal)

    def test_either_admin_can_cancel(self) -> None:
        for canceller in [self.ada_admin_org_a, self.abe_admin_org_a]:
            proposal = self.propose(self.decision)
            services.disposal_cancel(by=canceller, proposal=proposal)
            assert DisposalProposal.objects.get(pk=proposal.pk).status == ProposalStatus.CANCELLED
        with pytest.raises(services.DisposalRefused, match="no longer waiting"):
            services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)

    def test_not_due_cannot_be_proposed(self) -> None:
        with at(LONG_AGO + dt.timedelta(days=400)):
            with pytest.raises(services.DisposalRefused, match="not due for retention review until 16 May 2024"):
                self.propose(self.decision)

    def test_one_open_proposal(self) -> None:
        self.propose(self.decision)
        with pytest.raises(services.DisposalRefused, match="already been proposed"):
            self.propose(self.decision, by=self.abe_admin_org_a)


class DisposalTests(RetentionWorld):
    def setUp(self) -> None:
        self.version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)
        self.decision = Decision.objects.get(pk=self.version.decision_id)
        # An open amendment draft naming the child too.
        DecisionDraft.objects.filter(decision=self.decision).update(amendment_reason=f"About {CHILD_NAME}")
        # Another record, about someone else, which must be left as it was.
        self.other = old_record(self.amir_practitioner_org_a, amended=False, named=False)

    def dispose(self) -> Tombstone:
        proposal = self.propose(self.decision)
        return services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)

    def test_tombstone_keeps_the_facts_and_both_admins(self) -> None:
        hashes = list(
            DecisionVersion.objects.filter(decision=self.decision)
            .order_by("number")
            .values_list("content_hash", flat=True)
        )
        tombstone = self.dispose()
        assert tombstone.reference == self.decision.reference and tombstone.edition == self.decision.edition
        assert tombstone.outcome == self.decision.outcome and tombstone.content_hashes == hashes
        assert tombstone.proposed_by == self.ada_admin_org_a and tombstone.approved_by == self.abe_admin_org_a
        assert tombstone.reason == "Past the retention period; no open case"
        assert tombstone.first_submitted_at == LONG_AGO and tombstone.last_activity_on == dt.date(2018, 5, 16)
        # Versions stay (with their hashes, numbers and dates) but hold nothing personal.
        for version in DecisionVersion.objects.filter(decision=self.decision):
            assert version.answers == services.DISPOSED_ANSWERS and version.content_hash in hashes
        assert [r.comment for r in Review.objects.filter(decision=self.decision)] == [services.REMOVED]
        assert all(d.answers == {} and d.unfinished == {} for d in DecisionDraft.objects.filter(decision=self.decision))
        decision = Decision.objects.get(pk=self.decision.pk)
        assert decision.status == DecisionStatus.DISPOSED and decision.case_reference == ""
        assert not RetentionSchedule.objects.filter(decision=self.decision).exists()
        assert not DisposalPermit.objects.exists()
        # The other record is untouched.
        assert DecisionVersion.objects.get(pk=self.other.pk).answers == self.other.answers
        # Its verification codes no longer match a record held (rather than "altered").
        from exports.verification import Result, verify_code

        assert verify_code(self.ada_admin_org_a, hashes[0]).result == Result.NO_MATCH
        event = AuditEvent.objects.get(action=actions.DISPOSAL_APPROVE)
        assert event.actor_id == self.abe_admin_org_a.pk and event.details["content_hashes"] == hashes
        assert event.details["versions"] == 2 and event.details["reviews"] == 1

    def test_no_name_or_birth_date_left_and_the_trail_verifies(self) -> None:
        assert traces_in(database_dump()), "the record should be found in the dump before disposal"
        self.dispose()
        assert traces_in(database_dump()) == []
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert out.getvalue().startswith("OK")

    def test_export_files_holding_the_record_are_deleted(self) -> None:
        storage = export_storage()
        name = storage.save("retention-test/export.zip", ContentFile(b"zip holding the record"))
        now = self.decision.updated_at
        export = BulkExport.objects.create(
            organisation=self.org_a, requested_by=self.ada_admin_org_a, submitted_from=LONG_AGO.date(),
            submitted_to=LONG_AGO.date(), verify_url="/exports/verify", status=ExportStatus.READY, total=1, done=1,
            file_name=name, file_size=22, created_at=now, updated_at=now, expires_at=now,
        )  # fmt: skip
        from audit import services as audit

        audit.record(
            action=actions.PDF_EXPORT, organisation=self.org_a, target_type="decisions.decision",
            target_id=self.decision.pk, target_ref=self.decision.reference, details={"bulk_export": export.pk},
        )  # fmt: skip
        with self.captureOnCommitCallbacks(execute=True):
            self.dispose()
        assert BulkExport.objects.get(pk=export.pk).file_name == ""
        assert not storage.exists(name)


class DisposalPathTests(RetentionWorld):
    """The append-only triggers stay: only the disposal service's path may rewrite a version or a review."""

    def setUp(self) -> None:
        self.version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)

    def refused(self, sql: str, params: list) -> None:  # type: ignore[type-arg]
        with pytest.raises(DatabaseError, match="append-only|no such function"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    def test_plain_update_and_delete_still_fail(self) -> None:
        for table in ("decisions_decisionversion", "oversight_review"):
            column = "answers" if table == "decisions_decisionversion" else "comment"
            self.refused(f"UPDATE {table} SET {column} = %s WHERE decision_id = %s", ["{}", self.version.decision_id])
            self.refused(f"DELETE FROM {table} WHERE decision_id = %s", [self.version.decision_id])
        with pytest.raises(DatabaseError), transaction.atomic():
            DecisionVersion.objects.filter(pk=self.version.pk).update(answers={})
        with pytest.raises(DatabaseError), transaction.atomic():
            Review.objects.filter(decision_id=self.version.decision_id).update(comment="changed")

    def test_a_permit_without_the_token_or_the_token_without_a_permit_fails(self) -> None:
        decision_id = self.version.decision_id
        with transaction.atomic():
            DisposalPermit.objects.create(decision_id=decision_id, token="guessed")
            self.refused(
                "UPDATE decisions_decisionversion SET answers = %s WHERE decision_id = %s", ["{}", decision_id]
            )
            DisposalPermit.objects.filter(decision_id=decision_id).delete()
        with transaction.atomic(), disposal_path(self.other_decision().pk):
            # The path is open for another decision only.
            self.refused(
                "UPDATE decisions_decisionversion SET answers = %s WHERE decision_id = %s", ["{}", decision_id]
            )

    def test_the_path_keeps_the_evidence_columns(self) -> None:
        decision_id = self.version.decision_id
        with transaction.atomic(), disposal_path(decision_id):
            self.refused(
                "UPDATE decisions_decisionversion SET content_hash = %s WHERE decision_id = %s", ["0" * 64, decision_id]
            )
            self.refused("DELETE FROM decisions_decisionversion WHERE decision_id = %s", [decision_id])
            DecisionVersion.objects.filter(decision_id=decision_id).update(answers={"disposed": True})
        assert DecisionVersion.objects.get(pk=self.version.pk).answers == {"disposed": True}
        assert not DisposalPermit.objects.exists()
        # Closed again afterwards.
        with pytest.raises(DatabaseError), transaction.atomic():
            DecisionVersion.objects.filter(decision_id=decision_id).update(answers={})

    def other_decision(self) -> Decision:
        return old_record(self.amir_practitioner_org_a, amended=False).decision


class PeopleTests(RetentionWorld):
    """With people as rows: the schedule uses the youngest child's date of birth, and disposal removes the
    people no other record names."""

    def setUp(self) -> None:
        from django.utils import timezone

        from decisions.models import DecisionPerson, Person
        from decisions.people import normalise_name

        self.version = old_record(self.alice_practitioner_org_a)
        self.other = old_record(self.amir_practitioner_org_a, amended=False, named=False)

        def person(name: str, born: dt.date | None) -> Person:
            return Person.objects.create(
                organisation=self.org_a, full_name=name, search_name=normalise_name(name), date_of_birth=born,
                birth_date_accuracy="exact" if born else "unknown", created_at=timezone.now(),
                created_by=self.alice_practitioner_org_a,
            )  # fmt: skip

        # The record's child (added by the people page) turns out to have a known date of birth.
        self.child = DecisionPerson.objects.get(decision=self.version.decision).person
        Person.objects.filter(pk=self.child.pk).update(date_of_birth=CHILD_BORN, birth_date_accuracy="exact")
        self.sibling = person("Ottoline Quist", dt.date(2000, 1, 2))
        self.parent = person("Parent Shared", None)
        for position, (who, part) in enumerate([(self.sibling, "other_child"), (self.parent, "parent_carer")], 1):
            DecisionPerson.objects.create(decision=self.version.decision, person=who, part=part, position=position)
        DecisionPerson.objects.create(decision=self.other.decision, person=self.parent, part="parent_carer")
        self.decision = Decision.objects.get(pk=self.version.decision_id)
        schedule.refresh(self.decision)

    def test_youngest_child_sets_the_review_date(self) -> None:
        assert schedule.youngest_child_born_on(self.decision) == dt.date(2011, 3, 17)
        assert schedule.retention_review_date(self.decision) == dt.date(2036, 3, 17)
        assert RetentionSchedule.objects.get(decision=self.decision).youngest_child_born_on == dt.date(2011, 3, 17)
        with pytest.raises(services.DisposalRefused, match="not due for retention review until 17 March 2036"):
            self.propose(self.decision)

    def test_disposal_removes_people_only_this_record_names(self) -> None:
        from decisions.models import DecisionPerson, Person

        assert traces_in(database_dump())
        with at(dt.datetime(2036, 3, 18, 9, 0, tzinfo=LONG_AGO.tzinfo)):
            proposal = self.propose(self.decision)
            services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)
        # The other record's people stay.
        assert set(Person.objects.values_list("full_name", flat=True)) == {"Parent Shared", "A.B."}
        assert not DecisionPerson.objects.filter(decision=self.decision).exists()
        assert DecisionPerson.objects.filter(decision=self.other.decision, person=self.parent).exists()
        dump = database_dump()
        assert traces_in(dump) == [] and "Ottoline" not in dump and "2000-01-02" not in dump
        assert AuditEvent.objects.get(action=actions.DISPOSAL_APPROVE).details["people"] == 2
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert out.getvalue().startswith("OK")
