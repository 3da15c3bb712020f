"""The retention pages: due list, a record's page (hold, propose, approve, cancel), the organisation hold,
the tombstones, and the schedule on the settings page."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Organisation, Role
from audit import actions
from audit.models import AuditEvent
from decisions.choices import DecisionStatus
from decisions.guidance import edition
from decisions.models import Decision
from retention.models import DisposalProposal, LegalHold, ProposalStatus, Tombstone

from .base import World, form_errors, make_user
from .retention_helpers import old_record

DUE = reverse("retention:due")
ORG_HOLD = reverse("retention:organisation_hold")
DISPOSED = reverse("retention:disposed")
SETTINGS = reverse("oversight:organisation")


class RetentionPages(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.abe_admin_org_a = make_user("abe_admin", cls.org_a, Role.ADMIN, cls.team_a)
        cls.due = old_record(cls.alice_practitioner_org_a, amended=False).decision
        cls.due_b = old_record(cls.bob_practitioner_org_b, amended=False).decision

    def setUp(self) -> None:
        self.recent = old_record(self.alice_practitioner_org_a, amended=False).decision
        # Recent: touched today, so not due.
        from retention import schedule

        Decision.objects.filter(pk=self.recent.pk).update(updated_at=self.recent.updated_at.replace(year=2026))
        self.recent.refresh_from_db()
        schedule.refresh(self.recent)

    def url(self, decision: Decision) -> str:
        return reverse("retention:record", args=[decision.reference])

    def post(self, user, decision: Decision, **data: str):  # type: ignore[no-untyped-def]
        return self.client_for(user).post(self.url(decision), data)


class DueListTests(RetentionPages):
    def test_admin_sees_their_organisations_due_records(self) -> None:
        html = self.client_for(self.ada_admin_org_a).get(DUE).content.decode()
        assert "Records due for retention review" in html and "1 record due" in html
        assert self.due.reference in html and self.recent.reference not in html and self.due_b.reference not in html
        assert "14 May 2024" in html  # six years after the last activity, 14 May 2018

    def test_hold_and_proposal_are_shown(self) -> None:
        self.post(self.ada_admin_org_a, self.due, action="propose", **{"propose-reason": "Past the period"})
        html = self.client_for(self.abe_admin_org_a).get(DUE).content.decode()
        assert "Waiting for a second admin" in html and "Disposal proposed" in html

    def test_paginated_in_few_queries(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(DUE)
        for _ in range(3):
            old_record(self.alice_practitioner_org_a, amended=False)
        with CaptureQueriesContext(connection) as four:
            assert "4 records due" in client.get(DUE).content.decode()
        assert len(four) == len(one)
        assert client.get(DUE, {"page": "999"}).status_code == 200
        assert client.get(DUE, {"page": "x"}).status_code == 200

    def test_other_roles_are_refused(self) -> None:
        for user in [self.alice_practitioner_org_a, self.sue_supervisor_org_a, self.aud_auditor_org_a]:
            for url in (DUE, DISPOSED, ORG_HOLD, self.url(self.due)):
                assert self.client_for(user).get(url).status_code == 403, (user, url)

    def test_wrong_method(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        assert client.post(DUE).status_code == 405 and client.post(DISPOSED).status_code == 405
        assert client.delete(self.url(self.due)).status_code == 405

    def test_home_and_header_link_to_it(self) -> None:
        html = self.client_for(self.ada_admin_org_a).get("/").content.decode()
        assert f'href="{DUE}"' in html and "1 due" in html


class RecordPageTests(RetentionPages):
    def test_two_admin_disposal(self) -> None:
        response = self.post(self.ada_admin_org_a, self.due, action="propose", **{"propose-reason": "No open case"})
        assert response.status_code == 302
        proposal = DisposalProposal.objects.get(decision=self.due)
        # The proposer is not offered approval, and cannot approve by posting.
        html = self.client_for(self.ada_admin_org_a).get(self.url(self.due)).content.decode()
        assert "A different admin must approve it" in html and 'value="approve"' not in html
        response = self.post(self.ada_admin_org_a, self.due, action="approve", **{"approve-confirm": "on"})
        assert "A different admin must approve this disposal" in form_errors(response)
        assert DisposalProposal.objects.get(pk=proposal.pk).status == ProposalStatus.PROPOSED
        # The second admin must confirm.
        response = self.post(self.abe_admin_org_a, self.due, action="approve")
        assert "Confirm that you have checked" in form_errors(response)
        assert Decision.objects.get(pk=self.due.pk).status == DecisionStatus.SUBMITTED
        response = self.post(self.abe_admin_org_a, self.due, action="approve", **{"approve-confirm": "on"})
        assert response.status_code == 302
        assert Decision.objects.get(pk=self.due.pk).status == DecisionStatus.DISPOSED
        html = self.client_for(self.abe_admin_org_a).get(self.url(self.due)).content.decode()
        assert "Tombstone" in html and "Ada Admin" in html and "Abe Admin" in html and "No open case" in html
        assert self.due.current_version.content_hash in html
        # The edition by its name, not its code (issue 24 item 11).
        assert f'<dd class="govuk-summary-list__value">{edition(self.due.edition).title}</dd>' in html
        assert self.due.reference in self.client_for(self.ada_admin_org_a).get(DISPOSED).content.decode()
        # Gone from every other page.
        for user in [self.alice_practitioner_org_a, self.ada_admin_org_a]:
            detail = reverse("decisions:detail", args=[self.due.reference])
            assert self.client_for(user).get(detail).status_code == 404
        assert Tombstone.objects.get(decision=self.due).approved_by == self.abe_admin_org_a

    def test_hold_blocks_and_lift(self) -> None:
        response = self.post(self.ada_admin_org_a, self.due, action="hold", **{"hold-reason": "Inquiry"})
        assert response.status_code == 302
        html = self.client_for(self.ada_admin_org_a).get(self.url(self.due)).content.decode()
        assert "On hold since" in html and 'value="propose"' not in html
        response = self.post(self.ada_admin_org_a, self.due, action="propose", **{"propose-reason": "Try"})
        assert "on legal hold" in form_errors(response)
        assert not DisposalProposal.objects.exists()
        response = self.post(self.abe_admin_org_a, self.due, action="lift", **{"lift-reason": "Inquiry over"})
        assert response.status_code == 302 and not LegalHold.objects.filter(lifted_at=None).exists()

    def test_cancel(self) -> None:
        self.post(self.ada_admin_org_a, self.due, action="propose", **{"propose-reason": "No open case"})
        assert self.post(self.abe_admin_org_a, self.due, action="cancel").status_code == 302
        assert DisposalProposal.objects.get().status == ProposalStatus.CANCELLED
        response = self.post(self.abe_admin_org_a, self.due, action="cancel")
        assert "not waiting for approval" in form_errors(response)

    def test_invalid_input_saves_nothing(self) -> None:
        for action, field, message in [
            ("hold", "hold-reason", "Enter why the record must be kept"),
            ("propose", "propose-reason", "Enter why the record can be disposed of"),
            ("lift", "lift-reason", "Enter why the hold can be lifted"),
        ]:
            response = self.post(self.ada_admin_org_a, self.due, action=action, **{field: "   "})
            assert response.status_code == 200 and message in form_errors(response), action
        response = self.post(self.ada_admin_org_a, self.due, action="nonsense")
        assert response.status_code == 400 and "Choose what to do" in form_errors(response)
        response = self.post(self.ada_admin_org_a, self.due, action="propose", **{"propose-reason": "x" * 2001})
        assert "2,000 characters or fewer" in form_errors(response)
        content = response.content.decode()
        assert "x" * 2001 in content and 'data-maxlength="2000"' in content and " maxlength=" not in content
        assert not LegalHold.objects.exists() and not DisposalProposal.objects.exists()
        assert not AuditEvent.objects.filter(action__in=[actions.LEGAL_HOLD_PLACE, actions.DISPOSAL_PROPOSE]).exists()

    def test_not_due_is_not_offered(self) -> None:
        html = self.client_for(self.ada_admin_org_a).get(self.url(self.recent)).content.decode()
        assert "Not due" in html and 'value="propose"' not in html
        response = self.post(self.ada_admin_org_a, self.recent, action="propose", **{"propose-reason": "Early"})
        assert "not due for retention review until" in form_errors(response)

    def test_other_organisation_and_missing_are_404(self) -> None:
        client = self.client_for(self.bea_admin_org_b)
        assert client.get(self.url(self.due)).status_code == 404
        response = client.post(self.url(self.due), {"action": "hold", "hold-reason": "Not mine"})
        assert response.status_code == 404 and not LegalHold.objects.exists()
        assert (
            self.client_for(self.ada_admin_org_a).get(reverse("retention:record", args=["OA-1999-99999"])).status_code
            == 404
        )


class OrganisationHoldTests(RetentionPages):
    def test_place_and_lift(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        assert client.post(ORG_HOLD, {"hold-reason": "IICSA asked us to keep everything"}).status_code == 302
        hold = LegalHold.objects.get(decision=None)
        assert hold.organisation == self.org_a
        assert "Every record is on legal hold" in client.get(DUE).content.decode()
        html = self.client_for(self.bea_admin_org_b).get(DUE).content.decode()
        assert "Every record is on legal hold" not in html
        response = self.post(self.abe_admin_org_a, self.due, action="propose", **{"propose-reason": "Try"})
        assert "records are on legal hold" in form_errors(response)
        assert client.post(ORG_HOLD, {"lift-reason": "Inquiry reported"}).status_code == 302
        assert LegalHold.objects.get(pk=hold.pk).lifted_by == self.ada_admin_org_a

    def test_invalid(self) -> None:
        response = self.client_for(self.ada_admin_org_a).post(ORG_HOLD, {"hold-reason": ""})
        assert "Enter why every record must be kept" in form_errors(response)
        assert not LegalHold.objects.exists()


class RetentionSettingsTests(World):
    def test_admin_changes_the_schedule_audited(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        html = client.get(SETTINGS).content.decode()
        assert "Retention schedule" in html and 'value="25"' in html and 'value="6"' in html
        response = client.post(
            SETTINGS, {"form": "retention", "retention_child_age_years": "30", "retention_no_birth_date_years": "6"}
        )
        assert response.status_code == 302
        org = Organisation.objects.get(pk=self.org_a.pk)
        assert (org.retention_child_age_years, org.retention_no_birth_date_years) == (30, 6)
        assert Organisation.objects.get(pk=self.org_b.pk).retention_child_age_years == 25
        event = AuditEvent.objects.get(action=actions.ORG_SETTINGS_CHANGE)
        assert event.details == {"retention_child_age_years": {"from": 25, "to": 30}}

    def test_invalid_schedule(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        for data, message in [
            ({"retention_child_age_years": "", "retention_no_birth_date_years": "6"}, "Enter the age"),
            ({"retention_child_age_years": "ten", "retention_no_birth_date_years": "6"}, "must be a whole number"),
            ({"retention_child_age_years": "12", "retention_no_birth_date_years": "6"}, "must be 18 or more"),
            ({"retention_child_age_years": "25", "retention_no_birth_date_years": "0"}, "must be 1 or more"),
        ]:
            response = client.post(SETTINGS, {"form": "retention", **data})
            assert response.status_code == 200 and message in form_errors(response), data
        assert Organisation.objects.get(pk=self.org_a.pk).retention_child_age_years == 25
        assert not AuditEvent.objects.filter(action=actions.ORG_SETTINGS_CHANGE).exists()

    def test_other_roles_cannot_change_it(self) -> None:
        response = self.client_for(self.sue_supervisor_org_a).post(
            SETTINGS, {"form": "retention", "retention_child_age_years": "30", "retention_no_birth_date_years": "6"}
        )
        assert response.status_code == 403
        assert Organisation.objects.get(pk=self.org_a.pk).retention_child_age_years == 25
