"""Digitally signed PDFs (issue 16, defect 3): signed with pyHanko, still PDF/A-3b, and any change to the
printed pages is "changed" on the verify page, never "genuine"."""

from __future__ import annotations

import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from audit import actions
from audit.models import AuditEvent
from decisions import pdf, signing

from .base import World
from .factories import make_submitted_decision

VERIFY_URL = "https://decisions.example/exports/verify"
VERIFY = reverse("exports:verify")
CHANGED = "This document has been changed"
GENUINE = "This record is genuine"


def xmp_fields(reader: PdfReader) -> dict[str, str]:
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    fields = dict(re.findall(r'(\w+:\w+)="([^"]*)"', xmp))
    fields.update(dict((k, v) for k, v in re.findall(r"<(\w+:\w+)>([^<]*)</\1>", xmp)))
    for name in ("dc:title", "dc:creator", "dc:description"):
        match = re.search(rf"<{name}>.*?<rdf:li[^>]*>([^<]*)</rdf:li>", xmp, re.DOTALL)
        if match:
            fields[name] = match.group(1)
    return fields


def pdf_date(value: str) -> str:
    """D:20261125160514+00'00 or D:20261125160514Z as 20261125160514, for comparing with XMP."""
    return re.sub(r"\D", "", value)[:14]


