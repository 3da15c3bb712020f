"""Review before sharing (issue 24 item 3), in Southvale, which signs off before information is shared: the
practitioner records the plan, the supervisor signs it off, and the practitioner then records that it was sent, as
a follow-up the record shows apart from the plan."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.wizard_helpers import MAIN_PATH

from .conftest import Journey
from .test_practitioner import answer, submit


def start_in_southvale(trip: Journey) -> str:
    trip.sign_in("practitioner.south")
    trip.go("/decisions/")
    trip.page.click("button:has-text('Record a new decision')")
    match = re.search(r"/decisions/([^/?]+)$", trip.page.url)
    assert match, trip.page.url
    trip.page.click("a.govuk-task-list__link:has-text('The request')")
    return match.group(1)


def test_a_planned_share_is_signed_off_then_recorded_as_sent(journey: Journey) -> None:
    page = journey.page
    reference = start_in_southvale(journey)
    for step in MAIN_PATH[: MAIN_PATH.index("recipients")]:
        answer(journey, step)
    # The plan, not a share already made.
    expect(page.locator("#planned-sharing")).to_be_visible()
    expect(page.get_by_text("Planned date", exact=True)).to_be_visible()
    expect(page.get_by_text("How will it be sent?")).to_be_visible()
    assert page.get_by_text("Date shared", exact=True).count() == 0
    answer(journey, "recipients")
    submit(journey)
    expect(page.get_by_text("Planned for 3 November 2026").first).to_be_visible()
    expect(page.locator("[data-follow-up='sent']")).to_contain_text("once the decision is signed off")
    journey.look("planned-awaiting-sign-off")
    page.context.clear_cookies()

    journey.sign_in("supervisor.south")
    journey.go(f"/decisions/{reference}")
    page.click("button:has-text('Sign off')")
    expect(page.get_by_text("Signed off").first).to_be_visible()
    page.context.clear_cookies()

    journey.sign_in("practitioner.south")
    to_send = page.locator("#to-send")
    expect(to_send).to_contain_text("Signed off, not yet sent")
    expect(to_send).to_contain_text(reference)
    journey.look("home-signed-off-not-yet-sent")
    page.click(f"#to-send a:has-text('{reference}')")
    page.click("a:has-text('Record whether the information was sent')")
    page.locator("[name='outcome'][value='done']").check()
    page.click("button:has-text('Save')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.look("sent-errors")
    sent = timezone.localdate()
    page.fill("[name='done_on_0']", str(sent.day))
    page.fill("[name='done_on_1']", str(sent.month))
    page.fill("[name='done_on_2']", str(sent.year))
    page.fill("[name='done_by']", "Alex Practitioner")
    page.locator("[name='how'][value='secure_portal']").check()
    page.fill("[name='what_said']", "Uploaded to the police portal; receipt number 4471")
    journey.look("sent-form")
    page.click("button:has-text('Save')")
    expect(page.get_by_text(f"Recorded on {reference}.")).to_be_visible()
    record = page.locator("#follow-up")
    expect(record).to_contain_text("The information was sent")
    expect(record).to_contain_text("Secure portal or case system")
    expect(record).to_contain_text(f"{sent:%-d %B %Y}")
    # The record still says what was planned, apart from what was done.
    expect(page.get_by_text("Planned for 3 November 2026").first).to_be_visible()
    journey.look("sent-recorded")
    journey.go("/")
    assert page.locator("#to-send").count() == 0 or reference not in page.locator("#to-send").inner_text()
