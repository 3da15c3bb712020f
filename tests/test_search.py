"""Search and filters on the decision list: every filter stays inside what the user may see, bad input is a
GOV.UK error (never a 500), and keyset pages cover every decision once, in order, both ways."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from decisions import search
from decisions import services as decision_services
from decisions.models import Decision
from oversight import services as oversight_services

from .base import World
from .factories import make_submitted_decision
from .test_fuzz import FUZZ, JUNK, form_data, no_server_error, rolled_back
from .wizard_helpers import NO_SHARE, NO_SHARE_PATH

LIST = reverse("decisions:list")


def references(html: str) -> set[str]:
    return set(re.findall(r'href="/decisions/(O[AB]-\d{4}-\d{5})"', html))


class SearchWorld(World):
    """In each organisation: a consented share, a no-share signed off, and a draft; the same case reference."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.made: dict[str, dict[str, str]] = {}
        with time_machine.travel(dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC), tick=False):
            for org, practitioner, supervisor in (
                ("a", cls.alice_practitioner_org_a, cls.sue_supervisor_org_a),
                ("b", cls.bob_practitioner_org_b, cls.sid_supervisor_org_b),
            ):
                share = make_submitted_decision(practitioner)
                with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), tick=False):
                    no_share = make_submitted_decision(practitioner, NO_SHARE_PATH, overrides={"decision": NO_SHARE})
                    oversight_services.review_approve(by=supervisor, decision=no_share.decision, version=no_share)
                draft = decision_services.decision_start(by=practitioner)
                Decision.objects.filter(pk__in=[share.decision_id, no_share.decision_id]).update(
                    case_reference="CASE-77"
                )
                cls.made[org] = {
                    "share": share.decision.reference,
                    "no_share": no_share.decision.reference,
                    "draft": draft.decision.reference,
                }

    def shown(self, user, query: dict | str) -> set[str]:  # type: ignore[no-untyped-def]
        response = self.client_for(user).get(LIST, query)
        assert response.status_code == 200
        return references(response.content.decode())


class FilterScopingTests(SearchWorld):
    """Each filter, matching records in both organisations, shows only the user's own organisation's."""

    def queries(self, org: str) -> list[tuple[dict, set[str]]]:
        made = self.made[org]
        prefix = "OA" if org == "a" else "OB"
        return [
            ({"reference": made["share"]}, {made["share"]}),
            ({"reference": made["share"].lower()}, {made["share"]}),
            ({"reference": "OA-2026"}, {made["share"], made["no_share"]} if org == "a" else set()),
            ({"reference": f"{prefix}-2026"}, {made["share"], made["no_share"]}),
            ({"case_reference": "case-77"}, {made["share"], made["no_share"]}),
            ({"submitted_from_0": "15", "submitted_from_1": "11", "submitted_from_2": "2026"}, {made["no_share"]}),
            ({"submitted_to_0": "14", "submitted_to_1": "11", "submitted_to_2": "2026"}, {made["share"]}),
            ({"outcome": "no_share"}, {made["no_share"]}),
            ({"outcome": ["no_share", "share_all"]}, {made["share"], made["no_share"]}),
            ({"consent": "given"}, {made["share"], made["no_share"]}),
            ({"consent": ["refused", "not_sought"]}, set()),
            ({"review": "signed_off"}, {made["no_share"]}),
            ({"review": "awaiting"}, {made["share"]}),
            ({"edition": "2018"}, {made["share"], made["no_share"]}),
        ]

    def test_supervisors_auditors_and_admins_see_only_their_organisation(self) -> None:
        for user, org in (
            (self.sue_supervisor_org_a, "a"),
            (self.aud_auditor_org_a, "a"),
            (self.ada_admin_org_a, "a"),
            (self.sid_supervisor_org_b, "b"),
            (self.bea_admin_org_b, "b"),
        ):
            for query, expected in self.queries(org):
                assert self.shown(user, query) == expected, (user, query)

    def test_a_practitioner_sees_only_their_own_including_drafts(self) -> None:
        made = self.made["a"]
        assert self.shown(self.alice_practitioner_org_a, {"edition": "2018"}) == set(made.values())
        assert self.shown(self.alice_practitioner_org_a, {"reference": made["draft"]}) == {made["draft"]}
        assert self.shown(self.amir_practitioner_org_a, {"edition": "2018"}) == set()
        assert self.shown(self.bob_practitioner_org_b, {"reference": made["share"]}) == set()

    def test_the_team_filter_offers_only_the_users_teams(self) -> None:
        made = self.made["a"]
        assert self.shown(self.sue_supervisor_org_a, {"team": str(self.team_a.pk)}) == {made["share"], made["no_share"]}
        response = self.client_for(self.sue_supervisor_org_a).get(LIST, {"team": str(self.team_b.pk)})
        html = response.content.decode()
        assert response.status_code == 200 and "Select a team from the list" in html and "govuk-error-summary" in html
        assert references(html) == set()
        assert "Front door B" not in html

    def test_a_user_without_an_organisation_is_refused(self) -> None:
        response = self.client_for(self.nobody_without_org).get(LIST, {"reference": self.made["a"]["share"]})
        assert response.status_code == 403

    def test_only_get(self) -> None:
        assert self.client_for(self.sue_supervisor_org_a).post(LIST, {"reference": "OA"}).status_code == 405


