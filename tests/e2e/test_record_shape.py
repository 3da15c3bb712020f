"""The record's shape in a browser: people and recipients added and removed with JavaScript off, and the
same pages checked by axe-core with it on."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.wizard_helpers import MAIN_PATH, valid_post

from .conftest import Journey
from .test_practitioner import answer, fill, start_decision, submit

BEFORE_RECIPIENTS = MAIN_PATH[: MAIN_PATH.index("recipients")]


def add_recipient(trip: Journey, agency: str) -> None:
    data = {**valid_post("recipients"), "agency": agency}
    data.pop("action")
    fill(trip.page, data)
    trip.page.click("button:has-text('Add this recipient')")


def test_three_recipients_added_and_one_removed_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900}, bypass_csp=True)
    trip = Journey(context.new_page(), server, "record-shape-no-js", accessibility=False)
    start_decision(trip)
    for step in BEFORE_RECIPIENTS:
        answer(trip, step)
    page = trip.page
    assert "/answer/recipients" in page.url
    for agency in ("West Midlands Police", "Northshire NHS Trust", "Children's social care"):
        add_recipient(trip, agency)
    expect(page.get_by_text("Recipient 3", exact=True)).to_be_visible()
    trip.look("three-recipients")
    page.click("button:has-text('Remove recipient 2')")
    assert page.get_by_text("Recipient 3", exact=True).count() == 0
    assert "Northshire NHS Trust" not in page.content()
    trip.look("one-removed")
    page.click("button:has-text('Save and continue')")
    submit(trip)
    content = page.content()
    assert "Recipient 2" in content and "social care" in content and "Jamie Brown" in content
    context.close()


def test_people_and_recipients_pages_pass_axe(journey: Journey) -> None:
    start_decision(journey)
    answer(journey, "request")
    page = journey.page
    page.click("button:has-text('Save and continue')")  # nothing added yet: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.look("people-errors")
    data = valid_post("people")
    data.pop("action")
    fill(page, {**data, "full_name": "Pat Neighbour", "part": "other_adult"})
    page.check("#id_protect_identity")
    page.click("button:has-text('Add this person')")
    page.fill("#search-name", "pat")
    page.click("button:has-text('Search')")
    journey.look("people-search")
    page.click("button:has-text('Save and continue')")
    for step in MAIN_PATH[MAIN_PATH.index("information") : MAIN_PATH.index("recipients")]:
        answer(journey, step)
    page.click("a:has-text('Same as the person who asked')")
    journey.look("recipients-same-as-requester")
    assert page.locator("#id_agency").input_value() == "West Midlands Police"
    add_recipient(journey, "West Midlands Police")
    journey.look("recipients")
    page.click("button:has-text('Save and continue')")
    submit(journey)
    expect(page.get_by_text("Identity protected").first).to_be_visible()
    journey.look("detail-with-people")
