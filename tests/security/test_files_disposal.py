"""Issue 25 items 4 and 12: what a disposed record leaves behind. Agencies typed into the record, and export files
holding it whose delete failed once (an immutable file on disk, one error from a bucket), outlived the record."""

from __future__ import annotations

from decisions.models import Decision, DecisionVersion
from retention import services

from ..retention_helpers import old_record
from ..test_retention_disposal import RetentionWorld


class DisposedRecordWorld(RetentionWorld):
    def setUp(self) -> None:
        self.version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)
        self.decision = Decision.objects.get(pk=self.version.decision_id)

    def dispose(self) -> None:
        proposal = self.propose(self.decision)
        services.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)


class RecipientAgenciesGo(DisposedRecordWorld):
    def test_recipient_agencies_are_cleared_on_disposal(self) -> None:
        before = DecisionVersion.objects.filter(decision=self.decision).values_list("recipient_agencies", flat=True)
        assert any(before), "the record should name an agency before disposal"
        self.dispose()
        left = list(DecisionVersion.objects.filter(decision=self.decision).values_list("recipient_agencies", flat=True))
        assert left and set(left) == {""}
