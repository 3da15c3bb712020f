"""The dashboard's running counts: after any sequence of submits, amendments and reviews they equal the live
aggregate over every decision, version and review, and `rebuild_dashboard` recomputes exactly them."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from io import StringIO
from typing import Any
from unittest import mock

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django._impl import HypothesisTestCase

from accounts.models import Role, Team, User
from decisions import services, summary
from decisions.models import Decision, DecisionCount, DecisionDraft, DecisionVersion
from oversight import services as review_services
from oversight import summary as oversight_summary
from oversight.selectors import dashboard_figures

from .base import World, make_user
from .dashboard_oracle import live_figures
from .factories import answers_for, make_submitted_decision, with_people
from .oversight_helpers import EARLY_DATES, NOT_SOUGHT_PATH, REFUSED_PATH
from .wizard_helpers import MAIN_PATH, NO_SHARE, NO_SHARE_PATH, SHARE_SOME

START = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)


def _not_sought(reasons: list[str]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    answer: dict[str, Any] = {"reasons": reasons, **{f"reason_{r}": f"Because of {r}" for r in reasons}}
    return NOT_SOUGHT_PATH, {"consent": {"consent_sought": "no"}, "consent_not_sought": answer}


# Every kind of decision the dashboard tells apart: outcomes, consent states, one or several reasons.
KINDS: dict[str, tuple[list[str], dict[str, dict[str, Any]]]] = {
    "share_all": (MAIN_PATH, {}),
    "share_some": (MAIN_PATH, {"decision": SHARE_SOME}),
    "no_share": (NO_SHARE_PATH, {"decision": NO_SHARE}),
    "not_sought_delay": _not_sought(["delay"]),
    "not_sought_three": _not_sought(["parent_reaction", "evidence_loss", "other"]),
    "refused_but_shared": (
        REFUSED_PATH,
        {"consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Father refused"}},
    ),
}


@functools.cache
def answers(kind: str) -> dict[str, Any]:
    steps, overrides = KINDS[kind]
    merged = {key: dict(value) for key, value in EARLY_DATES.items()}
    for key, value in overrides.items():
        merged.setdefault(key, {}).update(value)
    return answers_for(list(steps), merged)


def submit(owner: User, kind: str, *, amending: Decision | None = None) -> DecisionVersion:
    """A decision (or an amendment) submitted through the real services. The answers go into the draft in one
    step rather than page by page: what is counted is decided at submit."""
    if amending is None:
        draft = services.decision_start(by=owner)
    else:
        draft = services.decision_amend_start(by=owner, decision=amending, reason="Changed")
    DecisionDraft.objects.filter(pk=draft.pk).update(answers=with_people(owner, answers(kind)))
    draft.refresh_from_db()
    return services.decision_submit(by=owner, draft=draft)


submits = st.tuples(st.just("submit"), st.integers(0, 4), st.sampled_from(sorted(KINDS)))
amendments = st.tuples(st.just("amend"), st.integers(0, 40), st.sampled_from(sorted(KINDS)))
reviews = st.tuples(st.sampled_from(["approve", "return"]), st.integers(0, 40), st.just(""))
# Each operation happens some hours after the last: sequences cross months, years and clock changes.
operations = st.lists(
    st.tuples(st.one_of(submits, amendments, reviews), st.integers(0, 40 * 24)), min_size=1, max_size=14
)


class RunningCountsTests(HypothesisTestCase, World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        early_help = Team.objects.create(organisation=cls.org_a, name="Early help A")
        cls.practitioners = [
            cls.alice_practitioner_org_a,
            cls.amir_practitioner_org_a,
            make_user("carl_practitioner", cls.org_a, Role.PRACTITIONER, early_help),
            make_user("dina_practitioner", cls.org_a, Role.PRACTITIONER, None),  # no team
            cls.bob_practitioner_org_b,
        ]
        cls.supervisors = {cls.org_a.pk: cls.sue_supervisor_org_a, cls.org_b.pk: cls.sid_supervisor_org_b}

    def assert_counts_match(self, now: dt.datetime) -> None:
        for supervisor in self.supervisors.values():
            org_id = supervisor.membership.organisation_id
            for moment in (now, now + dt.timedelta(days=200)):
                with time_machine.travel(moment, tick=False):
                    assert dashboard_figures(supervisor) == live_figures(org_id), (org_id, moment)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations)
    def test_counts_equal_the_live_aggregate(self, ops: list[tuple[tuple[str, int, str], int]]) -> None:
        now = START
        versions: list[DecisionVersion] = []
        for (action, index, kind), hours in ops:
            now += dt.timedelta(hours=hours)
            with time_machine.travel(now, tick=False):
                if action == "submit":
                    versions.append(submit(self.practitioners[index], kind))
                elif versions:
                    decision = Decision.objects.get(pk=versions[index % len(versions)].decision_id)
                    current = decision.current_version
                    assert current is not None
                    if action == "amend":
                        submit(decision.owner, kind, amending=decision)
                        continue
                    review = review_services.review_approve if action == "approve" else review_services.review_return
                    # Not waiting for a review: refused, nothing changes, and nothing may be counted.
                    with contextlib.suppress(ValidationError):
                        review(by=self.supervisors[decision.organisation_id], decision=decision, version=current,
                               comment="Add the lawful basis")  # fmt: skip
        self.assert_counts_match(now)

        before = {org: summary.stored_counts(org) for org in self.supervisors}
        DecisionCount.objects.update(count=0)
        oversight_summary.rebuild()
        assert {org: summary.stored_counts(org) for org in self.supervisors} == before
        assert not DecisionCount.objects.filter(count__lt=0).exists()


class RebuildCommandTests(World):
    def test_rebuild_restores_lost_counts_for_one_organisation_or_all(self) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
            version = submit(self.alice_practitioner_org_a, "not_sought_three")
            review_services.review_return(by=self.sue_supervisor_org_a, decision=version.decision, version=version,
                                          comment="Why?")  # fmt: skip
            submit(self.alice_practitioner_org_a, "share_some", amending=version.decision)
            submit(self.bob_practitioner_org_b, "share_all")
        expected = {org.pk: summary.stored_counts(org.pk) for org in (self.org_a, self.org_b)}
        march = dt.date(2026, 3, 1)
        assert expected[self.org_a.pk] == {
            (march, "outcome", "share_some"): 1,  # by its current version; not sought and its reasons are gone
            (march, "consent", "given"): 1,
            (march, "sharing_consent", "given"): 1,
            (march, "review_status", "awaiting"): 1,
            (march, "review", "return"): 1,
            (march, "recipient_agency", "West Midlands Police"): 1,
        }

        DecisionCount.objects.all().delete()
        out = StringIO()
        call_command("rebuild_dashboard", "--organisation", "org-b", stdout=out)
        # Outcome, consent, consent when sharing, review status and the agency shared with.
        assert "Dashboard counts rebuilt: 5 rows" in out.getvalue()
        assert summary.stored_counts(self.org_b.pk) == expected[self.org_b.pk]
        assert summary.stored_counts(self.org_a.pk) == {}
        call_command("rebuild_dashboard", stdout=StringIO())
        assert {org.pk: summary.stored_counts(org.pk) for org in (self.org_a, self.org_b)} == expected

    def test_an_unknown_organisation_is_an_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "No organisation with the slug 'nowhere'"):
            call_command("rebuild_dashboard", "--organisation", "nowhere")

    def test_a_new_dimension_is_one_more_fact(self) -> None:
        """What a decision counts as comes from one function: the counts follow whatever it says."""
        original = summary.version_facts

        def with_lawful_basis(version: Any) -> list[summary.Fact]:
            return [*original(version), ("lawful_basis", version.lawful_basis)]

        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
            submit(self.alice_practitioner_org_a, "refused_but_shared")
            fields = (*summary.FACT_FIELDS, "lawful_basis")
            with (
                mock.patch.object(summary, "version_facts", with_lawful_basis),
                mock.patch.object(summary, "FACT_FIELDS", fields),
            ):
                submit(self.alice_practitioner_org_a, "not_sought_delay")
                counted = summary.stored_counts(self.org_a.pk)
                assert sum(n for (_, fact, _), n in counted.items() if fact == "lawful_basis") == 1
                oversight_summary.rebuild()
                counted = summary.stored_counts(self.org_a.pk)
                assert sum(n for (_, fact, _), n in counted.items() if fact == "lawful_basis") == 2


class CountsAfterMigrateTests(World):
    """oversight/migrations/0004 no longer counts with today's models; the counts are made after `migrate` instead
    (a database upgraded from 0.1.0 has decisions and no counts)."""

    def stored(self) -> list[tuple[Any, ...]]:
        return sorted(
            DecisionCount.objects.values_list(
                "organisation_id", "team_key", "edition", "month", "fact", "value", "count"
            )
        )

    def test_decisions_without_counts_are_counted_after_a_migrate_that_applied_something(self) -> None:
        make_submitted_decision(self.alice_practitioner_org_a)
        counted = self.stored()
        DecisionCount.objects.all().delete()
        oversight_summary.count_after_migrate(using="default", plan=[(object(), False)], verbosity=0)
        assert counted and self.stored() == counted

    def test_flush_and_a_migrate_that_applied_nothing_count_nothing(self) -> None:
        make_submitted_decision(self.alice_practitioner_org_a)
        DecisionCount.objects.all().delete()
        oversight_summary.count_after_migrate(using="default", plan=None, verbosity=0)
        oversight_summary.count_after_migrate(using="default", plan=[], verbosity=0)
        assert self.stored() == []

    def test_counts_already_kept_are_not_rebuilt(self) -> None:
        make_submitted_decision(self.alice_practitioner_org_a)
        with mock.patch.object(oversight_summary, "rebuild") as rebuild:
            oversight_summary.count_after_migrate(using="default", plan=[(object(), False)], verbosity=0)
        rebuild.assert_not_called()
