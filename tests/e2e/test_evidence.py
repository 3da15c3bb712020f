"""The evidence in a real browser: a downloaded PDF checks as genuine, a tampered copy as changed, and the
audit trail check runs on the background worker while the page shows its progress."""

from __future__ import annotations

import io
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfWriter

from .conftest import Journey
from .test_roles import record_decision


def upload(journey: Journey, path: Path) -> str:
    journey.go("/exports/verify")
    journey.page.set_input_files("#id_file", str(path))
    journey.page.click("button:has-text('Check')")
    journey.page.wait_for_selector("#verdict")
    return journey.page.content()


def test_a_tampered_pdf_is_reported_as_changed(journey: Journey, tmp_path: Path) -> None:
    reference = record_decision(journey)
    page = journey.page
    journey.sign_in("admin.north")
    journey.go(f"/decisions/{reference}")
    with page.expect_download() as download_info:
        page.click("a:has-text('Download PDF')")
    genuine = tmp_path / "record.pdf"
    download_info.value.save_as(genuine)

    html = upload(journey, genuine)
    assert "This record is genuine" in html and "digital signature is intact" in html
    journey.look("verify-genuine")

    # Someone removes the last page (the audit events) and keeps the rest.
    writer = PdfWriter(clone_from=io.BytesIO(genuine.read_bytes()))
    writer.remove_page(len(writer.pages) - 1)
    tampered = tmp_path / "record-edited.pdf"
    with open(tampered, "wb") as f:
        writer.write(f)
    html = upload(journey, tampered)
    assert "This document has been changed" in html and "This record is genuine" not in html
    journey.look("verify-changed")


def test_the_audit_trail_check_runs_on_the_worker(journey: Journey) -> None:
    page = journey.page
    journey.sign_in("admin.north")
    journey.go("/audit/chain")
    page.click("button:has-text('Check the audit trail now')")
    assert "The audit trail check has started" in page.content()
    journey.look("chain-check-started")
    # The page reloads itself until the worker has finished.
    page.wait_for_selector("text=No problems found", timeout=60_000)
    journey.look("chain-check-passed")
    assert "checkpoints verified" in page.content()


def test_anyone_can_check_a_pdf_signed_out_or_from_another_organisation(journey: Journey, tmp_path: Path) -> None:
    """Issue 24 item 8: the PDF sends its reader to /exports/verify, so the page is open to anyone."""
    reference = record_decision(journey)
    page = journey.page
    journey.sign_in("admin.north")
    journey.go(f"/decisions/{reference}")
    with page.expect_download() as download_info:
        page.click("a:has-text('Download PDF')")
    genuine = tmp_path / "record.pdf"
    download_info.value.save_as(genuine)
    page.context.clear_cookies()

    upload(journey, genuine)
    expect(page.locator("#verdict")).to_contain_text("This record is genuine")
    expect(page.locator("main")).to_contain_text("Issued by Northshire Safeguarding Partnership")
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    journey.look("verify-signed-out")

    journey.sign_in("practitioner.south")
    upload(journey, genuine)
    expect(page.locator("#verdict")).to_contain_text("This record is genuine")
    expect(page.locator("main")).to_contain_text("Issued by Northshire Safeguarding Partnership")
    journey.look("verify-other-organisation")
