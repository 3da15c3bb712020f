"""The dashboard: figures counted by the database, charts from a data island, and tables without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse

from oversight import services
from oversight.selectors import dashboard_figures

from .base import World
from .factories import amend
from .oversight_helpers import (
    EARLY_DATES,
    count_queries,
    no_share,
    not_sought,
    refused_but_shared,
    share_all,
    share_some,
)
from .wizard_helpers import NO_SHARE

URL = reverse("oversight:dashboard")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


class DashboardFiguresTests(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        alice, amir, sue = cls.alice_practitioner_org_a, cls.amir_practitioner_org_a, cls.sue_supervisor_org_a
        with at(dt.datetime(2025, 11, 30, 23, 30, tzinfo=dt.UTC)):  # 30 November in London: before the window
            cls.too_old = share_all(alice, EARLY_DATES)
        with at(dt.datetime(2025, 12, 1, 0, 30, tzinfo=dt.UTC)):
            cls.december = share_all(alice, EARLY_DATES)
        with at(dt.datetime(2025, 12, 2, 10, 0, tzinfo=dt.UTC)):
            services.review_return(by=sue, decision=cls.december.decision, version=cls.december, comment="Why?")
        with at(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)):  # 00:30 on 1 July in London (BST)
            cls.july = no_share(amir, EARLY_DATES)
        with at(dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)):
            cls.october_some = share_some(alice, EARLY_DATES)
        with at(dt.datetime(2026, 10, 6, 9, 0, tzinfo=dt.UTC)):
            services.review_approve(by=sue, decision=cls.october_some.decision, version=cls.october_some)
        with at(dt.datetime(2026, 10, 10, 9, 0, tzinfo=dt.UTC)):
            cls.october_not_sought = not_sought(amir, ["delay", "evidence_loss"], EARLY_DATES)
        with at(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)):
            cls.november_refused = refused_but_shared(alice, EARLY_DATES)
        with at(dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)):
            services.review_return(
                by=sue, decision=cls.november_refused.decision, version=cls.november_refused, comment="x"
            )
        with at(dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)):
            cls.november_not_sought = not_sought(alice, ["other"], EARLY_DATES)
        with at(dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.UTC)):
            # December's decision, amended to "do not share": it stays in December, counted as not shared.
            amend(
                alice,
                cls.december,
                "Decided not to share",
                {"decision": {**NO_SHARE, "reasons": "No"}, "requester_told": {}, "alternatives": {}},
            )
        # Another organisation's decisions never count.
        with at(dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)):
            not_sought(cls.bob_practitioner_org_b, ["delay"], EARLY_DATES)
            share_all(cls.bob_practitioner_org_b, EARLY_DATES)

    def figures(self) -> Any:
        with at(NOW):
            return dashboard_figures(self.sue_supervisor_org_a)

    def test_decisions_per_month_by_outcome_in_london_months(self) -> None:
        figures = self.figures()
        months = {row.month: (row.share_all, row.share_some, row.no_share) for row in figures.months}
        assert list(months)[0] == dt.date(2025, 12, 1) and list(months)[-1] == dt.date(2026, 11, 1)
        assert len(months) == 12
        assert months[dt.date(2025, 12, 1)] == (0, 0, 1)
        assert months[dt.date(2026, 7, 1)] == (0, 0, 1)
        assert months[dt.date(2026, 6, 1)] == (0, 0, 0)
        assert months[dt.date(2026, 10, 1)] == (1, 1, 0)
        assert months[dt.date(2026, 11, 1)] == (2, 0, 0)
        assert sum(row.total for row in figures.months) == figures.total == 6

    def test_consent_figures_and_reasons(self) -> None:
        figures = self.figures()
        assert (figures.consent_sought, figures.total, figures.consent_sought_rate) == (4, 6, "67%")
        assert (figures.shared_without_consent, figures.sharing, figures.shared_without_consent_rate) == (3, 4, "75%")
        assert dict(figures.without_consent_by_status) == {
            "Consent refused": 1,
            "Consent withdrawn": 0,
            "Consent could not be obtained": 0,
            "Consent not sought": 2,
        }
        # delay, parent, evidence, other (2018), then 2024 five reasons, none given
        assert [n for _, n in figures.not_sought_reasons] == [1, 0, 1, 1, 0, 0, 0, 0, 0]

    def test_review_figures(self) -> None:
        figures = self.figures()
        assert figures.awaiting == 5
        assert figures.oldest_awaiting == self.too_old.submitted_at
        assert [n for _, n in figures.awaiting_by_age] == [1, 1, 0, 3]
        assert figures.returned_now == 1
        assert (figures.signed_off_in_period, figures.returned_in_period) == (1, 2)

    def test_the_page_shows_the_same_figures_in_tables_and_chart_data(self) -> None:
        with at(NOW):
            response = self.client_for(self.sue_supervisor_org_a).get(URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Decisions first submitted from 1 December 2025 to today" in html
        november = re.search(r"November 2026</th>(.*?)</tr>", html, re.S)
        assert november and re.findall(r">(\d+)</td>", november.group(1)) == ["2", "0", "0", "2"]
        assert "4 of 6 decisions (67%)" in html and "3 of 4 decisions to share (75%)" in html
        assert "the oldest has waited 354 days" in html
        island = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
        assert island is not None
        data = json.loads(island.group(1))
        assert data["months"]["labels"][-1] == "Nov 2026"
        assert [s["data"][-1] for s in data["months"]["series"]] == [2, 0, 0]
        assert data["reasons"]["series"][0]["data"] == [1, 0, 1, 1, 0, 0, 0, 0, 0]
        assert data["ages"]["series"][0]["data"] == [1, 1, 0, 3]

    def test_admin_sees_it_too(self) -> None:
        with at(NOW):
            response = self.client_for(self.ada_admin_org_a).get(URL)
        assert response.status_code == 200 and "4 of 6 decisions (67%)" in response.content.decode()
        assert "Go to the decisions waiting for review" not in response.content.decode()

    def test_another_organisation_sees_only_its_own(self) -> None:
        with at(NOW):
            figures = dashboard_figures(self.sid_supervisor_org_b)
        assert figures.total == 2 and figures.shared_without_consent == 1 and figures.awaiting == 2


class DashboardPageTests(World):
    def test_wrong_roles_and_methods(self) -> None:
        for user in [self.alice_practitioner_org_a, self.nobody_without_org]:
            assert self.client_for(user).get(URL).status_code == 403, user
        assert self.client_for(self.sue_supervisor_org_a).post(URL).status_code == 405
        # Auditors read it (it changes nothing).
        assert self.client_for(self.aud_auditor_org_a).get(URL).status_code == 200

    def test_an_empty_organisation(self) -> None:
        html = self.client_for(self.sue_supervisor_org_a).get(URL).content.decode()
        assert "0 of 0 decisions (–)" in html and "the oldest has waited" not in html

    def test_charts_are_local_scripts_without_inline_code(self) -> None:
        html = self.client_for(self.sue_supervisor_org_a).get(URL).content.decode()
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        for attributes, body in scripts:
            assert 'src="/static/' in attributes or 'type="application/json"' in attributes, attributes
            if "src=" in attributes:
                assert body.strip() == ""
        assert 'src="/static/vendor/chart.umd.min.js"' in html and 'src="/static/js/dashboard.js"' in html
        assert finders.find("js/dashboard.js")
        assert finders.find("vendor/chart.umd.min.js"), "run `make assets` to copy Chart.js from node_modules"
        # Charts are hidden until the script draws them; the tables always show.
        assert html.count('data-chart="') == 3 and html.count("hidden>") >= 3
        assert html.count('<table class="govuk-table') == 5  # a table of reasons per edition

    def test_query_count_is_the_same_for_3_and_30_decisions(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        kinds = [share_all, share_some, no_share, not_sought, refused_but_shared]
        for n in range(3):
            kinds[n % len(kinds)](self.alice_practitioner_org_a)
        few, response = count_queries(client, URL)
        assert "3 of 3 decisions" in response.content.decode() or ">3</p>" in response.content.decode()
        for n in range(27):
            version = kinds[n % len(kinds)](self.amir_practitioner_org_a)
            if n % 3 == 0:
                services.review_approve(by=self.sue_supervisor_org_a, decision=version.decision, version=version)
        many, response = count_queries(client, URL)
        assert ">30</p>" in response.content.decode()
        assert few == many, (few, many)


class ReasonsOfEveryEditionTests(World):
    """Issue 24 item 6: why consent was not sought is counted for every edition, in each edition's own words."""

    def setUp(self) -> None:
        from accounts.models import Organisation
        from decisions import examples
        from decisions.choices import Outcome

        with at(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)):
            not_sought(self.alice_practitioner_org_a, ["delay", "other"], EARLY_DATES)
            Organisation.objects.filter(pk=self.org_a.pk).update(guidance_edition="2024")
            examples.record_example_2024_decision(
                by=self.alice_practitioner_org_a,
                outcome=Outcome.NO_SHARE,
                overrides={
                    "consent": {"consent_sought": "no"},
                    "consent_not_sought": {"reasons": ["increase_risk", "delay", "not_basis"]},
                },
            )

    def reasons(self, edition: str = "") -> list[tuple[str, list[tuple[str, int]]]]:
        with at(NOW):
            return dashboard_figures(self.sue_supervisor_org_a, edition=edition).not_sought_reasons_by_edition

    def test_a_2024_decision_with_three_reasons_counts_all_three_in_2024_words(self) -> None:
        assert self.reasons("2024") == [
            (
                "May 2024",
                [
                    ("Asking could increase the risk of harm to the child", 1),
                    ("Asking would cause a delay that could put the child at risk", 1),
                    ("Asking could lead to the loss of evidence", 0),
                    ("Consent is not the lawful basis for this sharing, so it was not needed", 1),
                    ("Another reason", 0),
                ],
            )
        ]

    def test_2018_reasons_are_in_the_procedures_words_and_only_2018_is_counted_there(self) -> None:
        assert self.reasons("2018") == [
            (
                "July 2018",
                [
                    ("Seeking consent is likely to place the child at risk of significant harm through delay", 1),
                    (
                        "Seeking consent is likely to place the child at risk of significant harm through the "
                        "parent's actions or reactions",
                        0,
                    ),
                    ("Seeking consent is likely to lead to the loss of evidential material", 0),
                    ("Another reason", 1),
                ],
            )
        ]

    def test_every_edition_is_shown_without_the_filter_and_the_page_says_likely_to_place(self) -> None:
        assert [title for title, _ in self.reasons()] == ["July 2018", "May 2024"]
        assert sum(n for _, reasons in self.reasons() for _, n in reasons) == 5
        with at(NOW):
            html = self.client_for(self.sue_supervisor_org_a).get(URL).content.decode()
        assert "Under the May 2024 advice" in html and "Under the July 2018 advice" in html
        assert "Consent is not the lawful basis for this sharing" in html
        assert "is likely to place the child at risk" in html and "would put the child at risk" not in html
        island = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
        assert island is not None
        data = json.loads(island.group(1))["reasons"]
        assert len(data["labels"]) == 9 and sum(data["series"][0]["data"]) == 5
        assert " ".join(data["labels"][4]) == "May 2024: Asking could increase the risk of harm to the child"
