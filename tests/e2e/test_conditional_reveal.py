"""Follow-ups revealed under the chosen answer, and typed text never dropped (issue 24 item 1), with JavaScript
and without it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.wizard_helpers import MAIN_PATH

from .conftest import Journey
from .test_practitioner import answer, start_decision, submit

GIVEN = {
    "consent_given_what": "Only the attendance record, not the health notes",
    "consent_given_with": "PC Jane Smith of the child protection team",
    "consent_given_recorded": "Signed consent form, scanned to the case file",
}
UNDER_REFUSED = "She said yes to the school but not to the police"
ERROR = "You typed details under ‘Consent was refused’ but chose ‘Consent was given’"


def _to_consent_outcome(trip: Journey) -> str:
    reference = start_decision(trip)
    for step in MAIN_PATH[: MAIN_PATH.index("consent_outcome")]:
        answer(trip, step)
    assert "/answer/consent_outcome" in trip.page.url
    return reference


def _finish(trip: Journey, reference: str) -> None:
    """Consent given with what it covers: on check answers, on the record, and on the page when going back."""
    page = trip.page
    for name, text in GIVEN.items():
        page.fill(f"#id_{name}", text)
    page.fill("#id_consent_outcome_detail", "")
    trip.continue_()
    for step in MAIN_PATH[MAIN_PATH.index("consent_outcome") + 1 :]:
        answer(trip, step)
    for text in GIVEN.values():
        expect(page.get_by_text(text)).to_be_visible()
    trip.go(f"/decisions/{reference}/answer/consent_outcome")
    for name, text in GIVEN.items():
        expect(page.locator(f"#id_{name}")).to_have_value(text)
    trip.go(f"/decisions/{reference}/check")
    submit(trip)
    trip.go(f"/decisions/{reference}")
    for text in GIVEN.values():
        expect(page.get_by_text(text).first).to_be_visible()


def test_only_the_chosen_answers_follow_up_shows_and_text_under_another_is_kept(journey: Journey) -> None:
    reference = _to_consent_outcome(journey)
    page = journey.page
    given_box = page.locator("#id_consent_given_what")
    refused_box = page.locator("#id_consent_outcome_detail")
    expect(given_box).to_be_hidden()
    expect(refused_box).to_be_hidden()
    page.locator("[name='consent_outcome'][value='refused']").check()
    expect(refused_box).to_be_visible()
    refused_box.fill(UNDER_REFUSED)
    page.locator("[name='consent_outcome'][value='given']").check()
    expect(refused_box).to_be_hidden()
    expect(given_box).to_be_visible()
    expect(page.get_by_text("If you chose ‘Consent was given’:")).to_be_hidden()
    journey.look("consent-given-revealed")
    for name, text in GIVEN.items():
        page.fill(f"#id_{name}", text)
    journey.continue_()
    expect(page.locator(".govuk-error-summary")).to_contain_text(ERROR)
    # The refused text is on screen, under its answer, to move or clear; nothing typed is lost.
    expect(refused_box).to_be_visible()
    expect(refused_box).to_have_value(UNDER_REFUSED)
    expect(given_box).to_have_value(GIVEN["consent_given_what"])
    journey.look("text-under-another-answer")
    _finish(journey, reference)


def test_without_javascript_every_follow_up_shows_under_its_answer(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900}, bypass_csp=True)
    trip = Journey(context.new_page(), server, "reveal-no-javascript", accessibility=False)
    reference = _to_consent_outcome(trip)
    page = trip.page
    for label in ("Consent was given", "Consent was refused", "Consent was given, then withdrawn"):
        expect(page.get_by_text(f"If you chose ‘{label}’:")).to_be_visible()
    expect(page.locator("#id_consent_given_what")).to_be_visible()
    expect(page.locator("#id_consent_outcome_detail")).to_be_visible()
    page.locator("[name='consent_outcome'][value='given']").check()
    page.fill("#id_consent_outcome_detail", UNDER_REFUSED)
    trip.look("no-js-consent-response")
    trip.continue_()
    expect(page.locator(".govuk-error-summary")).to_contain_text(ERROR)
    expect(page.locator("#id_consent_outcome_detail")).to_have_value(UNDER_REFUSED)
    _finish(trip, reference)
    context.close()