class FilterPageTests(SearchWorld):
    def test_selected_filters_are_shown_with_links_that_remove_them_and_a_count(self) -> None:
        made = self.made["a"]
        html = (
            self.client_for(self.sue_supervisor_org_a)
            .get(LIST, {"case_reference": "CASE-77", "outcome": ["no_share", "share_all"]})
            .content.decode()
        )
        assert "2 decisions match" in html and "Selected filters" in html
        assert 'Remove<span class="govuk-visually-hidden"> filter</span> case reference: CASE-77' in html
        assert 'href="?outcome=no_share&amp;outcome=share_all"' in html  # without the case reference
        assert 'href="?case_reference=CASE-77&amp;outcome=share_all"' in html  # without "Do not share"
        assert "Clear filters" in html and references(html) == {made["share"], made["no_share"]}

    def test_no_filters_no_selected_list_and_the_plain_count(self) -> None:
        html = self.client_for(self.sue_supervisor_org_a).get(LIST).content.decode()
        assert "Selected filters" not in html and "Clear filters" not in html and "2 decisions" in html

    def test_the_filters_keep_the_show_view(self) -> None:
        made = self.made["a"]
        html = (
            self.client_for(self.alice_practitioner_org_a)
            .get(LIST, {"show": "signed_off", "case_reference": "case-77"})
            .content.decode()
        )
        assert references(html) == {made["no_share"]}
        assert '<input type="hidden" name="show" value="signed_off">' in html

    def test_nothing_matches(self) -> None:
        html = self.client_for(self.sue_supervisor_org_a).get(LIST, {"case_reference": "nothing"}).content.decode()
        assert "0 decisions match" in html and "No decisions match these filters" in html

    def test_invalid_input_is_a_govuk_error_and_lists_nothing(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        cases = [
            ({"submitted_from_0": "31", "submitted_from_1": "2", "submitted_from_2": "2026"}, "must be a real date"),
            ({"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "26"}, "Year must include 4 numbers"),
            (
                {
                    "submitted_from_0": "2", "submitted_from_1": "1", "submitted_from_2": "2026",
                    "submitted_to_0": "1", "submitted_to_1": "1", "submitted_to_2": "2026",
                },
                "The last date must be the same as or after the first date",
            ),
            ({"outcome": "maybe"}, "Select a decision from the list"),
            ({"consent": "perhaps"}, "Select a consent status from the list"),
            ({"review": "x"}, "Select a review status from the list"),
            ({"edition": "1999"}, "Select an edition from the list"),
            ({"team": "abc"}, "Select a team from the list"),
            ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ]  # fmt: skip
        for query, message in cases:
            response = client.get(LIST, query)
            html = response.content.decode()
            assert response.status_code == 200, query
            assert "govuk-error-summary" in html and message in html, query
            assert "<title>Error: " in html and references(html) == set(), query

    def test_two_queries_for_the_results_whatever_the_filters(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        client.get(LIST)
        counts = []
        for query in ({}, {"case_reference": "CASE-77", "consent": "given"}, {"name": "smith", "outcome": "share_all"}):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(LIST, query).status_code == 200
            counts.append(len(captured))
        assert len(set(counts)) == 1, counts


class KeysetPagingTests(World):
    def test_pages_forward_and_back_cover_every_decision_once_in_order(self) -> None:
        drafts = [decision_services.decision_start(by=self.alice_practitioner_org_a) for _ in range(123)]
        decision_services.decision_start(by=self.bob_practitioner_org_b)
        # Ties on updated_at are broken by id, so equal times neither repeat nor skip a row.
        same = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
        Decision.objects.filter(pk__in=[d.decision_id for d in drafts[:70]]).update(updated_at=same)
        expected = list(
            Decision.objects.filter(owner=self.alice_practitioner_org_a)
            .order_by("-updated_at", "-pk")
            .values_list("reference", flat=True)
        )
        client = self.client_for(self.alice_practitioner_org_a)
        pages: list[list[str]] = []
        html = client.get(LIST, {"show": "drafts"}).content.decode()
        assert "More than" not in html and "123 decisions" in html
        urls = []
        while True:
            pages.append(re.findall(r'href="/decisions/(OA-\d{4}-\d{5})"', html))
            found = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html)
            if not found:
                break
            urls.append(found[1].replace("&amp;", "&"))
            html = client.get(f"{LIST}?{urls[-1]}").content.decode()
        assert [len(p) for p in pages] == [50, 50, 23]
        assert [r for page in pages for r in page] == expected
        assert 'rel="prev"' in html and "show=drafts" in urls[-1]
        # Back from the last page: the same pages in reverse.
        back = [pages[-1]]
        while True:
            found = re.search(r'href="\?([^"]*before=[^"]+)" rel="prev"', html)
            if not found:
                break
            html = client.get(f"{LIST}?{found[1].replace('&amp;', '&')}").content.decode()
            back.append(re.findall(r'href="/decisions/(OA-\d{4}-\d{5})"', html))
        assert back == list(reversed(pages))

    def test_a_tampered_cursor_is_the_first_page(self) -> None:
        decision_services.decision_start(by=self.alice_practitioner_org_a)
        client = self.client_for(self.alice_practitioner_org_a)
        for cursor in ("abc", "1.2.3", "9" * 40 + ".1", "-5.1", "99999999999999999.1", ""):
            response = client.get(LIST, {"after": cursor})
            assert response.status_code == 200 and len(references(response.content.decode())) == 1, cursor

    def test_a_first_page_holding_every_match_is_counted_without_another_query(self) -> None:
        for _ in range(3):
            decision_services.decision_start(by=self.alice_practitioner_org_a)
        qs = Decision.objects.filter(owner=self.alice_practitioner_org_a)
        with CaptureQueriesContext(connection) as queries:
            page = search.page_of(qs)
        assert (page.count, len(page.rows), len(queries)) == (3, 3, 1)
        # A later page still counts them all.
        with CaptureQueriesContext(connection) as queries:
            later = search.page_of(qs, after=search._encode(page.rows[0]))
        assert (later.count, len(later.rows), len(queries)) == (3, 2, 2)

    def test_count_is_capped_for_broad_filters(self) -> None:
        qs = Decision.objects.none()
        page = search.page_of(qs)
        assert (page.count, page.count_capped, page.next_cursor) == (0, False, "")


class SearchFuzzTests(SearchWorld):
    def test_the_query_string_never_gives_a_500_nor_crosses_organisations(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        other = set(self.made["b"].values())
        extra = {
            name: st.lists(
                st.one_of(st.integers(-1, 10**20).map(str), st.from_regex(r"\d{1,20}\.\d{1,20}"), JUNK), max_size=1
            )
            for name in ("after", "before")
        } | {"show": st.lists(st.one_of(st.sampled_from(["drafts", "returned", "signed_off"]), JUNK), max_size=1)}

        @settings(FUZZ, max_examples=40)
        @given(query=form_data(search.DecisionFilterForm(), extra))
        def fuzzed(query: dict[str, list[str]]) -> None:
            with rolled_back(client):
                response = client.get(LIST, query)
                no_server_error(response, f"{query!r:.300}")
                assert response.status_code == 200
                assert not references(response.content.decode()) & other

        fuzzed()


class PersonSearchTests(SearchWorld):
    """Name (partial, any case, any accents) and date of birth, inside the user's organisation only."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from .people_helpers import make_person, put_on_record

        for org, organisation, practitioner in (
            ("a", cls.org_a, cls.alice_practitioner_org_a),
            ("b", cls.org_b, cls.bob_practitioner_org_b),
        ):
            zoe = make_person(organisation, "Zoë O'Brien", dt.date(2015, 6, 1), by=practitioner)
            twin = make_person(organisation, "Zoe Obrien-Smith", dt.date(2016, 1, 2), by=practitioner)
            mother = make_person(organisation, "Siobhán O'Brien", None, by=practitioner)
            made = cls.made[org]
            put_on_record(Decision.objects.get(reference=made["share"]), (zoe, "child"), (mother, "parent_carer"))
            put_on_record(Decision.objects.get(reference=made["no_share"]), (twin, "child"))
            put_on_record(Decision.objects.get(reference=made["draft"]), (zoe, "child"))

    def test_partial_case_and_accent_insensitive_names_in_the_users_organisation_only(self) -> None:
        for user, org in (
            (self.sue_supervisor_org_a, "a"),
            (self.sid_supervisor_org_b, "b"),
            (self.ada_admin_org_a, "a"),
        ):
            made = self.made[org]
            cases = [
                ({"name": "zoe"}, {made["share"], made["no_share"]}),
                ({"name": "ZOË"}, {made["share"], made["no_share"]}),
                ({"name": "  o'brien "}, {made["share"]}),
                ({"name": "siobhan"}, {made["share"]}),
                ({"name": "smith"}, {made["no_share"]}),
                (
                    {"name": "zoe", "date_of_birth_0": "1", "date_of_birth_1": "6", "date_of_birth_2": "2015"},
                    {made["share"]},
                ),
                ({"date_of_birth_0": "2", "date_of_birth_1": "1", "date_of_birth_2": "2016"}, {made["no_share"]}),
                # Name and date of birth must belong to the same person.
                ({"name": "siobhan", "date_of_birth_0": "2", "date_of_birth_1": "1", "date_of_birth_2": "2016"}, set()),
                ({"name": "nobody"}, set()),
                ({"name": "%"}, set()),
                ({"name": "_"}, set()),
            ]
            for query, expected in cases:
                assert self.shown(user, query) == expected, (user, query)

    def test_practitioners_find_their_own_drafts_by_name(self) -> None:
        made = self.made["a"]
        assert self.shown(self.alice_practitioner_org_a, {"name": "zoë o'"}) == {made["share"], made["draft"]}
        assert self.shown(self.amir_practitioner_org_a, {"name": "zoe"}) == set()

    def test_the_name_and_date_of_birth_are_shown_as_selected_filters(self) -> None:
        html = (
            self.client_for(self.sue_supervisor_org_a)
            .get(LIST, {"name": "Zoë", "date_of_birth_0": "1", "date_of_birth_1": "6", "date_of_birth_2": "2015"})
            .content.decode()
        )
        assert "name of a person on the record: zoë" in html.lower() and "date of birth: 1 June 2015" in html
        assert 'href="?name=Zo%C3%AB"' in html  # removing the date of birth keeps the name


def _normalised(html: str) -> str:
    """Markup with the whitespace crispy's templates leave between and inside tags taken out."""
    for pattern, replacement in ((r"\s+", " "), (r">\s+", ">"), (r"\s+<", "<"), (r"\s+>", ">"), (r'="\s+', '="')):
        html = re.sub(pattern, replacement, html)
    return html


class FilterMarkupTests(SearchWorld):
    """The filter form is written out in Python for speed (decisions/filter_html.py); crispy-forms-gds, which
    renders every other form, is the reference its markup must match."""

    def test_the_same_markup_as_crispy_for_any_query(self) -> None:
        from crispy_forms.utils import render_crispy_form
        from django.http import QueryDict

        from decisions.filter_html import filter_form_html

        compared = []

        @settings(FUZZ, max_examples=40)
        @given(data=form_data(search.DecisionFilterForm()))
        def compare(data: dict[str, list[str]]) -> None:
            query = QueryDict(mutable=True)
            for key, values in data.items():
                query.setlist(key, values)
            for bound in (query, None):
                form = search.DecisionFilterForm(data=bound, teams=[self.team_a, self.team_b])
                form.is_valid()
                # Crispy marks a select in error with the input's class; GOV.UK's select has its own.
                expected = _normalised(render_crispy_form(form)).replace(
                    "govuk-select govuk-input--error", "govuk-select govuk-select--error"
                )
                assert _normalised(filter_form_html(form)) == expected
                compared.append(bool(form.errors))

        compare()
        # Both kinds were compared: forms with errors and forms without.
        assert True in compared and False in compared
