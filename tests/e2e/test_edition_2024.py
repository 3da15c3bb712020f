"""Decisions under the May 2024 edition, in a real browser: an admin switches Southvale to 2024, then a
practitioner records a decision through each branch (share all, share some, do not share; consent given,
refused, not asked for; consent as the lawful basis), with the people on the record and rule 5 answered for
each protected person. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from decisions.examples import EXAMPLE_POSTS_2024, NO_SHARE_2024, chosen_only

from .conftest import Journey, shell
from .test_practitioner import fill

PRACTITIONER = "practitioner.south"


@pytest.fixture(scope="module", autouse=True)
def southvale_back_on_2018_afterwards(server: str) -> Iterator[None]:
    """The other journeys walk the 2018 questions: Southvale goes back to 2018 when these are done."""
    yield
    shell(
        "from accounts.models import Organisation; "
        "Organisation.objects.filter(slug='southvale').update(guidance_edition='2018')"
    )


def on_2024() -> None:
    shell(
        "from accounts.models import Organisation; "
        "Organisation.objects.filter(slug='southvale').update(guidance_edition='2024')"
    )


def answer(trip: Journey, step: str, **overrides: Any) -> None:
    """Answer a page as a practitioner does: list pages an entry at a time; the person consent was asked of
    picked by name; rule 5 answered in each protected person's box."""
    assert f"/answer/{step}" in trip.page.url, (step, trip.page.url)
    page = trip.page
    data = {**EXAMPLE_POSTS_2024[step], **overrides}
    if step in ("people", "recipients"):
        for entry in data[step]:
            entry = dict(entry)
            protect = entry.pop("protect_identity", None)
            fill(page, entry)
            if protect:
                page.check("[name='protect_identity']")
            page.click("button:has-text('Add this')")
    elif step == "consent" and data.get("consent_sought") == "yes":
        page.check("[name='consent_sought'][value='yes']")
        page.click("label:has-text('Karen Brown')")
        fill(page, {k: v for k, v in data.items() if k not in ("consent_sought", "consent_from")})
    elif step == "consent":
        fill(page, {"consent_sought": data["consent_sought"]})
    elif step == "protect_identities":
        for name, text in data.items():
            page.get_by_label(f"What have you done to protect {name}'s identity").fill(text)
    else:
        fill(page, chosen_only(step, data))
    trip.look(step)
    trip.continue_()


def start_2024_decision(trip: Journey) -> str:
    trip.sign_in(PRACTITIONER)
    trip.go("/decisions/new")
    expect(trip.page.get_by_text("May 2024").first).to_be_visible()
    trip.look("start")
    trip.go("/decisions/")
    trip.page.click("button:has-text('Record a new decision')")
    match = re.search(r"/decisions/([^/?]+)$", trip.page.url)
    assert match, trip.page.url
    trip.look("task-list")
    trip.page.click("a.govuk-task-list__link:has-text('The request')")
    return match.group(1)


def submit(trip: Journey) -> None:
    assert trip.page.url.endswith("/check"), trip.page.url
    expect(trip.page.get_by_text("May 2024").first).to_be_visible()
    trip.look("check-answers")
    trip.page.check("#id_declaration")
    trip.page.click("button:has-text('Submit decision')")
    expect(trip.page.locator(".govuk-notification-banner--success")).to_be_visible()
    trip.look("submitted")


def test_admin_switches_new_decisions_to_2024(journey: Journey) -> None:
    journey.sign_in("admin.south")
    journey.go("/oversight/organisation")
    journey.look("settings")
    journey.page.click("a:has-text('Change')")
    assert "/oversight/organisation/edition" in journey.page.url
    journey.look("edition")
    journey.page.click("button:has-text('Save edition')")  # unchanged: nothing to record, back to settings
    journey.page.click("a:has-text('Change')")
    journey.page.check("input[name='guidance_edition'][value='2024']")
    journey.page.click("button:has-text('Save edition')")
    banner = journey.page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    assert "May 2024" in banner.inner_text()
    journey.look("edition-saved")


