"""The decision wizard: steps, branches, drafts, submit and amend."""

from __future__ import annotations

from django.urls import reverse

from decisions.models import Decision

from .base import World, form_errors
from .wizard_helpers import MAIN_PATH, start, submit, walk


class HappyPathTests(World):
    def test_consent_given_share_all_end_to_end(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        assert reference.startswith("OA-")
        walk(client, reference, MAIN_PATH)
        check = client.get(reverse("decisions:check", kwargs={"reference": reference}))
        assert check.status_code == 200
        assert "PC Jane Smith" in check.content.decode()
        response = submit(client, reference)
        assert response.status_code == 302, form_errors(response)
        decision = Decision.objects.get(reference=reference)
        assert decision.status == "submitted"
        version = decision.current_version
        assert version is not None and version.number == 1
        assert version.outcome == "share_all" and version.consent_status == "given"
        assert version.content_hash == version.compute_content_hash()
        detail = client.get(reverse("decisions:detail", kwargs={"reference": reference}))
        assert detail.status_code == 200
        assert "Attendance record" in detail.content.decode()


class FactoryTests(World):
    def test_factory_makes_a_submitted_decision_and_an_amendment(self) -> None:
        from .factories import amend, make_submitted_decision

        v1 = make_submitted_decision(self.alice_practitioner_org_a)
        v2 = amend(self.alice_practitioner_org_a, v1, "Wrong time recorded", {"recipients": {"shared_time": "15:00"}})
        assert (v1.number, v2.number) == (1, 2)
        assert v2.previous_id == v1.pk and v2.amendment_reason == "Wrong time recorded"
        assert v2.answers["recipients"]["shared_time"] == "15:00"
        assert v1.answers["recipients"]["shared_time"] == "14:30"
