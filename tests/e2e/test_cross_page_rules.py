"""Issue 24 item 2 in the browser: a contradiction is said on the page that completes it, in the error summary
with a link to the field, at 1280 and 375 pixels, with no axe violations; how it was sent is asked once."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import Journey
from .test_practitioner import answer, start_decision


def test_contradictions_are_refused_on_their_page_and_sending_is_asked_once(journey: Journey) -> None:
    page = journey.page
    start_decision(journey)
    for step in ["request", "people", "information", "advice", "consent", "consent_outcome", "safety", "necessary"]:
        answer(journey, step)
    # Consent was given by the only person on the record, and the decision "respects the wishes" of someone.
    page.check("[name='outcome'][value='no_share']")
    page.check("[name='no_share_reasons'][value='respect_wishes']")
    page.fill("[name='reasons']", "The mother objects")
    page.click("button:has-text('Save and continue')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("gave consent, and no one else is on this record")
    journey.look("decision-contradiction")
    page.set_viewport_size({"width": 375, "height": 800})
    journey.look("decision-contradiction-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    summary.locator("a").first.click()
    page.check("[name='outcome'][value='share_all']")
    page.click("button:has-text('Save and continue')")
    for step in ["lawful_basis", "quality"]:
        answer(journey, step)
    # The sending page asks only what else kept it secure: the method is asked for each recipient.
    assert "/answer/sending" in page.url
    expect(page.locator("[name='method']")).to_have_count(0)
    journey.look("sending-detail-only")
    answer(journey, "sending")
    # A recipient shared before the request (3 November 2026) is refused on its date, and nothing is added.
    page.fill("[name='agency']", "West Midlands Police")
    page.fill("[name='person']", "PC Jane Smith")
    page.fill("[name='contact']", "jane.smith@police.example")
    page.fill("[name='shared_date_0']", "1")
    page.fill("[name='shared_date_1']", "11")
    page.fill("[name='shared_date_2']", "2026")
    page.check("[name='method'][value='secure_portal']")
    page.click("button:has-text('Add this')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Recipient 1: the date shared must be on or after the date of the request (3 November 2026)"
    )
    journey.look("recipient-date-contradiction")
    page.set_viewport_size({"width": 375, "height": 800})
    journey.look("recipient-date-contradiction-375")
