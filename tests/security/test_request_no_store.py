"""Issue 25 item 11: pages with children's data (a decision, a person, the list filtered by name, the audit log,
retention) were sent with no Cache-Control, so a browser or proxy could keep them. Every page is no-store."""

from __future__ import annotations

from django.urls import reverse

from decisions.models import Decision

from ..retention_helpers import old_record
from ..test_retention_disposal import RetentionWorld


class PagesAreNotStored(RetentionWorld):
    def test_pages_with_childrens_data_are_no_store(self) -> None:
        version = old_record(self.alice_practitioner_org_a, self.sue_supervisor_org_a)
        decision = Decision.objects.get(pk=version.decision_id)
        admin = self.client_for(self.ada_admin_org_a)
        supervisor = self.client_for(self.sue_supervisor_org_a)
        pages = [
            (supervisor, reverse("decisions:detail", args=[decision.reference])),
            (supervisor, reverse("decisions:list") + "?q=Zebedee"),
            (supervisor, reverse("audit:log") + "?q=Zebedee"),
            (supervisor, reverse("home")),
            (admin, reverse("retention:due")),
        ]
        for client, page in pages:
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            assert "no-store" in response.get("Cache-Control", ""), page

    def test_the_sign_in_page_is_no_store_too(self) -> None:
        response = self.client.get(reverse("accounts:login"))
        assert "no-store" in response.get("Cache-Control", "")
