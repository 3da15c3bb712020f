"""An admin disposes of a record from the retention due list; a second admin approves; axe-core checks every
page seen."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, Journey, shell

# A record last touched in 2018 (so due under the default schedule) and a second admin in the same
# organisation, who sets up two-step verification at first sign-in.
PREPARE = f"""
import datetime as dt
import json
from django.utils import timezone
from accounts.models import Membership, Organisation, Role, User
from tests.retention_helpers import old_record
p = User.objects.get(username="practitioner.north")
s = User.objects.get(username="supervisor.north")
org = p.membership.organisation
names = {{"first_name": "Second", "last_name": "Admin"}}
second, made = User.objects.get_or_create(username="admin2.north", defaults=names)
if made:
    second.set_password({DEMO_PASSWORD!r})
    second.save()
    Membership.objects.create(user=second, organisation=org, role=Role.ADMIN)
    # An admin of long standing: one made today may not approve a disposal yet (DISPOSAL_APPROVER_MIN_DAYS).
    Membership.objects.filter(user=second).update(role_since=timezone.now() - dt.timedelta(days=30))
version = old_record(p, s)
print("REF " + json.dumps(version.decision.reference))
print("APPROVER " + json.dumps(second.get_full_name()))
"""
APPROVER: dict[str, str] = {}  # the second admin's name: the demo's own, or the one made above


@pytest.fixture(scope="module")
def reference(server: str) -> str:
    lines = shell(PREPARE).splitlines()
    APPROVER["name"] = str(json.loads(next(line for line in lines if line.startswith("APPROVER "))[9:]))
    return str(json.loads(next(line for line in lines if line.startswith("REF "))[4:]))


def follow(trip: Journey, name: str) -> None:
    with trip.page.expect_navigation():
        trip.page.locator("main").get_by_role("link", name=name).first.click()


def press(trip: Journey, name: str) -> None:
    with trip.page.expect_navigation():
        trip.page.locator("main").get_by_role("button", name=name).click()


def sign_out(trip: Journey) -> None:
    with trip.page.expect_navigation():
        trip.page.get_by_role("button", name="Sign out").click()


def test_admin_proposes_from_the_due_list_and_a_second_admin_approves(journey: Journey, reference: str) -> None:
    page = journey.page
    journey.sign_in("admin.north")
    follow(journey, "Records due for retention review")
    journey.look("due-list")
    assert reference in page.content()
    follow(journey, reference)
    journey.look("record")
    # Nothing typed: the error summary says what is missing.
    press(journey, "Propose disposal")
    assert "Enter why the record can be disposed of" in page.locator(".govuk-error-summary").inner_text()
    journey.look("propose-error")
    page.fill("#id_propose-reason", "Past the retention period; no open case, complaint or inquiry")
    press(journey, "Propose disposal")
    assert "A different admin must approve it" in page.content()
    journey.look("proposed")
    assert page.locator("main").get_by_role("button", name="Approve and dispose of the record").count() == 0
    sign_out(journey)

    journey.sign_in("admin2.north")
    follow(journey, "Records due for retention review")
    assert "Waiting for a second admin" in page.content()
    journey.look("due-list-second-admin")
    follow(journey, reference)
    journey.look("approve")
    page.get_by_label("I have checked this record can be disposed of").check()
    press(journey, "Approve and dispose of the record")
    journey.look("tombstone")
    main = page.locator("main").inner_text()
    assert "has been disposed of" in main and "Tombstone" in main
    assert "Proposed by" in main and "Approved by" in main and APPROVER["name"] in main
    # The record itself is gone.
    journey.go(f"/decisions/{reference}")
    assert "Page not found" in page.content()
    journey.go("/retention/disposed")
    assert reference in page.content()
    journey.look("disposed-list")


ABANDONED = """
import datetime, json
from django.utils import timezone
from accounts.models import User
from decisions import services
from decisions.models import DecisionDraft
from tests.factories import answers_for, save_answers
p = User.objects.get(username="practitioner.north")
draft = save_answers(p, services.decision_start(by=p), answers_for(["request"]))
DecisionDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - datetime.timedelta(days=120))
print("REF " + json.dumps(draft.decision.reference))
"""


def test_admin_disposes_of_a_draft_nobody_has_saved_for_months(journey: Journey) -> None:
    line = next(line for line in shell(ABANDONED).splitlines() if line.startswith("REF "))
    abandoned = str(json.loads(line[4:]))
    page = journey.page
    journey.sign_in("admin.north")
    follow(journey, "Records due for retention review")
    row = page.locator("tr", has_text=abandoned)
    expect(row).to_contain_text("New record, never submitted")
    expect(page.locator("main")).not_to_contain_text("PC Jane Smith")  # nothing typed into the draft is shown
    journey.look("abandoned-drafts")
    page.set_viewport_size({"width": 375, "height": 800})
    journey.look("abandoned-drafts-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_navigation():
        row.get_by_role("button", name=f"Dispose of draft {abandoned}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"The draft of {abandoned} has been disposed of"
    )
    expect(page.locator("tr", has_text=abandoned)).to_have_count(0)
    journey.look("abandoned-draft-disposed")
