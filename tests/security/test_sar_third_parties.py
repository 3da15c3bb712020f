"""Hostile-administrator suite, issue 25 item 6: a subject access bundle must not hand third parties over.

Each test opens every file of the zip, as the officer releasing it would. A releasable file is any file outside
the review-before-release/ folder (README.txt included): none may hold anything from a record that names
someone else, nor a protected person in any form.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from decisions.people import snapshot
from exports.models import SubjectAccessRequest

from ..base import World
from ..factories import amend, make_submitted_decision
from ..storage_helpers import exports_in

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
REVIEW = "review-before-release/"
MOTHER = "Siobhán Quillfeather"
MOTHER_BORN = dt.date(1985, 3, 14)


def text_of(name: str, data: bytes) -> str:
    if name.endswith(".pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8-sig", errors="replace")


def traces_of_mother(text: str) -> int:
    """How many times the protected mother shows: her name (any part of it) or her date of birth in any form."""
    patterns = [
        r"Siobh[aá]n",
        r"Quillfeather",
        MOTHER_BORN.isoformat(),
        r"14 March 1985",
        r"14/0?3/1985",
    ]
    return sum(len(re.findall(p, text, flags=re.IGNORECASE)) for p in patterns)


@override_settings(TASKS=IMMEDIATE)
class BundleThirdPartyTests(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from ..people_helpers import make_person

        alice = cls.alice_practitioner_org_a
        cls.zoe = make_person(cls.org_a, "Zoë Subject", dt.date(2015, 6, 1), by=alice)
        cls.mother = make_person(cls.org_a, MOTHER, MOTHER_BORN, by=alice)
        people = [
            snapshot(cls.zoe, part="child", protect_identity=False),
            snapshot(cls.mother, part="parent_carer", protect_identity=True),
        ]
        # The mother is named, her identity protected, and the free text names her too.
        cls.with_mother = make_submitted_decision(
            alice,
            overrides={
                "people": {"people": people},
                "decision": {"outcome": "share_all", "reasons": f"Necessary to protect the child; {MOTHER} agreed"},
            },
        )
        # Only Zoë is on the record, but the free text names a police officer and a neighbour.
        cls.free_text = make_submitted_decision(
            alice,
            overrides={
                "people": {"people": [snapshot(cls.zoe, part="child", protect_identity=False)]},
                "information": {"description": "Neighbour Mr Arthur Grey saw the bruising"},
            },
        )

        # The mother was on the first version only: the current one no longer names her, its history does.
        earlier = make_submitted_decision(
            alice,
            overrides={"people": {"people": people}},
        )
        cls.earlier = amend(alice, earlier, "Mother removed", {"people": {"people": [people[0]]}})

    def setUp(self) -> None:
        super().setUp()
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(STORAGES=exports_in(folder)))
        self.admin = self.client_for(self.ada_admin_org_a)

    def bundle(self) -> zipfile.ZipFile:
        with self.captureOnCommitCallbacks(execute=True):
            self.admin.post(reverse("exports:subject_access"), {"person": str(self.zoe.pk)})
        found = SubjectAccessRequest.objects.get()
        response: Any = self.admin.get(reverse("exports:subject_access_download", kwargs={"pk": found.pk}))
        assert response.status_code == 200
        return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    def releasable(self, archive: zipfile.ZipFile) -> dict[str, str]:
        return {n: text_of(n, archive.read(n)) for n in archive.namelist() if not n.startswith(REVIEW)}

    def test_no_protected_person_in_any_releasable_file(self) -> None:
        archive = self.bundle()
        found = {name: traces_of_mother(text) for name, text in self.releasable(archive).items()}
        print(f"protected people in releasable bundle files: {sum(found.values())} ({found})")
        assert sum(found.values()) == 0, found

    def test_protected_people_are_withheld_from_the_review_data_files_too(self) -> None:
        archive = self.bundle()
        for name in (f"{REVIEW}records.json", f"{REVIEW}records.csv"):
            assert traces_of_mother(text_of(name, archive.read(name))) == 0, name

    def test_free_text_naming_others_is_never_releasable(self) -> None:
        archive = self.bundle()
        for name, text in self.releasable(archive).items():
            for other in ("Arthur Grey", "Jane Smith", self.free_text.decision.reference):
                assert other not in text, (name, other)
        assert any(n.startswith(REVIEW) and self.free_text.decision.reference in n for n in archive.namelist())

    def test_the_readme_lists_only_the_folders_there_and_counts_right(self) -> None:
        archive = self.bundle()
        readme = archive.read("README.txt").decode()
        folders = {n.split("/", 1)[0] for n in archive.namelist() if "/" in n}
        listed = set(re.findall(r"^([a-z-]+)/ ", readme, flags=re.MULTILINE))
        assert listed == folders == {"review-before-release"}, (listed, folders)
        assert "in this bundle: 3.\nReleasable as they are: 0. To review before release: 3." in readme
        assert "review-before-release/ (3)\n    Records that name other people (2) or hold free text" in readme
        pdfs = [n for n in archive.namelist() if n.startswith(REVIEW) and n.endswith(".pdf")]
        assert len(pdfs) == 3

    def test_a_person_named_only_by_an_earlier_version_still_sends_the_record_for_review(self) -> None:
        archive = self.bundle()
        reference = self.earlier.decision.reference
        assert f"{REVIEW}{reference}-v2-audit-record.pdf" in archive.namelist()
        for name, text in self.releasable(archive).items():
            assert reference not in text, name
