"""A practitioner records decisions through every branch that matters, in a real browser."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.wizard_helpers import MAIN_PATH, NO_SHARE, valid_post

from .conftest import Journey

LIMIT = 5000


def fill(page: Any, data: dict[str, Any]) -> None:
    """Answer a question page from POST-style data: radios and checkboxes first, so revealed fields exist."""
    choices = {
        k: v
        for k, v in data.items()
        if page.locator(f"[name='{k}']").first.get_attribute("type") in ("radio", "checkbox")
    }
    for name, value in choices.items():
        for v in value if isinstance(value, list) else [value]:
            page.locator(f"[name='{name}'][value='{v}']").check()
    for name, value in data.items():
        if name not in choices:
            page.locator(f"[name='{name}']").fill(str(value))


def answer(trip: Journey, step: str, **overrides: Any) -> None:
    assert f"/answer/{step}" in trip.page.url, (step, trip.page.url)
    data = valid_post(step, **overrides)
    if step in ("people", "recipients"):
        # A list page: add one entry with its own form, then save and continue.
        data.pop("action")
        fill(trip.page, data)
        trip.page.click("button:has-text('Add this')")
        trip.look(step)
        trip.continue_()
        return
    if step == "consent" and not data.get("consent_from"):
        data.pop("consent_from", None)
        if data.get("consent_sought") == "yes":
            # Asked of the first person on the record.
            trip.page.locator("[name='consent_sought'][value='yes']").check()
            trip.page.locator("[name='consent_from']").first.check()
    fill(trip.page, data)
    trip.look(step)
    trip.continue_()


def start_decision(trip: Journey, sign_in: bool = True) -> str:
    """Start a decision: its own page lists the tasks; the first one is opened."""
    if sign_in:
        trip.sign_in("practitioner.north")
        trip.look("home")
    trip.go("/decisions/")
    trip.page.click("button:has-text('Record a new decision')")
    match = re.search(r"/decisions/([^/?]+)$", trip.page.url)
    assert match, trip.page.url
    expect(trip.page.get_by_text("You have completed 0 of 10 tasks")).to_be_visible()
    trip.look("task-list")
    trip.page.click("a.govuk-task-list__link:has-text('The request')")
    return match.group(1)


def submit(trip: Journey) -> None:
    assert trip.page.url.endswith("/check"), trip.page.url
    trip.look("check-answers")
    trip.page.check("#id_declaration")
    trip.page.click("button:has-text('Submit decision')")
    expect(trip.page.locator(".govuk-notification-banner--success")).to_be_visible()
    trip.look("submitted")


def test_consent_given_share_all_with_back_and_change_links(journey: Journey) -> None:
    reference = start_decision(journey)
    page = journey.page
    page.click("button:has-text('Save and continue')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.look("request-errors")
    for step in ["request", "people", "information"]:
        answer(journey, step)
    assert "/answer/advice" in page.url
    page.click("a.govuk-back-link")
    assert "/answer/information" in page.url
    assert page.input_value("#id_description").startswith("Attendance record")
    journey.continue_()
    for step in MAIN_PATH[MAIN_PATH.index("advice") :]:
        answer(journey, step)
    page.click(f"a[href='/decisions/{reference}/answer/safety?return=check']")
    page.fill("#id_impact_of_sharing", "Changed after checking")
    page.click("button:has-text('Save and return to check your answers')")
    assert page.url.endswith("/check")
    assert "Changed after checking" in page.content(), page.content()[:200]
    page.click("a.govuk-back-link")
    assert page.url.endswith(f"/decisions/{reference}")
    expect(page.get_by_text("You have completed 9 of 10 tasks")).to_be_visible()
    page.click("a.govuk-task-list__link:has-text('Check your answers and submit')")
    submit(journey)
    expect(page.get_by_text("Share all of the information").first).to_be_visible()


def test_not_sought_because_of_delay(journey: Journey) -> None:
    start_decision(journey)
    for step in ["request", "people", "information", "advice"]:
        answer(journey, step)
    answer(journey, "consent", consent_sought="no")
    assert journey.page.get_by_text("is likely to place the child at risk of significant harm through delay").first
    answer(journey, "consent_not_sought")
    for step in ["safety", "necessary", "decision", "without_consent", "lawful_basis", "quality", "open_honest"]:
        answer(journey, step)
    for step in ["sending", "recipients"]:
        answer(journey, step)
    submit(journey)
    assert journey.page.get_by_text("is likely to place the child at risk of significant harm through delay").first


def test_refused_then_shared_is_told_on_the_lawful_basis_page_that_consent_cannot_be_the_basis(
    journey: Journey,
) -> None:
    start_decision(journey)
    page = journey.page
    for step in ["request", "people", "information", "advice", "consent"]:
        answer(journey, step)
    answer(journey, "consent_outcome", consent_outcome="refused", consent_outcome_detail="Father refused on the phone")
    for step in ["safety", "necessary", "decision", "without_consent"]:
        answer(journey, step)
    answer(journey, "lawful_basis", article6="a_consent")
    # Refused where it is answered, not twelve pages later at Submit.
    assert "/answer/lawful_basis" in page.url
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Consent cannot be the lawful basis because consent was refused" in summary.inner_text()
    journey.look("consent-basis-error")
    answer(journey, "lawful_basis")
    for step in ["quality", "open_honest", "sending", "recipients"]:
        answer(journey, step)
    submit(journey)
    expect(page.get_by_text("Father refused on the phone")).to_be_visible()


def test_do_not_share_asks_no_sharing_questions(journey: Journey) -> None:
    start_decision(journey)
    page = journey.page
    for step in MAIN_PATH[: MAIN_PATH.index("necessary")]:
        answer(journey, step)
    answer(journey, "necessary", necessary="no", necessary_explanation="The school nurse already has it")
    expect(page.get_by_text("That is a good reason not to share")).to_be_visible()
    answer(journey, "decision", **{**NO_SHARE, "reasons": "Not necessary: the school already knows"})
    visited = []
    while "/answer/" in page.url:
        step = page.url.split("/answer/")[1].split("?")[0]
        visited.append(step)
        answer(journey, step)
    assert visited == ["requester_told", "alternatives"], visited
    check = page.content()
    assert "lawful basis" not in check.lower() and "sent securely" not in check and "Recipients" not in check
    submit(journey)
    expect(page.get_by_text("Do not share").first).to_be_visible()
    expect(page.get_by_text("Referred the family to early help")).to_be_visible()


def test_save_later_on_a_half_filled_page_and_resume_on_another_device(journey: Journey, browser: Any) -> None:
    reference = start_decision(journey)
    answer(journey, "request")
    answer(journey, "people")
    # Half the page: the kinds of information and a description, not the two yes/no questions.
    page = journey.page
    page.locator("[name='categories'][value='health']").check()
    page.fill("#id_description", "Half written when the phone rang")
    page.click("button:has-text('Save and come back later')")
    expect(page.get_by_text("are saved")).to_be_visible()
    assert page.locator(".govuk-error-summary").count() == 0
    journey.look("saved-for-later")

    other = browser.new_context(viewport={"width": 800, "height": 900}, bypass_csp=True)
    trip = Journey(other.new_page(), journey.base, journey.name + "-device2")
    trip.sign_in("practitioner.north")
    trip.go("/decisions/")
    trip.look("your-decisions")
    trip.page.click(f"a:has-text('{reference}')")
    trip.look("resume-task-list")
    assert "In progress" in trip.page.locator("#task-information-status").inner_text()
    trip.page.click("a.govuk-task-list__link:has-text('The information')")
    assert "/answer/information" in trip.page.url
    expect(trip.page.get_by_text("You saved this page before you finished it")).to_be_visible()
    assert trip.page.input_value("#id_description") == "Half written when the phone rang"
    assert trip.page.locator("[name='categories'][value='health']").is_checked()
    assert trip.page.locator(".govuk-error-summary").count() == 0
    trip.look("resume-unfinished-page")
    trip.page.click("button:has-text('Save and continue')")
    expect(trip.page.locator(".govuk-error-summary")).to_be_visible()  # errors only now
    journey.violations.extend(trip.violations)
    other.close()


def test_discard_a_draft(journey: Journey) -> None:
    reference = start_decision(journey)
    page = journey.page
    answer(journey, "request")
    journey.go(f"/decisions/{reference}")
    page.click("a:has-text('Discard this draft')")
    journey.look("discard-confirm")
    page.click("button:has-text('Continue')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.locator("[name='confirm'][value='yes']").check()
    page.click("button:has-text('Continue')")
    expect(page.get_by_text(f"Draft {reference} is discarded")).to_be_visible()
    row = page.locator("tr", has=page.locator(f"a:has-text('{reference}')"))
    assert "Discarded" in row.inner_text()
    journey.look("discarded")
    journey.go(f"/decisions/{reference}/answer/request")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_a_6000_character_answer_shows_the_count_and_the_error_and_loses_nothing(journey: Journey) -> None:
    start_decision(journey)
    page = journey.page
    long_answer = ("The child said more at school today. " * 200)[:6000]
    fill(page, valid_post("request"))
    page.fill("#id_purpose", long_answer)
    count = page.locator("#id_purpose-info, .govuk-character-count__status").filter(has_text="too many").first
    assert "You have 1,000 characters too many" in count.inner_text()
    journey.look("character-count")
    journey.continue_()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "must be 5,000 characters or fewer" in summary.inner_text()
    assert page.input_value("#id_purpose") == long_answer  # nothing cut
    journey.look("character-count-error")
    page.click("button:has-text('Save and come back later')")
    expect(page.get_by_text("are saved")).to_be_visible()
    page.click("a.govuk-task-list__link:has-text('The request')")
    assert page.input_value("#id_purpose") == long_answer  # kept as typed, to shorten later
    assert len(long_answer) == 6000 > LIMIT


def test_another_organisation_cannot_reach_the_decision(journey: Journey) -> None:
    reference = start_decision(journey)
    for step in MAIN_PATH:
        answer(journey, step)
    submit(journey)
    journey.page.context.clear_cookies()
    journey.sign_in("practitioner.south")
    for path in [f"/decisions/{reference}", f"/decisions/{reference}/check", f"/decisions/{reference}/answer/request"]:
        journey.go(path)
        expect(journey.page.get_by_role("heading", name="Page not found"), path).to_be_visible()
    journey.look("other-org-404")
