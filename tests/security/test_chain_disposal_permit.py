"""Issue 25 item 8: a database writer inserted a disposal permit, set the disposal token (`set_config('app.disposal',
…)` on PostgreSQL) and rewrote a submitted version's answers, keeping its hash. The disposal path now lets through
only the content disposal writes, and verify_audit recomputes every version's hash against its submission."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from audit.verify import verify_chains
from decisions.models import DecisionVersion
from retention import services as retention
from retention.db import TOKEN_ATTRIBUTE
from retention.models import DisposalPermit

from ..audit_helpers import triggers_disabled
from ..retention_helpers import old_record
from ..test_retention_disposal import RetentionWorld

FORGED = {"request": {"case_reference": "FORGED-1"}, "note": "nothing to see"}


def forge_permit(decision_id: int) -> None:
    """What a writer with the application's database credentials can do by hand."""
    token = "a" * 64
    DisposalPermit.objects.create(decision_id=decision_id, token=token)
    setattr(connection, TOKEN_ATTRIBUTE, token)  # SQLite: the function only this process has
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.disposal', %s, true)", [token])


def rewrite(version_id: int, answers: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE decisions_decisionversion SET answers = %s WHERE id = %s", [json.dumps(answers), version_id]
        )


class ForgedDisposalPermit(RetentionWorld):
    def setUp(self) -> None:
        self.version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)

    def tearDown(self) -> None:
        setattr(connection, TOKEN_ATTRIBUTE, None)

    def test_a_forged_permit_cannot_rewrite_answers(self) -> None:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            forge_permit(self.version.decision_id)
            rewrite(self.version.pk, FORGED)
        assert DecisionVersion.objects.get(pk=self.version.pk).answers == self.version.answers

    def test_a_forged_permit_cannot_change_a_review_comment_to_anything_else(self) -> None:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            forge_permit(self.version.decision_id)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE oversight_review SET comment = 'all fine' WHERE decision_id = %s",
                    [self.version.decision_id],
                )

    def test_answers_rewritten_behind_the_triggers_fail_the_chain_check(self) -> None:
        assert verify_chains(save=False).ok
        with triggers_disabled("decisions_decisionversion"):
            rewrite(self.version.pk, FORGED)
        report = verify_chains(save=False)
        assert report.ok is False and "does not match its content hash" in report.message, report.message

    def test_answers_emptied_without_a_disposal_fail_the_chain_check(self) -> None:
        with transaction.atomic():
            forge_permit(self.version.decision_id)
            rewrite(self.version.pk, {"disposed": True})
            setattr(connection, TOKEN_ATTRIBUTE, None)
        report = verify_chains(save=False)
        assert report.ok is False and "without a disposal" in report.message, report.message

    def test_a_real_disposal_still_goes_through_and_verifies(self) -> None:
        proposal = retention.disposal_propose(
            by=self.ada_admin_org_a, decision=self.version.decision, reason="Past the retention period"
        )
        retention.disposal_approve(by=self.abe_admin_org_a, proposal=proposal)
        assert DecisionVersion.objects.get(pk=self.version.pk).answers == {"disposed": True}
        assert verify_chains(save=False).ok
