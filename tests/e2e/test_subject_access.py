"""An admin finds a child's records with the list's filters, then answers a subject access request: finds the
person, has the bundle made on the background worker, and downloads it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from .conftest import Journey, shell

PREPARE = """
import datetime
from accounts.models import User
from tests.factories import make_submitted_decision
from tests.people_helpers import make_person, people_answer
owner = User.objects.get(username="practitioner.north")
organisation = owner.membership.organisation
child = make_person(organisation, "Zoë Journey", datetime.date(2016, 3, 4), by=owner)
mother = make_person(organisation, "Mary Journey", None, by=owner)
both = people_answer((child, "child"), (mother, "parent_carer"))
first = make_submitted_decision(owner, overrides={"people": both})
second = make_submitted_decision(owner, overrides={"people": people_answer((child, "child"))})
print("REFS", first.decision.reference, second.decision.reference)
"""


def test_an_admin_filters_the_list_and_downloads_a_subject_access_bundle(journey: Journey, tmp_path: Path) -> None:
    with_mother, alone = shell(PREPARE).split("REFS", 1)[1].split()
    page = journey.page
    journey.sign_in("admin.north")

    # The list's filters, without a search box of the browser's own: a GET form.
    journey.go("/decisions/")
    page.fill("#id_name", "ZOE journ")
    page.click("button:has-text('Apply filters')")
    assert "2 decisions match" in page.content()
    assert with_mother in page.content() and alone in page.content()
    journey.look("list-filtered-by-name")
    page.click("a:has-text('Clear filters')")
    assert "Selected filters" not in page.content()

    journey.go("/exports/subject-access")
    journey.look("subject-access-start")
    page.fill("#id_name", "zoe journey")
    page.click("button:has-text('Find the person')")
    assert "Zoë Journey" in page.content() and "4 March 2016" in page.content()
    journey.look("subject-access-found")
    page.click("button:has-text('Make a bundle')")
    page.wait_for_selector("text=The bundle is ready", timeout=90_000)
    expect(page.get_by_text("2 of them need review before release")).to_be_visible()
    journey.look("subject-access-ready")

    with page.expect_download() as download_info:
        page.click("a:has-text('Download the bundle')")
    bundle = tmp_path / "bundle.zip"
    download_info.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        records = {r["reference"]: r for r in json.loads(archive.read("review-before-release/records.json"))}
    # Both records hold free text (the requester's name at least), so both are for review.
    assert f"review-before-release/{with_mother}-v1-audit-record.pdf" in names
    assert f"review-before-release/{alone}-v1-audit-record.pdf" in names
    assert {"review-before-release/records.json", "review-before-release/records.csv", "README.txt"} <= set(names)
    assert not [n for n in names if n.startswith("releasable/")]
    assert records[with_mother]["names_other_people"] and not records[alone]["names_other_people"]
