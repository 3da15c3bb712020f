"""Review after reading: the record first, then the review forms, with what an amendment changed since the
version last reviewed. And the short verification code on the decision page."""

from __future__ import annotations

from django.urls import reverse

from oversight import services

from .base import World
from .factories import amend, make_submitted_decision


def detail_url(reference: str, query: str = "") -> str:
    return reverse("decisions:detail", kwargs={"reference": reference}) + query


class ReviewAfterReadingTests(World):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)
        self.reference = self.v1.decision.reference
        self.sue = self.client_for(self.sue_supervisor_org_a)

    def page(self) -> str:
        return self.sue.get(detail_url(self.reference)).content.decode()

    def test_the_forms_come_after_the_whole_record(self) -> None:
        html = self.page()
        last_answer = html.rindex("govuk-summary-list__row")
        assert html.index("About the request") < html.index("Review version 1") < html.index('name="approve-comment"')
        assert last_answer < html.index('name="approve-comment"') and last_answer < html.index('name="return-comment"')
        # The status above the record says where the forms are.
        assert html.index("You can sign it off or return it") < html.index("About the request")

    def test_an_amendment_shows_what_changed_since_the_version_last_reviewed(self) -> None:
        services.review_return(
            by=self.sue_supervisor_org_a, decision=self.v1.decision, version=self.v1, comment="Name the sibling"
        )
        v2 = amend(self.alice_practitioner_org_a, self.v1, "Sibling", {"safety": {"others_affected": "Sibling aged 4"}})
        # Amended again before anyone reviewed version 2: the comparison is still with version 1.
        amend(self.alice_practitioner_org_a, v2, "Method", {"sending": {"secure_detail": "Hand delivered"}})
        html = self.page()
        changes = html[html.index('id="changes-since-review"') : html.index('name="approve-comment"')]
        assert "What changed since version 1" in changes and "Version 3" in changes
        assert "returned by Sue Supervisor" in changes and "Name the sibling" in changes
        assert "Sibling aged 4" in changes and "Hand delivered" in changes
        assert "Reason for the amendment: Method" in changes
        assert 'href="#changes-since-review"' in html[: html.index("About the request")]

    def test_an_amendment_never_reviewed_compares_with_the_version_before(self) -> None:
        amend(self.alice_practitioner_org_a, self.v1, "Sibling", {"safety": {"others_affected": "Sibling aged 4"}})
        html = self.page()
        changes = html[html.index('id="changes-since-review"') : html.index('name="approve-comment"')]
        assert "Version 1 was not reviewed" in changes and "Sibling aged 4" in changes

    def test_a_first_version_has_no_comparison(self) -> None:
        assert "changes-since-review" not in self.page()

    def test_others_see_no_forms_and_no_comparison(self) -> None:
        amend(self.alice_practitioner_org_a, self.v1, "Sibling", {"safety": {"others_affected": "Sibling aged 4"}})
        for user in [self.alice_practitioner_org_a, self.ada_admin_org_a, self.aud_auditor_org_a]:
            html = self.client_for(user).get(detail_url(self.reference)).content.decode()
            assert "changes-since-review" not in html and "Review version" not in html, user
        # Another organisation's supervisor gets nothing at all.
        assert self.client_for(self.sid_supervisor_org_b).get(detail_url(self.reference)).status_code == 404


class ShortCodeTests(World):
    def test_the_decision_page_shows_the_start_of_the_code_and_links_to_the_full_one(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        code = version.content_hash
        html = (
            self.client_for(self.alice_practitioner_org_a).get(detail_url(version.decision.reference)).content.decode()
        )
        short = f"{code[:4]} {code[4:8]} {code[8:12]}"
        assert f'<span class="app-code">{short}</span>' in html
        # The full code is only in the link to the verify page, which shows it.
        assert html.count(code) == 1 and f'href="{reverse("exports:verify")}?code={code}"' in html
        verify = self.client_for(self.alice_practitioner_org_a).get(f"{reverse('exports:verify')}?code={code}")
        assert code in verify.content.decode()
