"""Subject access requests: finding the person, the bundle's contents (signed PDFs, JSON, CSV, third-party
marking), who may do it, and the audit of starting, downloading and expiry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit import actions
from audit.models import AuditEvent
from audit.verify import verify_chains
from decisions import signing
from exports import services, subject_access
from exports.models import DOWNLOAD_FOR, ExportStatus, SubjectAccessRequest
from exports.subject_access import FREE_TEXT, NAMES_OTHERS, RELEASABLE_FOLDER, REVIEW_FOLDER, prune_expired_bundles

from .base import World
from .factories import amend, make_submitted_decision
from .people_helpers import make_person, people_answer
from .storage_helpers import exports_in

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
START = reverse("exports:subject_access")


def detail(found: SubjectAccessRequest, name: str = "subject_access_detail") -> str:
    return reverse(f"exports:{name}", kwargs={"pk": found.pk})


@override_settings(TASKS=IMMEDIATE)
class SubjectAccessWorld(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        alice, bob = cls.alice_practitioner_org_a, cls.bob_practitioner_org_b
        cls.zoe = make_person(cls.org_a, "Zoë O'Brien", dt.date(2015, 6, 1), by=alice)
        cls.mother = make_person(cls.org_a, "Siobhán O'Brien", None, by=alice)
        cls.stranger = make_person(cls.org_a, "Sam Stranger", None, by=alice)
        cls.nobody = make_person(cls.org_a, "Zoe Unrecorded", None, by=alice)
        cls.zoe_b = make_person(cls.org_b, "Zoë O'Brien", dt.date(2015, 6, 1), by=bob)

        def about(*people: tuple[Any, str]) -> dict[str, dict[str, Any]]:
            return {"people": people_answer(*people)}

        first = make_submitted_decision(alice, overrides=about((cls.zoe, "child")))
        cls.with_mother = amend(
            alice,
            first,
            "Mother's address corrected",
            {"request": {"case_reference": "CASE-1"}, **about((cls.zoe, "child"), (cls.mother, "parent_carer"))},
        )
        cls.alone = make_submitted_decision(cls.amir_practitioner_org_a, overrides=about((cls.zoe, "child")))
        cls.not_hers = make_submitted_decision(alice, overrides=about((cls.stranger, "child")))
        cls.other_org = make_submitted_decision(bob, overrides=about((cls.zoe_b, "child")))

    def setUp(self) -> None:
        super().setUp()
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(STORAGES=exports_in(self.folder)))
        self.admin = self.client_for(self.ada_admin_org_a)

    def start(self, person: Any, client: Any = None) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return (client or self.admin).post(START, {"person": str(person.pk)})

    def bundle(self, response: Any) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


class FindingThePersonTests(SubjectAccessWorld):
    def test_search_finds_people_of_the_organisation_with_their_decision_counts(self) -> None:
        html = self.admin.get(START, {"name": "zoe"}).content.decode()
        assert "Zoë O&#x27;Brien" in html and "1 June 2015" in html and "Zoe Unrecorded" in html
        assert f'name="person" value="{self.zoe.pk}"' in html and f'value="{self.zoe_b.pk}"' not in html
        assert f'value="{self.nobody.pk}"' not in html and "No submitted decisions" in html
        rows = html.split("People found", 1)[1]
        assert '<td class="govuk-table__cell" data-label="Decisions about them">2</td>' in rows

    def test_by_date_of_birth_alone(self) -> None:
        html = self.admin.get(START, {"date_of_birth_0": "1", "date_of_birth_1": "6", "date_of_birth_2": "2015"})
        content = html.content.decode()
        assert f'value="{self.zoe.pk}"' in content and "Siobh" not in content

    def test_invalid_search_is_a_govuk_error(self) -> None:
        for query, message in (
            ({"name": ""}, "Enter their name or their date of birth"),
            (
                {"name": "x", "date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2015"},
                "must be a real date",
            ),
            ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ):
            response = self.admin.get(START, query)
            html = response.content.decode()
            assert response.status_code == 200 and "govuk-error-summary" in html and message in html, query
            assert "People found" not in html

    def test_other_roles_are_refused(self) -> None:
        for user in (
            self.alice_practitioner_org_a,
            self.sue_supervisor_org_a,
            self.aud_auditor_org_a,
            self.nobody_without_org,
        ):
            client = self.client_for(user)
            assert client.get(START, {"name": "zoe"}).status_code == 403, user
            assert self.start(self.zoe, client).status_code == 403, user
        assert not SubjectAccessRequest.objects.exists()

    def test_another_organisations_person_is_not_found(self) -> None:
        assert self.start(self.zoe_b).status_code == 404
        assert self.start(self.zoe, self.client_for(self.bea_admin_org_b)).status_code == 404
        assert not SubjectAccessRequest.objects.exists()

    def test_a_missing_or_malformed_person(self) -> None:
        for value in ("", "abc", "0", "-3", "99999999999999999999999"):
            response = self.admin.post(START, {"person": value})
            assert response.status_code == 400 and "Select the person" in response.content.decode(), value
        assert self.admin.post(START, {"person": "987654"}).status_code == 404
        assert not SubjectAccessRequest.objects.exists()

    def test_a_person_with_no_submitted_decisions_gets_an_error(self) -> None:
        response = self.start(self.nobody)
        assert (
            response.status_code == 400
            and "There are no submitted decisions about this person" in response.content.decode()
        )
        assert not SubjectAccessRequest.objects.exists()

    def test_wrong_method(self) -> None:
        assert self.admin.put(START).status_code == 405


class BundleTests(SubjectAccessWorld):
    def test_the_bundle_holds_each_record_signed_with_its_data_and_marks_third_parties(self) -> None:
        # The record naming only Zoë is taken as holding no free text here, so it is releasable.
        alone = self.alone.decision_id
        real = subject_access._free_text
        with mock.patch.object(subject_access, "_free_text", lambda v: v.decision_id != alone and real(v)):
            response = self.start(self.zoe)
        found = SubjectAccessRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(found)
        assert (found.status, found.total, found.done, found.naming_others, found.for_review) == (
            ExportStatus.READY, 2, 2, 1, 1
        )  # fmt: skip
        page = self.admin.get(detail(found)).content.decode()
        assert "The bundle is ready" in page and "1 of them needs review before release" in page

        download = self.admin.get(detail(found, "subject_access_download"))
        assert download.status_code == 200 and download["Content-Type"] == "application/zip"
        archive = self.bundle(download)
        mother_ref, alone_ref = self.with_mother.decision.reference, self.alone.decision.reference
        assert sorted(archive.namelist()) == sorted(
            [
                f"{REVIEW_FOLDER}/{mother_ref}-v2-audit-record.pdf",
                f"{REVIEW_FOLDER}/records.json",
                f"{REVIEW_FOLDER}/records.csv",
                f"{RELEASABLE_FOLDER}/{alone_ref}-v1-audit-record.pdf",
                f"{RELEASABLE_FOLDER}/records.json",
                f"{RELEASABLE_FOLDER}/records.csv",
                "README.txt",
            ]
        )
        for name in archive.namelist():
            if name.endswith(".pdf"):
                check = signing.check_signature(archive.read(name))
                assert check.state == signing.SignatureState.VALID, (name, check)

        (with_mother,) = json.loads(archive.read(f"{REVIEW_FOLDER}/records.json"))
        (alone_record,) = json.loads(archive.read(f"{RELEASABLE_FOLDER}/records.json"))
        assert (with_mother["reference"], alone_record["reference"]) == (mother_ref, alone_ref)
        assert with_mother["names_other_people"] is True and with_mother["other_people_named"] == 1
        assert with_mother["review_reasons"] == [NAMES_OTHERS, FREE_TEXT]
        assert [(p["name"], p["is_the_subject"]) for p in with_mother["people"]] == [
            ("Zoë O'Brien", True),
            ("Siobhán O'Brien", False),
        ]
        assert with_mother["subject_part"] == "The child the concern is about"
        assert [v["number"] for v in with_mother["versions"]] == [1, 2]
        assert with_mother["versions"][1]["amendment_reason"] == "Mother's address corrected"
        assert with_mother["versions"][1]["answers"] == self.with_mother.answers
        assert with_mother["case_reference"] == "CASE-1"
        assert alone_record["names_other_people"] is False and alone_record["review_reasons"] == []
        for name in archive.namelist():
            assert b"Sam Stranger" not in archive.read(name)
            if name.startswith(RELEASABLE_FOLDER) and not name.endswith(".pdf"):
                assert b"Siobh" not in archive.read(name) and mother_ref.encode() not in archive.read(name)

        rows = list(csv.DictReader(io.StringIO(archive.read(f"{REVIEW_FOLDER}/records.csv").decode("utf-8-sig"))))
        marks = [(r["Reference"], r["Names other people (review before release)"]) for r in rows]
        assert marks == [(mother_ref, "Yes")]
        assert rows[0]["Why it needs review"] == f"{NAMES_OTHERS}; {FREE_TEXT}"
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{RELEASABLE_FOLDER}/records.csv").decode("utf-8-sig"))))
        assert [(r["Reference"], r["Why it needs review"]) for r in rows] == [(alone_ref, "")]
        readme = archive.read("README.txt").decode()
        assert "in this bundle: 2.\nReleasable as they are: 1. To review before release: 1." in readme
        assert "releasable/ (1)\n    Records that name only this person" in readme
        assert "review-before-release/ (1)\n    Records that name other people (1) or hold free text" in readme

    def test_every_record_with_free_text_goes_for_review(self) -> None:
        self.start(self.zoe)
        found = SubjectAccessRequest.objects.get()
        assert (found.naming_others, found.for_review) == (1, 2)
        page = self.admin.get(detail(found)).content.decode()
        assert "2 of them need review before release" in page
        archive = self.bundle(self.admin.get(detail(found, "subject_access_download")))
        assert not [n for n in archive.namelist() if n.startswith(RELEASABLE_FOLDER)]
        records = json.loads(archive.read(f"{REVIEW_FOLDER}/records.json"))
        assert {r["reference"]: r["review_reasons"] for r in records} == {
            self.with_mother.decision.reference: [NAMES_OTHERS, FREE_TEXT],
            self.alone.decision.reference: [FREE_TEXT],
        }
        assert "releasable/" not in archive.read("README.txt").decode()

    def test_a_record_disposed_of_while_the_bundle_is_made_is_not_released(self) -> None:
        from decisions.choices import DecisionStatus
        from decisions.models import Decision
        from exports.subject_access import SubjectAccessBundle

        disposed = self.alone.decision
        make_chunk = SubjectAccessBundle.run_chunk

        def then_dispose(kind: Any, *args: Any) -> Any:
            result = make_chunk(kind, *args)
            Decision.objects.filter(pk=disposed.pk).update(status=DecisionStatus.DISPOSED)
            return result

        with mock.patch.object(SubjectAccessBundle, "run_chunk", then_dispose):
            self.start(self.zoe)
        found = SubjectAccessRequest.objects.get()
        assert found.status == ExportStatus.FAILED and "disposed of while it was being made" in found.error_message
        assert found.file_name == "" and not [p for p in self.folder.rglob("*") if p.is_file()]
        assert not AuditEvent.objects.filter(action=actions.PDF_EXPORT).exists()

    def test_starting_downloading_and_expiry_are_audited_without_personal_content(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.start(self.zoe)
        found = SubjectAccessRequest.objects.get()
        self.admin.get(detail(found, "subject_access_download"))
        with time_machine.travel(start + DOWNLOAD_FOR + dt.timedelta(minutes=1), tick=False):
            assert prune_expired_bundles() == 1
            signed_in_again = self.client_for(self.ada_admin_org_a)
            assert signed_in_again.get(detail(found, "subject_access_download")).status_code == 410
            assert prune_expired_bundles() == 0  # once only
        found.refresh_from_db()
        assert found.file_name == "" and not [p for p in self.folder.rglob("*") if p.is_file()]

        events = {
            action: list(AuditEvent.objects.filter(action=action))
            for action in (actions.SUBJECT_ACCESS_START, actions.SUBJECT_ACCESS_DOWNLOAD, actions.SUBJECT_ACCESS_EXPIRE)
        }
        assert [len(e) for e in events.values()] == [1, 1, 1]
        assert events[actions.SUBJECT_ACCESS_START][0].details == {"person": self.zoe.pk, "decisions": 2}
        assert events[actions.SUBJECT_ACCESS_DOWNLOAD][0].details["file_sha256"] == found.file_sha256
        assert AuditEvent.objects.filter(action=actions.PDF_EXPORT, details__subject_access=found.pk).count() == 2
        everything = json.dumps([e.details for e in AuditEvent.objects.all()], ensure_ascii=False)
        assert "Brien" not in everything and "2015-06-01" not in everything
        assert verify_chains(save=False).ok

    def test_another_admins_bundle_is_not_found(self) -> None:
        self.start(self.zoe)
        found = SubjectAccessRequest.objects.get()
        other_admin = self.client_for(self.bea_admin_org_b)
        for name in ("subject_access_detail", "subject_access_download"):
            assert other_admin.get(detail(found, name)).status_code == 404
            assert self.admin.get(reverse(f"exports:{name}", kwargs={"pk": 987654})).status_code == 404
        assert other_admin.post(detail(found, "subject_access_retry")).status_code == 404
        assert self.client_for(self.sue_supervisor_org_a).get(detail(found)).status_code == 403

    def test_a_failed_bundle_can_be_tried_again(self) -> None:
        now = timezone.now()
        found = SubjectAccessRequest.objects.create(
            organisation=self.org_a,
            requested_by=self.ada_admin_org_a,
            person=self.zoe,
            verify_url="http://testserver/exports/verify",
            status=ExportStatus.FAILED,
            error_message="Stopped",
            attempts=1,
            total=2,
            created_at=now,
            updated_at=now,
        )
        assert self.admin.get(detail(found, "subject_access_retry")).status_code == 405
        with self.captureOnCommitCallbacks(execute=True):
            response = self.admin.post(detail(found, "subject_access_retry"))
        assert response.status_code == 302
        found.refresh_from_db()
        assert (found.status, found.attempts, found.done) == (ExportStatus.READY, 2, 2)
        # A bundle that is ready cannot be started again.
        response = self.admin.post(detail(found, "subject_access_retry"), follow=True)
        assert "cannot be started again" in response.content.decode()

    def test_a_person_removed_before_the_job_ran_fails_it_plainly(self) -> None:
        found = services.subject_access_start(
            by=self.ada_admin_org_a, person=self.zoe, verify_url="http://testserver/exports/verify"
        )
        SubjectAccessRequest.objects.filter(pk=found.pk).update(person=None)
        from exports.subject_access import run_bundle

        assert run_bundle(found.pk) == "stopped"
        found.refresh_from_db()
        assert found.status == ExportStatus.FAILED and "removed" in found.error_message


class ProgressTests(SubjectAccessWorld):
    def test_progress_while_queued_and_only_for_the_requester(self) -> None:
        found = services.subject_access_start(
            by=self.ada_admin_org_a, person=self.zoe, verify_url="http://testserver/exports/verify"
        )
        url = detail(found, "subject_access_progress")
        assert self.admin.get(url).json() == {
            "status": "queued", "active": True, "done": 0, "total": 2, "percent": 0, "text": "0 of 2",
        }  # fmt: skip
        assert "Making the bundle" in self.admin.get(detail(found)).content.decode()
        assert self.client_for(self.bea_admin_org_b).get(url).status_code == 404
        assert self.client_for(self.aud_auditor_org_a).get(url).status_code == 403


class SubjectAccessFuzzTests(SubjectAccessWorld):
    def test_search_and_start_never_give_a_500_nor_cross_organisations(self) -> None:
        from hypothesis import given, settings
        from hypothesis import strategies as st

        from exports.forms import PersonSearchForm, SubjectAccessStartForm

        from .test_fuzz import FUZZ, form_data, no_server_error, rolled_back

        other = str(self.zoe_b.pk)

        @settings(FUZZ, max_examples=20)
        @given(query=form_data(PersonSearchForm()), post=form_data(SubjectAccessStartForm()), start=st.booleans())
        def fuzzed(query: dict[str, list[str]], post: dict[str, list[str]], start: bool) -> None:
            with rolled_back(self.admin):
                response = self.admin.post(START, post) if start else self.admin.get(START, query)
                no_server_error(response, f"{query!r:.200} {post!r:.200}")
                assert f'name="person" value="{other}"' not in response.content.decode()
                assert not SubjectAccessRequest.objects.filter(person=self.zoe_b).exists()

        fuzzed()