def remove_page(data: bytes, index: int) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.remove_page(index)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def change_first_text(data: bytes, *, incremental: bool) -> bytes:
    """One printed string changed: the first glyph of the first line of text on page 1 becomes another glyph.
    As an incremental update (the signed bytes untouched, a new revision after them) or a full rewrite."""
    writer = PdfWriter(io.BytesIO(data), incremental=True) if incremental else PdfWriter(clone_from=io.BytesIO(data))
    page = writer.pages[0]
    contents = page.get_contents()
    assert contents is not None
    stream = contents.get_data()
    match = re.search(rb"BT.*?\[<([0-9a-f]{4})>", stream, re.DOTALL)
    assert match is not None
    glyph = match.group(1)
    other = b"%04x" % (int(glyph, 16) + 1)
    contents.set_data(stream[: match.start(1)] + other + stream[match.end(1) :])
    page.replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class SignedPdfTests(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.version = make_submitted_decision(cls.alice_practitioner_org_a)
        cls.unsigned: bytes = pdf.render_pdf(cls.version, generated_by=cls.ada_admin_org_a, verify_url=VERIFY_URL)  # type: ignore[assignment]
        cls.signed = signing.sign_pdf(cls.unsigned)

    def upload(self, data: bytes) -> str:
        client = self.client_for(self.aud_auditor_org_a)
        response = client.post(VERIFY, {"file": SimpleUploadedFile("record.pdf", data, content_type="application/pdf")})
        assert response.status_code == 200
        return response.content.decode()

    def last_result(self) -> str:
        return str(AuditEvent.objects.filter(action=actions.VERIFY_CODE).latest("id").details["result"])

    def test_the_signature_validates_with_pyhankos_validator(self) -> None:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

        reader = PdfFileReader(io.BytesIO(self.signed))
        (embedded,) = reader.embedded_signatures
        context = ValidationContext(trust_roots=signing.trusted_certificates(), allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.bottom_line
        assert status.docmdp_ok
        sig = embedded.sig_object
        assert sig["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
        assert embedded.sig_field["/T"] == signing.FIELD_NAME

    def test_signing_keeps_the_document_pdf_a_3b(self) -> None:
        # How pyHanko's incremental update keeps conformance: the PDF/A-3b file WeasyPrint wrote is the first
        # revision, byte for byte; the update only appends the signature field, its value and an xref section.
        assert self.signed.startswith(self.unsigned) and len(self.signed) > len(self.unsigned)
        assert self.signed.startswith(b"%PDF-1.7")
        reader = PdfReader(io.BytesIO(self.signed))
        root = reader.trailer["/Root"]
        # Still PDF 1.7 based (PDF/A-3): no /Version override, and only the 1.7-based PAdES extension.
        assert "/Version" not in root
        assert {k: v["/BaseVersion"] for k, v in root.get("/Extensions", {}).items()} == {"/ESIC": "/1.7"}
        xmp = xmp_fields(reader)
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")
        assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
        # PDF/A: the document information dictionary and the XMP metadata agree, entry by entry.
        info = reader.trailer["/Info"].get_object()
        assert info["/Producer"] == xmp["pdf:Producer"]
        assert info["/Title"] == xmp["dc:title"] and info["/Author"] == xmp["dc:creator"]
        assert info["/Creator"] == xmp["xmp:CreatorTool"] and info["/Keywords"] == xmp["pdf:Keywords"]
        assert pdf_date(info["/ModDate"]) == pdf_date(xmp["xmp:ModifyDate"])
        assert pdf_date(info["/CreationDate"]) == pdf_date(xmp["xmp:CreateDate"])
        # PDF/A annotations: the signature widget is printable, not hidden, and has no area (so it needs no
        # appearance stream); the form does not ask the reader to make appearances.
        form = root["/AcroForm"].get_object()
        assert "/NeedAppearances" not in form
        (widget,) = [f.get_object() for f in form["/Fields"]]
        flags = int(widget["/F"])
        assert flags & 4 and not flags & (1 | 2 | 32)  # Print; not Invisible, Hidden or NoView
        assert [float(x) for x in widget["/Rect"]] == [0, 0, 0, 0]
        assert "/Encrypt" not in reader.trailer and "/JavaScript" not in str(root.get("/Names", {}))
        # Everything PDF/A-3 asked of the original is still there: the attached record as associated file.
        assert pdf.ATTACHMENT_NAME in reader.attachments
        assert root["/AF"][0].get_object()["/AFRelationship"] == "/Source"

    def test_a_signed_pdf_is_genuine_on_the_verify_page(self) -> None:
        html = self.upload(self.signed)
        assert GENUINE in html and "digital signature is intact" in html
        assert self.last_result() == "match"

    def test_a_page_removed_is_changed(self) -> None:
        html = self.upload(remove_page(self.signed, 1))
        assert CHANGED in html and GENUINE not in html
        assert "digital signature no longer matches" in html
        assert self.last_result() == "document_altered"

    def test_one_text_string_changed_is_changed(self) -> None:
        for incremental in (True, False):
            tampered = change_first_text(self.signed, incremental=incremental)
            # The incremental one leaves every signed byte in place: the signature itself still verifies.
            assert tampered.startswith(self.signed) is incremental
            assert (
                PdfReader(io.BytesIO(tampered)).pages[0].extract_text()
                != PdfReader(io.BytesIO(self.signed)).pages[0].extract_text()
            )
            html = self.upload(tampered)
            assert CHANGED in html and GENUINE not in html, incremental
            assert self.last_result() == "document_altered"

    def test_a_pdf_signed_again_by_someone_else_is_changed(self) -> None:
        from pathlib import Path

        other = Path(signing.settings.PDF_SIGNING_PKCS12_FILE).with_name("impostor.p12")
        other.write_bytes(signing.make_self_signed_pkcs12("Information sharing decisions", "Impostor"))
        self.addCleanup(other.unlink)
        tampered = remove_page(self.unsigned, 1)
        with override_settings(PDF_SIGNING_PKCS12_FILE=str(other)):
            resigned = signing.sign_pdf(tampered)
        html = self.upload(resigned)
        assert CHANGED in html and "was not made by this service" in html

    def test_an_old_unsigned_pdf_matches_but_is_never_called_genuine(self) -> None:
        html = self.upload(self.unsigned)
        assert "The attached record matches, but this PDF is not digitally signed" in html
        assert GENUINE not in html and CHANGED not in html
        assert self.last_result() == "unsigned"

    def test_an_old_unsigned_pdf_with_a_page_removed_is_changed(self) -> None:
        html = self.upload(remove_page(self.unsigned, 1))
        assert CHANGED in html and "but its first page says it has" in html

    def test_the_downloaded_pdf_is_signed(self) -> None:
        url = reverse("exports:decision_pdf", kwargs={"reference": self.version.decision.reference})
        response = self.client_for(self.ada_admin_org_a).get(url)
        assert signing.check_signature(response.content).state == signing.SignatureState.VALID

    def test_without_a_certificate_nothing_is_exported(self) -> None:
        url = reverse("exports:decision_pdf", kwargs={"reference": self.version.decision.reference})
        with override_settings(PDF_SIGNING_PKCS12_FILE="/nonexistent.p12"):
            response = self.client_for(self.ada_admin_org_a).get(url)
        assert response.status_code == 503 and "cannot be made at the moment" in response.content.decode()
        assert not AuditEvent.objects.filter(action=actions.PDF_EXPORT).exists()

    def test_bulk_export_pdfs_are_signed(self) -> None:
        import datetime as dt

        from exports import services as export_services
        from exports.models import BulkExport

        day = self.version.submitted_at.date()
        with self.captureOnCommitCallbacks(execute=True):
            export = export_services.bulk_export_start(
                by=self.ada_admin_org_a,
                submitted_from=day - dt.timedelta(days=1),
                submitted_to=day + dt.timedelta(days=1),
                team=None,
                outcome="",
                verify_url=VERIFY_URL,
            )
        from exports.tasks import run_export

        run_export(export.pk)
        export = BulkExport.objects.get(pk=export.pk)
        with zipfile.ZipFile(export.path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".pdf")]
            assert names
            for name in names:
                assert signing.check_signature(archive.read(name)).state == signing.SignatureState.VALID
