"""Each role starts at its home page and reaches every task by links alone (no typed addresses after
signing in); the main pages at 375 pixels wide do not scroll sideways; axe-core checks every page seen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Journey, shell

# Records for the journeys, made through the real services in the e2e database (beside seed_demo's samples): a
# decision waiting for review, one returned, one returned and then amended, and a draft. Prints their
# references, and how many the practitioner has returned and in draft, as JSON.
PREPARE = """
import json
from accounts.models import User
from decisions import services as ds
from oversight import services as rs
from tests.factories import amend, answers_for, make_submitted_decision
p = User.objects.get(username="practitioner.north")
s = User.objects.get(username="supervisor.north")
waiting = make_submitted_decision(p)
returned = make_submitted_decision(p)
rs.review_return(by=s, decision=returned.decision, version=returned, comment="Say how it will be sent")
amended = make_submitted_decision(p)
rs.review_return(by=s, decision=amended.decision, version=amended, comment="Name the sibling")
amend(p, amended, "Named the sibling", {"safety": {"others_affected": "Sibling aged 4"}})
draft = ds.decision_start(by=p)
ds.draft_save_step(by=p, draft=draft, step_key="request", answers=answers_for(["request"])["request"])
from decisions.models import Decision
mine = Decision.objects.filter(owner=p)
print("REFS " + json.dumps({
    "waiting": waiting.decision.reference,
    "returned": returned.decision.reference,
    "amended": amended.decision.reference,
    "draft": draft.decision.reference,
    # With seed_demo's sample decisions beside these.
    "returned_count": str(mine.filter(review_status="returned").count()),
    "draft_count": str(mine.filter(status="draft").count()),
}))
"""


@pytest.fixture(scope="module")
def records(server: str) -> dict[str, str]:
    line = next(line for line in shell(PREPARE).splitlines() if line.startswith("REFS "))
    return dict(json.loads(line[5:]))


def click(trip: Journey, name: str, *, within: str = "main") -> None:
    """Follow a link by its words, in the page's main part (or the header's menu)."""
    scope = trip.page.locator(within)
    with trip.page.expect_navigation():
        scope.get_by_role("link", name=name).first.click()


def menu(trip: Journey, name: str) -> None:
    click(trip, name, within="nav[aria-label='Menu']")


def home(trip: Journey) -> None:
    menu(trip, "Home")
    expect(trip.page.get_by_role("heading", name="Your work")).to_be_visible()


def queue_status(trip: Journey, key: str) -> str:
    return str(trip.page.locator(f"[data-queue='{key}'] .govuk-task-list__status").inner_text()).strip()


def test_practitioner_reaches_every_task_from_home(journey: Journey, records: dict[str, str]) -> None:
    page = journey.page
    journey.sign_in("practitioner.north")
    journey.look("home")
    assert queue_status(journey, "returned") == f"{records['returned_count']} to fix"
    assert queue_status(journey, "drafts") == f"{records['draft_count']} drafts"
    # Returned decisions are highlighted: the banner leads to them.
    click(journey, "See what needs to change")
    journey.look("returned")
    click(journey, records["returned"])
    assert "Say how it will be sent" in page.content()
    journey.look("returned-decision")
    click(journey, "Amend this decision")
    assert page.url.endswith("/amend")
    journey.look("amend")
    home(journey)
    click(journey, "Drafts")
    click(journey, records["draft"])
    # A draft's own page is its task list: each task leads to its questions.
    expect(page.get_by_role("heading", name="Record this decision")).to_be_visible()
    journey.look("draft-tasks")
    with page.expect_navigation():
        page.locator("main .govuk-task-list__link").first.click()
    assert "/answer/" in page.url
    home(journey)
    click(journey, "Waiting for review")
    assert records["waiting"] in page.content() and records["returned"] not in page.content()
    home(journey)
    click(journey, "All your decisions")
    menu(journey, "Your decisions")
    home(journey)
    click(journey, records["waiting"])  # from "Your recent decisions"
    click(journey, "Check the full code")
    assert page.input_value("#id_code")
    journey.look("verify")
    home(journey)
    click(journey, "Check a verification code or a PDF audit record")
    click(journey, "Account security", within="body")
    journey.look("account-security")
    home(journey)
    with page.expect_navigation():
        page.click("button:has-text('Record a new decision')")
    expect(page.get_by_role("heading", name="Record this decision")).to_be_visible()


def test_supervisor_reads_then_reviews_from_home(journey: Journey, records: dict[str, str]) -> None:
    page = journey.page
    journey.sign_in("supervisor.north")
    journey.look("home")
    assert "waiting" in queue_status(journey, "reviews")
    click(journey, "Decisions to review")
    journey.look("queue")
    click(journey, records["amended"])
    journey.look("amendment-to-review")
    # The record first; the forms, and what changed since the version last reviewed, after it.
    record_top = page.get_by_role("heading", name="About the request").bounding_box()
    forms_top = page.get_by_role("heading", name="Review version 2").bounding_box()
    assert record_top and forms_top and record_top["y"] < forms_top["y"]
    page.get_by_role("link", name="See what changed since version 1").click()
    assert page.url.endswith("#changes-since-review")
    assert "Sibling aged 4" in page.locator("#review").inner_text()
    page.fill("#id_approve-comment", "Thank you")
    with page.expect_navigation():
        page.click("button:has-text('Sign off')")
    assert "Signed off decision" in page.content()
    home(journey)
    click(journey, "Returned decisions")
    click(journey, records["returned"])
    journey.look("returned-decision")
    home(journey)
    click(journey, "Dashboard")
    journey.look("dashboard")
    home(journey)
    click(journey, "Audit log")
    journey.look("audit-log")
    assert "Signed off a decision" in page.content() and "Sam Supervisor (North)" in page.content()
    click(journey, records["amended"])
    expect(page.get_by_role("heading", name=f"Decision {records['amended']}")).to_be_visible()
    for name in ["Decisions", "To review", "Dashboard", "Audit log"]:
        menu(journey, name)


def test_admin_reaches_exports_settings_and_the_chain_check_from_home(
    journey: Journey, records: dict[str, str]
) -> None:
    page = journey.page
    journey.sign_in("admin.north")
    journey.look("home")
    click(journey, "Bulk exports")
    expect(page.get_by_role("heading", name="Export decisions as PDFs")).to_be_visible()
    home(journey)
    click(journey, "Organisation settings")
    journey.look("settings")
    home(journey)
    click(journey, "Subject access requests")
    expect(page.get_by_role("heading", name="Subject access requests")).to_be_visible()
    home(journey)
    click(journey, "Records due for retention review")
    expect(page.get_by_role("heading", name="Records due for retention review")).to_be_visible()
    home(journey)
    click(journey, "Audit trail check")
    with page.expect_navigation():
        page.click("button:has-text('Check the audit trail now')")
    assert "The audit trail check has started" in page.content()
    # The worker runs it; the page reloads itself until the result is there.
    page.wait_for_selector("text=No problems found", timeout=90_000)
    journey.look("chain-checked")
    home(journey)
    assert queue_status(journey, "chain") == "Passed"
    click(journey, "Dashboard")
    home(journey)
    click(journey, "All decisions")
    click(journey, records["waiting"])
    with page.expect_download() as download:
        page.click("a:has-text('Download PDF')")
    assert download.value.suggested_filename.endswith(".pdf")
    for name in ["Decisions", "Dashboard", "Audit trail check", "Exports", "Settings"]:
        menu(journey, name)


def test_auditor_reads_the_log_chain_status_and_dashboard_from_home(journey: Journey, records: dict[str, str]) -> None:
    page = journey.page
    journey.sign_in("auditor.north")
    journey.look("home")
    click(journey, "Audit log")
    page.fill("input[name='reference']", records["returned"])
    with page.expect_navigation():
        page.click("button:has-text('Apply filters')")
    journey.look("audit-log-filtered")
    assert "Returned a decision" in page.content() and "Changed the answers on:" in page.content()
    click(journey, records["returned"])
    home(journey)
    click(journey, "Audit trail check (read only)")
    assert page.locator("button:has-text('Check the audit trail now')").count() == 0
    journey.look("chain-read-only")
    home(journey)
    click(journey, "Dashboard (read only)")
    journey.look("dashboard")
    home(journey)
    click(journey, "All decisions")
    for name in ["Decisions", "Dashboard", "Audit log", "Audit trail check"]:
        menu(journey, name)


def test_forgotten_password_pages(journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/")
    click(journey, "Forgotten your password?")
    with page.expect_navigation():
        page.click("button:has-text('Send the link')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.look("reset-errors")
    page.fill("#id_email", "practitioner.south@example.org")
    with page.expect_navigation():
        page.click("button:has-text('Send the link')")
    journey.look("reset-sent")
    assert "If there is an account with that email address" in page.content()
    # The emailed link, made the way the email makes it.
    path = (
        shell(
            "from django.contrib.auth.tokens import default_token_generator as t; from django.urls import reverse;"
            "from django.utils.http import urlsafe_base64_encode as e; from accounts.models import User;"
            "u = User.objects.get(username='practitioner.south');"
            "print(reverse('accounts:password_reset_confirm', args=[e(str(u.pk).encode()), t.make_token(u)]))"
        )
        .strip()
        .splitlines()[-1]
    )
    journey.go(path)
    journey.look("reset-choose")
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    with page.expect_navigation():
        page.click("button:has-text('Change password')")
    journey.look("reset-choose-errors")
    journey.go(path)
    assert "This link does not work" not in page.content()


MAIN_PAGES: dict[str, list[str]] = {
    "practitioner.north": [
        "/",
        "/decisions/",
        "/decisions/?show=returned",
        "/decisions/?name=zz",
        "/exports/verify",
        "/accounts/security",
    ],
    "supervisor.north": ["/", "/oversight/reviews", "/decisions/", "/oversight/dashboard", "/audit/"],
    "admin.north": [
        "/",
        "/exports/",
        "/exports/subject-access",
        "/oversight/organisation",
        "/audit/chain",
        "/decisions/",
        "/retention/",
    ],
    "auditor.north": ["/", "/audit/", "/audit/chain", "/oversight/dashboard"],
}


def wide(page: Any) -> tuple[int, int]:
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))  # type: ignore[return-value]


@pytest.mark.parametrize("username", list(MAIN_PAGES))
def test_main_pages_at_375_pixels_do_not_scroll_sideways(
    journey: Journey, records: dict[str, str], username: str
) -> None:
    page = journey.page
    page.set_viewport_size({"width": 375, "height": 800})
    journey.sign_in(username)
    paths = list(MAIN_PAGES[username])
    paths += [f"/decisions/{records['returned']}", f"/decisions/{records['amended']}"]
    too_wide = []
    for path in paths:
        journey.go(path)
        journey.look("375" + path.replace("/", "-").replace("?", "-"))
        scroll_width, inner_width = wide(page)
        if scroll_width > inner_width:
            too_wide.append(f"{path}: {scroll_width} > {inner_width}")
    assert too_wide == []
