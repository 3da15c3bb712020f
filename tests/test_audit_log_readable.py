"""The audit log page in words: names, what changed, links to records. The CSV keeps its machine columns."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from accounts import twofactor
from audit import actions, readable
from audit import services as audit
from audit.models import AuditEvent
from decisions import services as decision_services
from oversight import services as review_services

from .base import World
from .factories import amend, answers_for, make_submitted_decision
from .oversight_helpers import count_queries

LOG_URL = reverse("audit:log")


def rows_of(html: str) -> list[str]:
    body = html[html.index('<tbody class="govuk-table__body">') : html.index("</tbody>")]
    return body.split('<tr class="govuk-table__row">')[1:]


class ReadableLogTests(World):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)
        self.reference = self.v1.decision.reference
        self.sue = self.client_for(self.sue_supervisor_org_a)

    def log(self, query: str = "") -> str:
        return self.sue.get(LOG_URL + query).content.decode()

    def test_people_are_named_not_numbered(self) -> None:
        twofactor.reset(user=self.aud_auditor_org_a, by=self.ada_admin_org_a, reason="Lost phone")
        html = self.log("?action=two_factor_reset")
        (row,) = rows_of(html)
        assert "Ada Admin" in row and "ada_admin" in row  # who, and their username
        assert "Aud Auditor" in row  # whose verification was reset
        assert "User account" not in html

    def test_another_organisations_person_is_not_named(self) -> None:
        audit.record(
            action=actions.TWO_FACTOR_RESET,
            actor=self.sue_supervisor_org_a,
            organisation=self.org_a,
            target=self.ben_auditor_org_b,
        )
        (row,) = rows_of(self.log("?action=two_factor_reset"))
        assert "Ben Auditor" not in row and "User account" in row

    def test_answers_saved_and_changed_are_said_in_words(self) -> None:
        draft = decision_services.decision_start(by=self.alice_practitioner_org_a)
        advice = answers_for(["advice"])["advice"]
        decision_services.draft_save_step(
            by=self.alice_practitioner_org_a, draft=draft, step_key="advice", answers=advice
        )
        decision_services.draft_save_step(
            by=self.alice_practitioner_org_a, draft=draft, step_key="advice", answers=advice
        )
        rows = rows_of(self.log(f"?reference={draft.decision.reference}&action=decision_step_save"))
        assert "Saved the answers on: Seek advice, no change" in rows[0]
        assert "Changed the answers on: Seek advice" in rows[1]
        assert "changed: True" not in "".join(rows)

    def test_unfinished_answers_are_said_so(self) -> None:
        draft = decision_services.decision_start(by=self.alice_practitioner_org_a)
        decision_services.draft_save_unfinished(
            by=self.alice_practitioner_org_a, draft=draft, step_key="consent", data={"consent_sought": ""}
        )
        (row,) = rows_of(self.log(f"?reference={draft.decision.reference}&action=decision_step_save"))
        assert "Saved unfinished answers on: Consent, to come back to" in row

    def test_an_amendment_says_which_answers_changed(self) -> None:
        amend(
            self.alice_practitioner_org_a,
            self.v1,
            "Add the sibling and the method",
            {"safety": {"others_affected": "Sibling aged 4"}, "recipients": {"method": "secure_email"}},
        )
        rows = rows_of(self.log(f"?reference={self.reference}&action=decision_submit"))
        assert "Version 2" in rows[0] and "Changed the answers on: Safety" in rows[0]
        assert "Version 1: share all of the information" in rows[1] and "Changed the answers" not in rows[1]

    def test_changed_steps_follow_the_questions_order(self) -> None:
        before = {"recipients": {"a": 1}, "consent": {"a": 1}, "request": {"a": 1}}
        after = {"recipients": {"a": 2}, "consent": {"a": 2}, "request": {"a": 1}, "gone_in_2030": {"x": 1}}
        assert readable.changed_steps("2018", before, after) == ["Consent", "Recipients", "Gone in 2030"]
        # An edition the code no longer knows still reads.
        assert readable.changed_steps("1999", {"a_b": 1}, {"a_b": 2}) == ["A b"]

    def test_reviews_settings_and_log_reads_in_words(self) -> None:
        review_services.review_return(
            by=self.sue_supervisor_org_a, decision=self.v1.decision, version=self.v1, comment="Say who was told"
        )
        review_services.organisation_settings_update(by=self.ada_admin_org_a, review_timing="before")
        self.log("?reference=NOPE")
        html = self.log()
        assert "Version 1" in html and "Comment: “Say who was told”" in html
        # The comment is read from the review, not the event (which disposal could not clear).
        event = AuditEvent.objects.get(action=actions.REVIEW_RETURN)
        assert "Say who was told" not in str(event.canonical_payload())
        assert (
            "Review timing changed from “After sharing" in html and "to “Before a decision to share is final”" in html
        )
        # What was typed into a filter is not kept (issue 25 item 9), only that the filter was used.
        assert "Filters: reference (what was typed is not kept)" in html and "0 events shown" in html

    def test_an_event_written_before_comments_left_the_trail_still_shows_its_comment(self) -> None:
        audit.record(
            action=actions.REVIEW_APPROVE,
            actor=self.sue_supervisor_org_a,
            organisation=self.org_a,
            target=self.v1.decision,
            target_ref=self.v1.decision.reference,
            details={"version": 1, "review": 999999, "comment": "Old words"},
        )
        assert "Comment: “Old words”" in self.log()

    def test_a_typed_username_shows_until_it_is_cleared(self) -> None:
        audit.record(
            action=actions.LOGIN_FAILED, organisation=self.org_a, details={"known_user": False}, typed_username="nemo"
        )
        assert "Username typed: nemo" in self.log()

    def test_records_link_to_their_page(self) -> None:
        html = self.log(f"?reference={self.reference}")
        assert (
            f'<a class="govuk-link" href="{reverse("decisions:detail", args=[self.reference])}">{self.reference}</a>'
            in html
        )

    def test_a_page_costs_the_same_with_amendments_and_people(self) -> None:
        plain, _ = count_queries(self.sue, LOG_URL)
        version = self.v1
        for n in range(5):
            version = amend(
                self.alice_practitioner_org_a,
                version,
                f"Fix {n}",
                {"safety": {"others_affected": f"S{n}"}},
            )
            twofactor.reset(user=self.aud_auditor_org_a, by=self.ada_admin_org_a, reason=f"Lost phone {n}")
        busy, response = count_queries(self.sue, LOG_URL)
        assert "Changed the answers on: Safety" in response.content.decode()
        # At most two more: the versions compared and the people named, each once for the page.
        assert busy <= plain + 2, (plain, busy)

    def test_the_csv_keeps_its_machine_readable_columns(self) -> None:
        response = self.sue.get(reverse("audit:export") + f"?reference={self.reference}&action=decision_step_save")
        body = b"".join(response.streaming_content).decode()
        header, first, *_ = list(csv.reader(io.StringIO(body[1:])))
        assert header[:5] == ["Event", "Time (UK)", "Username", "Action", "Action name"]
        assert first[2] == "alice_practitioner" and first[3] == "decision_step_save"
        assert '"changed"' in first[header.index("Details")]


class LayoutTests(World):
    def test_an_amendment_into_a_newer_layout_is_compared_question_by_question(self) -> None:
        from decisions import wizard
        from decisions.models import DecisionVersion

        from .test_old_records import OLD_SHARE_ALL

        reshaped, layout = wizard.reshape("2018", 1, OLD_SHARE_ALL)
        reshaped = {**reshaped, "safety": {**reshaped["safety"], "impact_of_sharing": "Changed in the new layout"}}
        before = DecisionVersion(edition="2018", layout=1, answers=OLD_SHARE_ALL)
        after = DecisionVersion(edition="2018", layout=layout, answers=reshaped)
        changed = readable.changed_questions(before, after)
        assert "How does sharing, or not sharing, affect safety and well-being?" in changed
        # Within one layout, pages are named by their short names.
        same = DecisionVersion(edition="2018", layout=layout, answers=reshaped)
        assert readable.changed_questions(after, same) == []

    def test_pages_of_an_older_layout_keep_their_names(self) -> None:
        assert readable.step_name("2018", "rule6") == "Necessary and proportionate"
        assert readable.step_name("2018", "consent") == "Consent"
