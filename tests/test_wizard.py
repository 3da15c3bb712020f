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
