"""The record's shape as a practitioner lives it: one person on two decisions and found again from the person;
a family to be told later, then told; a record in the old shape read as submitted, then amended into the new."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.wizard_helpers import MAIN_PATH

from .conftest import Journey, shell
from .test_practitioner import answer, start_decision, submit

AFTER_PEOPLE = MAIN_PATH[MAIN_PATH.index("people") + 1 :]


def reference_of(trip: Journey) -> str:
    match = re.search(r"/decisions/([A-Z]+-\d{4}-\d{5})", trip.page.url)
    assert match, trip.page.url
    return match.group(1)


def test_one_person_on_two_decisions_is_found_from_the_person(journey: Journey) -> None:
    page = journey.page
    first = start_decision(journey)
    answer(journey, "request")
    answer(journey, "people", full_name="Robin Reuse-Journey", part="child")
    for step in AFTER_PEOPLE:
        answer(journey, step)
    submit(journey)

    second = start_decision(journey, sign_in=False)
    answer(journey, "request")
    page.fill("#search-name", "reuse-journ")
    page.click("button:has-text('Search')")
    assert "1 matching person" in page.content()
    journey.look("people-found")
    page.locator("#pick [name='person']").first.check()
    page.locator("#pick [name='pick_part'][value='child']").check()
    page.click("button:has-text('Add the selected person')")
    expect(page.get_by_text("Robin Reuse-Journey").first).to_be_visible()
    page.click("button:has-text('Save and continue')")
    for step in AFTER_PEOPLE:
        answer(journey, step)
    submit(journey)

    page.click("a:has-text('Robin Reuse-Journey')")
    assert "/decisions/people/" in page.url
    journey.look("person-page")
    rows = page.locator("table").inner_text()
    assert first in rows and second in rows


def test_a_family_to_be_told_later_shows_as_a_follow_up_until_it_is_recorded_done(journey: Journey) -> None:
    page = journey.page
    by = timezone.localdate() + dt.timedelta(days=7)
    start_decision(journey)
    for step in ["request", "people", "information", "advice"]:
        answer(journey, step)
    answer(journey, "consent", consent_sought="no")
    answer(journey, "consent_not_sought")
    for step in ["safety", "necessary", "decision", "without_consent", "lawful_basis", "quality"]:
        answer(journey, step)
    answer(
        journey,
        "open_honest",
        told="no",
        not_told_reason="Telling the father now would put the child at risk",
        tell_later="yes",
        tell_by_0=str(by.day),
        tell_by_1=str(by.month),
        tell_by_2=str(by.year),
        tell_who="Sam Social, social worker",
    )
    for step in ["sending", "recipients"]:
        answer(journey, step)
    submit(journey)
    reference = reference_of(journey)

    journey.go("/")
    follow_ups = page.locator("#follow-ups")
    assert reference in follow_ups.inner_text() and f"{by:%-d %B %Y}" in follow_ups.inner_text()
    journey.look("home-follow-up-due")
    page.click(f"#follow-ups a:has-text('{reference}')")
    # A form of its own, not a one-click button: when, who, how, what was said, how they responded.
    page.click("a:has-text('Record whether the family was told')")
    page.click("button:has-text('Save')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert "Select whether they were told" in page.locator(".govuk-error-summary").inner_text()
    journey.look("follow-up-errors")
    told = timezone.localdate()
    page.locator("[name='outcome'][value='done']").check()
    page.fill("[name='done_on_0']", str(told.day))
    page.fill("[name='done_on_1']", str(told.month))
    page.fill("[name='done_on_2']", str(told.year))
    page.fill("[name='done_by']", "Sam Social, social worker")
    page.fill("[name='how']", "Home visit with a colleague")
    page.fill("[name='what_said']", "That we shared the school's concerns with the police, and why")
    page.fill("[name='response']", "Angry at first; agreed to meet the team next week")
    journey.look("follow-up-form")
    page.click("button:has-text('Save')")
    expect(page.get_by_text(f"Recorded on {reference}.")).to_be_visible()
    record = page.locator("#follow-up")
    expect(record).to_contain_text("The family was told")
    expect(record).to_contain_text("Home visit with a colleague")
    expect(record).to_contain_text("agreed to meet the team next week")
    expect(record).to_contain_text(f"{told:%-d %B %Y}")
    assert page.locator("a:has-text('Record whether the family was told')").count() == 0
    journey.look("follow-up-done")
    journey.go("/")
    assert page.locator("#follow-ups").count() == 0 or reference not in page.locator("#follow-ups").inner_text()


PREPARE_OLD_SHAPE = """
from accounts.models import User
from decisions import wizard
from decisions.models import Decision, DecisionVersion
from django.utils import timezone
from tests.test_layout2_records import LAYOUT_2_SHARE_ALL
owner = User.objects.get(username="practitioner.north")
membership = owner.membership
now = timezone.now()
decision = Decision.objects.create(
    organisation=membership.organisation, team=membership.team, owner=owner, reference="NSP-2025-09901",
    edition="2018", status="draft", created_at=now, updated_at=now, case_reference="OLD-SHAPE-1",
)
version = DecisionVersion(
    decision=decision, number=1, edition="2018", layout=2, answers=LAYOUT_2_SHARE_ALL, submitted_at=now,
    submitted_by=owner, previous=None, amendment_reason="", **wizard.flow_for("2018", 2).facts(LAYOUT_2_SHARE_ALL),
)
version.content_hash = version.compute_content_hash()
version.save()
Decision.objects.filter(pk=decision.pk).update(
    status="submitted", current_version=version, submitted_at=now, outcome="share_all", review_status="awaiting"
)
print("HASH", version.content_hash)
"""


def test_an_old_shape_record_reads_as_submitted_and_is_amended_into_the_new_shape(journey: Journey) -> None:
    code = shell(PREPARE_OLD_SHAPE).split("HASH", 1)[1].strip()
    page = journey.page
    journey.sign_in("practitioner.north")
    journey.go("/decisions/NSP-2025-09901")
    content = page.content()
    assert "Who is the child or family?" in content and "J.B., born 4 May 2015" in content
    assert code[:12] in content
    journey.look("old-shape-record")

    page.click("a:has-text('Amend this decision')")
    page.fill("#id_reason", "Name the child and each recipient")
    page.click("button:has-text('Continue')")
    journey.go("/decisions/NSP-2025-09901/check")
    assert "recorded with an earlier set of questions" in page.content()
    journey.look("old-shape-check")

    journey.go("/decisions/NSP-2025-09901/answer/people")
    assert "J.B., born 4 May 2015" in page.content()  # the old free text, to add people from
    answer(journey, "people", full_name="J.B.")
    journey.go("/decisions/NSP-2025-09901/answer/consent")
    answer(journey, "consent")
    journey.go("/decisions/NSP-2025-09901/answer/recipients")
    assert "Dr Lee" in page.content()  # "anyone else", to add as recipients
    journey.look("old-shape-recipients")
    page.click("button:has-text('I have added each of them')")
    page.click("button:has-text('Save and continue')")
    journey.go("/decisions/NSP-2025-09901/check")
    submit(journey)
    assert "version 2" in page.content()
    journey.go("/decisions/NSP-2025-09901?version=1")
    assert "J.B., born 4 May 2015" in page.content() and code[:12] in page.content()
