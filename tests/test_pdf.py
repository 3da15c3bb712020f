"""The audit-record PDF of one decision: content, PDF/A, the attached record, verification and who may export."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from audit import actions
from audit.models import AuditEvent
from decisions import pdf, signing
from decisions.guidance import edition
from decisions.models import DecisionVersion, canonical_json

from .audit_helpers import triggers_disabled
from .base import World
from .factories import amend, make_submitted_decision

VERIFY_URL = "https://decisions.example/exports/verify"


def pdf_text(data: bytes) -> str:
    """Every page's text, with runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def attached_payload(data: bytes) -> dict[str, Any]:
    files = PdfReader(io.BytesIO(data)).attachments[pdf.ATTACHMENT_NAME]
    assert len(files) == 1
    return json.loads(files[0])


def with_attachment(data: bytes, new_content: bytes) -> bytes:
    """The same PDF with its attached record replaced: what someone editing the file would do."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    replaced = 0
    for embedded in writer.attachment_list:
        if embedded.name == pdf.ATTACHMENT_NAME:
            embedded.content = new_content
            replaced += 1
    assert replaced == 1
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_url(reference: str, version: int | None = None) -> str:
    url = reverse("exports:decision_pdf", kwargs={"reference": reference})
    return f"{url}?version={version}" if version is not None else url


class Decisions(World):
    """Org A has one decision with two versions (v1 amended by v2); org B has one of its own."""

    v1: DecisionVersion
    v2: DecisionVersion
    other_org: DecisionVersion
    pdf_v2: bytes
    pdf_v1: bytes
    pdf_v2_unsigned: bytes

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.v1 = make_submitted_decision(cls.alice_practitioner_org_a)
        cls.v2 = amend(
            cls.alice_practitioner_org_a,
            cls.v1,
            "The mother asked us to correct the date of the request",
            {"request": {"request_date_0": "2"}},
        )
        cls.other_org = make_submitted_decision(cls.bob_practitioner_org_b)
        cls.v2.decision.refresh_from_db()
        # Rendered once for the class: a PDF takes a few hundred milliseconds. Signed, as every export is.
        cls.pdf_v2_unsigned = pdf.render_pdf(cls.v2, generated_by=cls.ada_admin_org_a, verify_url=VERIFY_URL)  # type: ignore[assignment]
        cls.pdf_v2 = signing.sign_pdf(cls.pdf_v2_unsigned)
        cls.pdf_v1 = signing.sign_pdf(
            pdf.render_pdf(cls.v1, generated_by=cls.aud_auditor_org_a, verify_url=VERIFY_URL)  # type: ignore[arg-type]
        )

    @property
    def reference(self) -> str:
        return self.v2.decision.reference


class PdfContentTests(Decisions):
    def test_header_reference_version_edition_and_code_are_printed(self) -> None:
        text = pdf_text(self.pdf_v2)
        assert f"Decision {self.reference}" in text
        assert "Version 2 of 2, the current version" in text
        assert "Org A Partnership" in text
        assert edition("2018").title.split(" (")[0] in text
        assert pdf.group_code(self.v2.content_hash) in text
        assert VERIFY_URL in text

    def test_answers_appear_under_each_golden_rule(self) -> None:
        text = pdf_text(self.pdf_v2)
        for principle in edition("2018").principles:
            assert f"Golden rule {principle.number}: {principle.title}" in text
        for answer in (
            "Strategy discussion about bruising seen at school",
            "Attendance record and notes of two conversations with the child",
            "Article 6(1)(e) public task",
            "Children Act 1989 section 47 (enquiries into significant harm)",
            "Consent given",
            "Mrs Patel, designated safeguarding lead",
            "jane.smith@police.example",
            "2 November 2026",
        ):
            assert answer in text, answer

    def test_amendments_reviews_audit_events_and_generation_are_recorded(self) -> None:
        text = pdf_text(self.pdf_v2)
        assert "The mother asked us to correct the date of the request" in text
        assert "Changed in version 2" in text and "3 November 2026" in text
        assert "Review sign-offs" in text
        assert "Submitted a decision" in text and "Started an amendment" in text
        assert "Alice Practitioner (alice_practitioner)" in text
        assert "by Ada Admin" in text and "(UK time)" in text
        pages = len(PdfReader(io.BytesIO(self.pdf_v2)).pages)
        assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
        assert f"End of the audit record of {self.reference}, version 2" in text

    def test_times_are_uk_time_in_british_format(self) -> None:
        submitted = timezone.localtime(self.v2.submitted_at, pdf.LONDON)
        assert f"{submitted:%-d %B %Y, %H:%M} (UK time) by Alice Practitioner" in pdf_text(self.pdf_v2)

    def test_an_earlier_version_says_it_was_superseded(self) -> None:
        text = pdf_text(self.pdf_v1)
        assert "Version 1 of 2, superseded by version 2" in text
        assert pdf.group_code(self.v1.content_hash) in text
        assert pdf.group_code(self.v2.content_hash) not in text
        assert "3 November 2026" in text

    def test_pdfa_metadata_and_output_intent(self) -> None:
        reader = PdfReader(io.BytesIO(self.pdf_v2))
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
        assert f"Information sharing decision {self.reference}, version 2" in xmp
        assert reader.metadata is not None
        assert reader.metadata.title == f"Information sharing decision {self.reference}, version 2"
        assert reader.metadata.author == "Alice Practitioner, Org A Partnership"
        root = reader.trailer["/Root"]
        assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
        # PDF/A-3: the attachment is declared as an associated file, the source of this document.
        associated = {ref.idnum for ref in root["/AF"]}
        assert len(associated) == 1
        filespec = root["/AF"][0].get_object()
        assert (filespec["/F"], filespec["/AFRelationship"]) == (pdf.ATTACHMENT_NAME, "/Source")

    def test_the_shipped_fonts_are_embedded(self) -> None:
        from fontTools.ttLib import TTFont

        reader = PdfReader(io.BytesIO(self.pdf_v2))
        embedded = set()
        for font in reader.pages[0]["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            embedded.add(TTFont(io.BytesIO(data))["name"].getDebugName(4))
        assert embedded == {"Noto Sans Regular", "Noto Sans Bold", "Noto Sans Italic", "Noto Sans Mono Regular"}

    def test_the_canonical_record_is_attached_and_hashes_to_the_code(self) -> None:
        payload = attached_payload(self.pdf_v2)
        assert payload["format"] == pdf.RECORD_FORMAT
        assert payload["verification_code"] == self.v2.content_hash
        assert payload["content"] == json.loads(canonical_json(self.v2.canonical_content()))
        digest = hashlib.sha256(canonical_json(payload["content"]).encode()).hexdigest()
        assert digest == self.v2.content_hash

    def test_code_helpers(self) -> None:
        grouped = pdf.group_code(self.v2.content_hash)
        assert len(grouped.split(" ")) == 16 and all(len(g) == 4 for g in grouped.split(" "))
        assert pdf.normalise_code(grouped.upper()) == self.v2.content_hash
        assert pdf.normalise_code(" " + "-".join(grouped.split(" ")) + "\n") == self.v2.content_hash
        assert not pdf.is_code("abc")
        assert not pdf.is_code("g" * 64)

    def test_the_record_cannot_reach_outside_the_fonts_folder(self) -> None:
        fetcher = pdf.FontsOnlyFetcher()
        for url in ("file:///etc/passwd", "https://example.com/x.css", f"{pdf.FONTS_DIR.as_uri()}/../../manage.py"):
            try:
                fetcher.fetch(url)
            except ValueError:
                continue
            raise AssertionError(f"fetched {url}")

    def test_reviews_are_printed_when_the_review_feature_records_them(self) -> None:
        if not apps.is_installed("oversight"):
            self.skipTest("The review feature is not installed")
        from oversight.models import Review

        Review.objects.create(
            decision=self.v2.decision,
            version=self.v2,
            reviewer=self.sue_supervisor_org_a,
            outcome="approve",
            comment="Proportionate and well reasoned",
            created_at=timezone.now(),
        )
        data = pdf.render_pdf(self.v2, generated_by=self.ada_admin_org_a, verify_url=VERIFY_URL)
        assert data is not None
        text = pdf_text(data)
        assert "Sue Supervisor" in text and "Proportionate and well reasoned" in text
        assert "No reviews recorded" not in text
        assert "No reviews recorded" in pdf_text(self.pdf_v2)


class PdfLengthTests(Decisions):
    """Issue 24 item 10: a record exported thirty times prints as long as one exported once."""

    def export_events(self, count: int) -> None:
        from audit import services as audit_services

        decision = self.v2.decision
        for _ in range(count):
            audit_services.record(
                action=actions.PDF_EXPORT,
                actor=self.ada_admin_org_a,
                organisation=decision.organisation,
                target=decision,
                target_ref=decision.reference,
                details={"version": 2, "content_hash": self.v2.content_hash},
            )

    def render(self) -> bytes:
        at = timezone.now()
        data = pdf.render_pdf(self.v2, generated_by=self.ada_admin_org_a, verify_url=VERIFY_URL, generated_at=at)
        assert data is not None
        return data

    def test_thirty_exports_keep_the_page_count_and_size_of_one(self) -> None:
        self.export_events(1)
        once = self.render()
        self.export_events(29)
        thirty = self.render()
        assert len(PdfReader(io.BytesIO(thirty)).pages) == len(PdfReader(io.BytesIO(once)).pages)
        assert abs(len(thirty) - len(once)) < 200, (len(once), len(thirty))
        text = pdf_text(thirty)
        assert "Exported a PDF 30" in text

    def test_the_last_line_is_kept_with_the_section_before_it(self) -> None:
        reader = PdfReader(io.BytesIO(self.pdf_v2))
        last = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
        assert "About this record" in last and "End of the audit record" in last


class DecisionPdfViewTests(Decisions):
    def get(self, user: Any, url: str) -> Any:
        return self.client_for(user).get(url)

    def pdf_exports(self) -> Any:
        return AuditEvent.objects.filter(action=actions.PDF_EXPORT)

    def test_admin_downloads_the_current_version_and_it_is_audited_once(self) -> None:
        response = self.get(self.ada_admin_org_a, pdf_url(self.reference))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{self.reference}-v2-audit-record.pdf"'
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
        text = pdf_text(response.content)
        assert pdf.group_code(self.v2.content_hash) in text
        assert "by Ada Admin" in text
        assert "http://testserver/exports/verify" in text
        event = self.pdf_exports().get()
        assert (event.actor, event.target_ref, event.target_id) == (
            self.ada_admin_org_a,
            self.reference,
            str(self.v2.decision_id),
        )
        assert event.details["version"] == 2 and event.details["content_hash"] == self.v2.content_hash

    def test_auditor_downloads_an_earlier_version_on_request(self) -> None:
        response = self.get(self.aud_auditor_org_a, pdf_url(self.reference, 1))
        assert response.status_code == 200
        assert pdf.group_code(self.v1.content_hash) in pdf_text(response.content)
        assert self.pdf_exports().get().details["version"] == 1

    def test_roles_without_export_are_refused(self) -> None:
        for user in (self.alice_practitioner_org_a, self.sue_supervisor_org_a, self.nobody_without_org):
            assert self.get(user, pdf_url(self.reference)).status_code == 403, user
        assert not self.pdf_exports().exists()

    def test_another_organisation_gets_not_found(self) -> None:
        for user in (self.bea_admin_org_b, self.ben_auditor_org_b):
            assert self.get(user, pdf_url(self.reference)).status_code == 404, user
        assert self.get(self.ada_admin_org_a, pdf_url(self.other_org.decision.reference)).status_code == 404
        assert not self.pdf_exports().exists()

    def test_missing_decision_or_version_is_not_found(self) -> None:
        assert self.get(self.ada_admin_org_a, pdf_url("OA-2026-99999")).status_code == 404
        assert self.get(self.ada_admin_org_a, pdf_url(self.reference, 9)).status_code == 404
        assert self.get(self.ada_admin_org_a, pdf_url(self.reference) + "?version=two").status_code == 404
        assert not self.pdf_exports().exists()

    def test_other_methods_are_not_allowed(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        assert client.post(pdf_url(self.reference)).status_code == 405
        assert client.delete(pdf_url(self.reference)).status_code == 405

    def test_signed_out_users_are_sent_to_sign_in(self) -> None:
        response = Client().get(pdf_url(self.reference))
        assert response.status_code == 302 and "/accounts/" in response["Location"]

    def test_decision_page_offers_the_download_to_exporters_only(self) -> None:
        detail = reverse("decisions:detail", kwargs={"reference": self.reference})
        link = pdf_url(self.reference, 2)
        for user in (self.ada_admin_org_a, self.aud_auditor_org_a):
            content = self.get(user, detail).content.decode()
            assert link in content and "Download PDF audit record" in content
            assert reverse("exports:verify") in content
        for user in (self.alice_practitioner_org_a, self.sue_supervisor_org_a):
            content = self.get(user, detail).content.decode()
            assert "Download PDF audit record" not in content
            assert reverse("exports:verify") in content
        content = self.get(self.ada_admin_org_a, detail + "?version=1").content.decode()
        assert pdf_url(self.reference, 1) in content


class VerifyTests(Decisions):
    url = reverse("exports:verify")

    def post(self, user: Any, data: dict[str, Any]) -> Any:
        return self.client_for(user).post(self.url, data)

    def upload(self, user: Any, data: bytes, name: str = "record.pdf") -> Any:
        return self.post(user, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})

    def verifications(self) -> Any:
        return AuditEvent.objects.filter(action=actions.VERIFY_CODE)

    def test_every_role_can_open_the_page_and_a_code_in_the_address_is_filled_in(self) -> None:
        for user in self.every_role_org_a:
            response = self.client_for(user).get(f"{self.url}?code=abcd")
            assert response.status_code == 200, user
            assert 'value="abcd"' in response.content.decode()
        assert not self.verifications().exists()

    def test_code_round_trip_with_spaces_and_capitals(self) -> None:
        typed = pdf.group_code(self.v2.content_hash).upper()
        response = self.post(self.alice_practitioner_org_a, {"code": typed})
        content = response.content.decode()
        assert response.status_code == 200
        assert "This record is genuine" in content
        assert self.reference in content and "the current version" in content
        event = self.verifications().get()
        assert event.details["result"] == "match" and event.details["method"] == "code"
        assert event.target_ref == self.reference and event.details["version"] == 2

    def test_an_earlier_version_matches_and_says_it_was_amended(self) -> None:
        content = self.post(self.sue_supervisor_org_a, {"code": self.v1.content_hash}).content.decode()
        assert "This record is genuine" in content
        assert "It has been amended since: version 2 is the current version" in content

    def test_unknown_code_does_not_match(self) -> None:
        content = self.post(self.ada_admin_org_a, {"code": "0" * 64}).content.decode()
        assert "No record matches this code" in content
        assert self.verifications().get().details["result"] == "no_match"

    def test_another_organisations_code_matches_and_names_its_issuer(self) -> None:
        # Issue 24 item 8: a genuine record from any organisation on the service is genuine.
        content = self.post(self.bea_admin_org_b, {"code": self.v2.content_hash}).content.decode()
        assert "This record is genuine" in content and "Issued by Org A Partnership" in content

    def test_an_altered_stored_record_is_detected(self) -> None:
        with triggers_disabled("decisions_decisionversion"), connection.cursor() as cursor:
            answers = {**self.v2.answers, "decision": {**self.v2.answers["decision"], "outcome": "no_share"}}
            cursor.execute(
                "UPDATE decisions_decisionversion SET answers = %s WHERE id = %s", [json.dumps(answers), self.v2.pk]
            )
        content = self.post(self.aud_auditor_org_a, {"code": self.v2.content_hash}).content.decode()
        assert "The stored record has been altered" in content
        assert self.verifications().get().details["result"] == "record_altered"

    def test_uploaded_pdf_round_trip(self) -> None:
        content = self.upload(self.alice_practitioner_org_a, self.pdf_v2).content.decode()
        assert "This record is genuine" in content and self.reference in content
        assert self.verifications().get().details["method"] == "upload"

    def test_a_pdf_with_an_edited_attached_record_fails(self) -> None:
        payload = attached_payload(self.pdf_v2)
        payload["content"]["answers"]["decision"]["outcome"] = "no_share"
        tampered = with_attachment(self.pdf_v2, canonical_json(payload).encode())
        content = self.upload(self.ada_admin_org_a, tampered).content.decode()
        assert "This document has been changed" in content
        assert "The record attached to the PDF has been changed since the PDF was made." in content
        assert "This record is genuine" not in content
        assert self.verifications().get().details["result"] == "document_altered"

    def test_a_pdf_whose_attached_record_and_code_were_both_rewritten_fails(self) -> None:
        payload = attached_payload(self.pdf_v2)
        payload["content"]["answers"]["decision"]["outcome"] = "no_share"
        payload["verification_code"] = hashlib.sha256(canonical_json(payload["content"]).encode()).hexdigest()
        tampered = with_attachment(self.pdf_v2, canonical_json(payload).encode())
        content = self.upload(self.ada_admin_org_a, tampered).content.decode()
        assert "This record is genuine" not in content
        assert "This document has been changed" in content
        assert "The code printed on the first page does not match" in content

    def test_a_pdf_of_another_version_attached_to_this_one_fails(self) -> None:
        other = attached_payload(self.pdf_v1)
        tampered = with_attachment(self.pdf_v2, canonical_json(other).encode())
        content = self.upload(self.ada_admin_org_a, tampered).content.decode()
        assert "This document has been changed" in content
        assert "The code printed on the first page does not match" in content

    def test_invalid_input_shows_an_error_and_records_nothing(self) -> None:
        cases = [
            ({"code": ""}, "Enter a verification code or upload a PDF"),
            ({"code": "abc123"}, "Enter the verification code as it appears on the record"),
            ({"code": "z" * 64}, "Enter the verification code as it appears on the record"),
        ]
        for data, message in cases:
            response = self.post(self.ada_admin_org_a, data)
            assert response.status_code == 200
            assert "There is a problem" in response.content.decode() and message in response.content.decode()
        response = self.upload(self.ada_admin_org_a, b"not a pdf at all", name="notes.pdf")
        assert "must be a PDF audit record downloaded from this service" in response.content.decode()
        plain = pdf.HTML(string="<p>A PDF without a record</p>").write_pdf()
        response = self.upload(self.ada_admin_org_a, plain)
        assert "must be a PDF audit record downloaded from this service" in response.content.decode()
        both = self.post(
            self.ada_admin_org_a,
            {"code": self.v2.content_hash, "file": SimpleUploadedFile("r.pdf", self.pdf_v2)},
        )
        assert "Enter a verification code or upload a PDF, not both" in both.content.decode()
        assert not self.verifications().exists()

    def test_other_methods_are_not_allowed(self) -> None:
        # Users without an organisation may check, as anyone may (test_verify_public.py).
        assert self.client_for(self.ada_admin_org_a).put(self.url).status_code == 405
        assert not self.verifications().exists()
