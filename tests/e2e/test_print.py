"""A practitioner prints their own record: in print media the page is the record alone (no navigation,
buttons or header), and ends with who printed it; on screen that footer is hidden. The printed PDF is kept
beside the screenshots to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, Journey

pytestmark = pytest.mark.e2e


def test_a_practitioner_prints_their_own_record(journey: Journey) -> None:
    page = journey.page
    journey.sign_in("practitioner.north")
    # A signed-off sample decision from seed_demo, reached by links.
    page.locator("main").get_by_role("link", name="All your decisions", exact=True).click()
    page.locator("main").get_by_role("link", name="Signed off", exact=True).click()
    page.locator("main table a").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Decision ")
    footer = page.locator(".app-print-footer")
    assert footer.is_hidden()
    expect(page.locator(".govuk-service-navigation")).to_be_visible()

    page.emulate_media(media="print")
    expect(footer).to_be_visible()
    assert footer.inner_text().startswith("Printed by Alex Practitioner (North) on ")
    for chrome in (".govuk-service-navigation", ".app-user-bar", ".govuk-back-link", ".app-footer", ".govuk-button"):
        assert page.locator(chrome).first.is_hidden(), chrome
    # The record itself prints: its answers, and the amendments (a closed details on screen) open.
    expect(page.get_by_role("heading", name="What have you decided?")).to_be_visible()
    journey.look("printed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    data = page.pdf(path=str(SCREENSHOTS / "printed-decision.pdf"), format="A4")
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 2
    page.emulate_media(media="screen")
    assert footer.is_hidden()
