"""A practitioner records decisions through every branch that matters, in a real browser."""

from __future__ import annotations

import re
from typing import Any

from tests.wizard_helpers import MAIN_PATH, valid_post

from .conftest import Journey


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
    fill(trip.page, valid_post(step, **overrides))
    trip.look(step)
    trip.continue_()


def start_decision(trip: Journey) -> str:
    trip.sign_in("practitioner.north")
    trip.look("home")
    trip.page.click("button:has-text('Record a new decision')")
    match = re.search(r"/decisions/([^/]+)/answer/", trip.page.url)
    assert match, trip.page.url
    return match.group(1)


def submit(trip: Journey) -> None:
    assert trip.page.url.endswith("/check"), trip.page.url
    trip.look("check-answers")
    trip.page.check("#id_declaration")
    trip.page.click("button:has-text('Submit decision')")
    assert trip.page.locator(".govuk-notification-banner--success").is_visible()
    trip.look("submitted")


def test_consent_given_share_all_with_back_and_change_links(journey: Journey) -> None:
    reference = start_decision(journey)
    page = journey.page
    page.click("button:has-text('Save and continue')")
    assert page.locator(".govuk-error-summary").is_visible()
    journey.look("request-errors")
    answer(journey, "request")
    answer(journey, "information")
    assert "/answer/advice" in page.url
    page.click("a.govuk-back-link")
    assert "/answer/information" in page.url
    assert page.input_value("#id_description").startswith("Attendance record")
    journey.continue_()
    for step in MAIN_PATH[2:]:
        answer(journey, step)
    page.click(f"a[href='/decisions/{reference}/answer/safety?return=check']")
    page.fill("#id_impact_of_sharing", "Changed after checking")
    page.click("button:has-text('Save and return to check your answers')")
    assert page.url.endswith("/check")
    assert "Changed after checking" in page.content(), page.content()[:200]
    submit(journey)
    assert page.get_by_text("Share all of the information").first.is_visible()


def test_not_sought_because_of_delay(journey: Journey) -> None:
    start_decision(journey)
    for step in ["request", "information", "advice"]:
        answer(journey, step)
    answer(journey, "consent", consent_sought="no", consent_appropriate="no")
    answer(journey, "consent_not_sought")
    for step in ["lawful_basis", "safety", "rule6", "open_honest", "decision", "without_consent", "recipients"]:
        answer(journey, step)
    submit(journey)
    assert journey.page.get_by_text("risk of significant harm through delay").first.is_visible()


def test_refused_and_shared_anyway(journey: Journey) -> None:
    start_decision(journey)
    for step in ["request", "information", "advice", "consent"]:
        answer(journey, step)
    answer(journey, "consent_outcome", consent_outcome="refused", consent_outcome_detail="Father refused on the phone")
    for step in ["lawful_basis", "safety", "rule6", "open_honest", "decision", "without_consent", "recipients"]:
        answer(journey, step)
    submit(journey)
    assert journey.page.get_by_text("Father refused on the phone").is_visible()


def test_do_not_share(journey: Journey) -> None:
    start_decision(journey)
    for step in MAIN_PATH[:-2]:
        answer(journey, step)
    answer(journey, "decision", outcome="no_share", reasons="Not necessary: the school already knows")
    submit(journey)
    assert journey.page.get_by_text("Do not share").first.is_visible()


def test_leave_mid_way_and_resume_on_another_device(journey: Journey, browser: Any) -> None:
    reference = start_decision(journey)
    answer(journey, "request")
    fill(journey.page, valid_post("information"))
    journey.page.click("button:has-text('Save and come back later')")
    assert journey.page.get_by_text("are saved").is_visible()
    journey.look("saved-for-later")

    other = browser.new_context(viewport={"width": 800, "height": 900}, bypass_csp=True)
    trip = Journey(other.new_page(), journey.base, journey.name + "-device2")
    trip.sign_in("practitioner.north")
    trip.go("/decisions/")
    trip.look("your-decisions")
    trip.page.click(f"a:has-text('{reference}')")
    trip.page.click("a:has-text('Continue the draft')")
    assert trip.page.url.endswith("/check")
    assert trip.page.get_by_text("Not answered").first.is_visible()
    trip.look("resume-check")
    trip.page.locator("a:has-text('Answer this question')").first.click()
    assert "/answer/advice" in trip.page.url
    journey.violations.extend(trip.violations)
    other.close()


def test_another_organisation_cannot_reach_the_decision(journey: Journey) -> None:
    reference = start_decision(journey)
    for step in MAIN_PATH:
        answer(journey, step)
    submit(journey)
    journey.page.context.clear_cookies()
    journey.sign_in("practitioner.south")
    for path in [f"/decisions/{reference}", f"/decisions/{reference}/check", f"/decisions/{reference}/answer/request"]:
        journey.go(path)
        assert journey.page.get_by_role("heading", name="Page not found").is_visible(), path
    journey.look("other-org-404")
