"""Printing a decision's page: the footer says who printed it and when (London time); what is not the record
(forms, downloads) is marked not to print. The print stylesheet itself is checked in a browser
(tests/e2e/test_print.py)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.urls import reverse

from tests.factories import make_submitted_decision

from .base import World

FOOTER = re.compile(r'<p class="app-print-footer">(.*?)</p>', re.S)


class PrintFooterTests(World):
    def footer(self, user: object, reference: str) -> str:
        response = self.client_for(user).get(reverse("decisions:detail", args=[reference]))  # type: ignore[arg-type]
        assert response.status_code == 200
        found = FOOTER.findall(response.content.decode())
        assert len(found) == 1
        return " ".join(found[0].split())

    def test_the_footer_names_whoever_prints_it_in_london_time(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        reference = version.decision.reference
        # 12:05 UTC is 12:05 in London in winter, 13:05 in summer.
        with time_machine.travel(dt.datetime(2026, 11, 10, 12, 5, tzinfo=dt.UTC), tick=False):
            winter = self.footer(self.alice_practitioner_org_a, reference)
        with time_machine.travel(dt.datetime(2027, 7, 1, 12, 5, tzinfo=dt.UTC), tick=False):
            summer = self.footer(self.sue_supervisor_org_a, reference)
        name = self.alice_practitioner_org_a.display_name
        assert winter == f"Printed by {name} on 10 November 2026 at 12:05 – decision {reference}"
        supervisor = self.sue_supervisor_org_a.display_name
        assert summer == f"Printed by {supervisor} on 1 July 2027 at 13:05 – decision {reference}"

    def test_forms_and_downloads_are_not_printed(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        html = (
            self.client_for(self.ada_admin_org_a)
            .get(reverse("decisions:detail", args=[version.decision.reference]))
            .content.decode()
        )
        no_print = html[html.index('<div class="app-no-print">') :]
        assert "Download PDF audit record" in no_print
        supervisor_html = (
            self.client_for(self.sue_supervisor_org_a)
            .get(reverse("decisions:detail", args=[version.decision.reference]))
            .content.decode()
        )
        forms = supervisor_html.rindex('<div class="app-no-print">')
        assert supervisor_html.index("Sign off", forms) > forms

    def test_another_organisations_page_has_nothing_to_print(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        response = self.client_for(self.bob_practitioner_org_b).get(
            reverse("decisions:detail", args=[version.decision.reference])
        )
        assert response.status_code == 404
        assert "app-print-footer" not in response.content.decode()
