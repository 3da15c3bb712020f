"""Supervisors, admins and auditors in a real browser, and another organisation kept out."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.wizard_helpers import MAIN_PATH

from .conftest import Journey
from .test_practitioner import answer, start_decision, submit


def record_decision(trip: Journey) -> str:
    reference = start_decision(trip)
    for step in MAIN_PATH:
        answer(trip, step)
    submit(trip)
    trip.page.context.clear_cookies()
    return reference


def test_supervisor_signs_off_one_and_returns_another_which_is_amended(journey: Journey) -> None:
    first = record_decision(journey)
    second = record_decision(journey)
    page = journey.page

    journey.sign_in("supervisor.north")
    journey.go("/oversight/reviews")
    journey.look("review-queue")
    expect(page.get_by_text(first).first).to_be_visible()
    expect(page.get_by_text(second).first).to_be_visible()
    journey.go(f"/decisions/{first}")
    journey.look("review-panel")
    page.click("button:has-text('Sign off')")
    assert "Signed off" in page.content()
    journey.go(f"/decisions/{second}")
    page.click("button:has-text('Return to practitioner')")
    expect(page.locator(".govuk-error-summary").first).to_be_visible()
    journey.look("return-errors")
    page.fill("#id_return-comment", "Say how the information will be sent securely")
    page.click("button:has-text('Return to practitioner')")
    assert "Returned" in page.content()
    journey.go("/oversight/dashboard")
    journey.look("dashboard")
    page.context.clear_cookies()

    journey.sign_in("practitioner.north")
    journey.go(f"/decisions/{second}")
    assert "Say how the information will be sent securely" in page.content()
    journey.look("returned-to-practitioner")
    page.click("a:has-text('Amend this decision')")
    page.fill("#id_reason", "Supervisor asked how it is sent")
    journey.look("amend-reason")
    page.click("button:has-text('Continue')")
    page.click(f"a[href='/decisions/{second}/answer/sending?return=check']")
    page.fill("#id_secure_detail", "Secure email to a named officer, password-protected attachment")
    page.click("button:has-text('Save and return to check your answers')")
    submit(journey)
    page.click("summary:has-text('Show amendments')")
    journey.look("amendments")
    assert "password-protected attachment" in page.content()
    assert "Awaiting review" in page.content()


def test_admin_downloads_a_pdf_and_runs_a_bulk_export(journey: Journey) -> None:
    reference = record_decision(journey)
    page = journey.page
    journey.sign_in("admin.north")
    journey.go(f"/decisions/{reference}")
    with page.expect_download() as download_info:
        page.click("a:has-text('Download PDF')")
    pdf = download_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    journey.go("/exports/")
    journey.look("export-start")
    page.click("button:has-text('Start export')")
    expect(page.locator(".govuk-error-summary").first).to_be_visible()
    journey.look("export-errors")
    # Today's decisions only: seed_demo's six months of samples would make a long export.
    today = dt.datetime.now(ZoneInfo("Europe/London")).date()
    day = (str(today.day), str(today.month), str(today.year))
    for prefix, (d, m, y) in {"submitted_from": day, "submitted_to": day}.items():
        page.fill(f"#id_{prefix}_0", d)
        page.fill(f"#id_{prefix}_1", m)
        page.fill(f"#id_{prefix}_2", y)
    page.click("button:has-text('Start export')")
    journey.look("export-progress")
    page.wait_for_selector("text=Your export is ready", timeout=60_000)
    journey.look("export-ready")
    with page.expect_download() as download_info:
        page.click("a:has-text('Download the export')")
    assert download_info.value.suggested_filename.endswith(".zip")


def test_auditor_filters_the_audit_log(journey: Journey) -> None:
    reference = record_decision(journey)
    page = journey.page
    journey.sign_in("auditor.north")
    journey.go("/audit/")
    journey.look("audit-log")
    page.fill("input[name='reference']", reference)
    page.click("button:has-text('Apply filters')")
    journey.look("audit-log-filtered")
    rows = page.locator("tbody tr")
    assert rows.count() >= len(MAIN_PATH) + 2
    assert all(reference in rows.nth(i).inner_text() for i in range(rows.count()))
    page.fill("input[name='reference']", "no such reference")
    page.click("button:has-text('Apply filters')")
    assert page.locator("tbody tr").count() == 0


def test_another_organisation_reaches_none_of_it(journey: Journey) -> None:
    reference = record_decision(journey)
    journey.sign_in("admin.south")
    for path in [f"/decisions/{reference}", f"/exports/decisions/{reference}/pdf"]:
        journey.go(path)
        expect(journey.page.get_by_role("heading", name="Page not found"), path).to_be_visible()
    journey.go("/audit/")
    assert re.search(r"cannot do this|Page not found", journey.page.content())
    journey.page.context.clear_cookies()
    journey.sign_in("supervisor.south")
    journey.go(f"/audit/?reference={reference}")
    assert journey.page.locator("tbody tr").count() == 0
    journey.look("other-org-audit-log")