def test_share_all_with_consent_given(journey: Journey) -> None:
    on_2024()
    reference = start_2024_decision(journey)
    for step in ["request", "people", "information", "advice", "consent", "consent_outcome", "safety", "necessary"]:
        answer(journey, step)
    answer(journey, "decision")
    for step in ["lawful_basis", "quality", "engage", "protect_identities", "sending", "recipients"]:
        answer(journey, step)
    submit(journey)
    page = journey.page
    assert page.url.endswith(f"/decisions/{reference}")
    expect(page.get_by_text("Golden rule 5: Protect identities").first).to_be_visible()
    page.click("summary:has-text('The seven golden rules of the May 2024 advice')")
    expect(page.get_by_text("takes priority over protecting their privacy").first).to_be_visible()
    journey.look("detail")


def test_share_some_with_consent_refused(journey: Journey) -> None:
    on_2024()
    start_2024_decision(journey)
    for step in ["request", "people", "information", "advice", "consent"]:
        answer(journey, step)
    answer(journey, "consent_outcome", consent_outcome="refused", consent_outcome_detail="Father said no")
    for step in ["safety", "necessary"]:
        answer(journey, step)
    answer(
        journey,
        "decision",
        outcome="share_some",
        shared_part="The attendance record",
        withheld="The notes of the conversations",
    )
    answer(journey, "without_consent")
    answer(journey, "lawful_basis", article6="a_consent")
    summary = journey.page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "consent was refused" in summary.inner_text()
    journey.look("consent-basis-refused")
    answer(journey, "lawful_basis")
    answer(journey, "quality")
    answer(
        journey,
        "engage",
        engaged="no",
        not_engaged_reason="Telling the father may increase the risk",
        tell_later="yes",
        tell_by_0="17",
        tell_by_1="11",
        tell_by_2="2026",
        tell_who="Alex, the social worker",
    )
    for step in ["protect_identities", "sending", "recipients"]:
        answer(journey, step)
    submit(journey)
    expect(journey.page.get_by_text("Father said no")).to_be_visible()
    expect(journey.page.get_by_text("Tell the family by 17 November 2026")).to_be_visible()


def test_do_not_share_with_consent_not_asked_for(journey: Journey) -> None:
    on_2024()
    start_2024_decision(journey)
    for step in ["request", "people", "information", "advice"]:
        answer(journey, step)
    answer(journey, "consent", consent_sought="no")
    answer(journey, "consent_not_sought")
    answer(journey, "safety")
    answer(journey, "necessary", necessary="no", necessary_explanation="The school nurse already has it")
    answer(journey, "decision", **NO_SHARE_2024)
    answer(journey, "requester_told")
    expect(journey.page.get_by_text("The 2024 advice asks you to work with the person who asked")).to_be_visible()
    answer(journey, "alternatives")
    submit(journey)
    expect(journey.page.get_by_text("Offered the attendance record without the notes")).to_be_visible()


def test_consent_given_and_kept_as_the_lawful_basis(journey: Journey) -> None:
    on_2024()
    start_2024_decision(journey)
    for step in ["request", "people", "information", "advice", "consent", "consent_outcome", "safety", "necessary"]:
        answer(journey, step)
    answer(journey, "decision")
    answer(journey, "lawful_basis", article6="a_consent")
    page = journey.page
    assert "/answer/consent_basis" in page.url
    expect(page.get_by_text("rarely the most appropriate lawful basis").first).to_be_visible()
    answer(journey, "consent_basis")
    for step in ["quality", "engage", "protect_identities", "sending", "recipients"]:
        answer(journey, step)
    submit(journey)
    expect(page.get_by_text("The family asked for the referral")).to_be_visible()
    # Rule 5, each protected person's name with what was done for them.
    expect(page.get_by_text("Pat Green (other adult)")).to_be_visible()
    expect(page.get_by_text(EXAMPLE_POSTS_2024["protect_identities"]["Karen Brown"])).to_be_visible()


def test_dashboard_filters_by_edition(journey: Journey) -> None:
    journey.sign_in("supervisor.south")
    journey.go("/oversight/dashboard?edition=2024")
    expect(journey.page.get_by_text("made under the May 2024 advice")).to_be_visible()
    journey.look("dashboard-2024")
    journey.go("/audit/?edition=2024")
    journey.look("audit-log-2024")
