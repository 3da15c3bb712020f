"""What the PDF prints: bounded in length however often a record is read, every script a family in England
may write (no empty boxes), and columns that do not run into each other (issue 16, defects 4 to 6)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from decisions import pdf
from decisions import services as decision_services

from .base import World
from .factories import make_submitted_decision, people_named

VERIFY_URL = "https://decisions.example/exports/verify"

# A name in each script, as a family might write it.
NAMES = {
    "Latin": "Zoë Ó Briain-Łukasiewicz",
    "Greek": "Αθηνά Παπαδοπούλου",
    "Cyrillic": "Олена Коваленко",
    "Arabic": "فاطمة الزهراء",
    "Hebrew": "נועה לוי",
    "Devanagari": "नेहा पटेल",
    "Bengali": "আয়েশা রহমান",
    "Gurmukhi": "ਹਰਪ੍ਰੀਤ ਕੌਰ",
    "Gujarati": "ધ્રુવ પટેલ",
    "Tamil": "கார்த்திக் சுப்பிரமணியம்",
    "Chinese": "王小明",
    "Japanese": "山田さくら",
    "Korean": "김민준",
    "Emoji": "🌈⭐🧸",
}


def render(version: object) -> bytes:
    data = pdf.render_pdf(version, generated_by="Ada Admin", verify_url=VERIFY_URL)  # type: ignore[arg-type]
    assert data is not None
    return data


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def glyph_codes(data: bytes) -> Iterator[tuple[str, int]]:
    """(font, glyph id) of every glyph drawn. WeasyPrint writes Type0 fonts with an identity CID-to-glyph map
    and either Identity-H encoding (each two-byte code is the glyph id) or, when a font lacks some glyphs, a
    CMap that sends those codes to CID 0. Glyph 0 is .notdef: an empty box."""
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
        cmaps: dict[str, dict[int, int]] = {}
        for font in fonts.values():
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant.get("/CIDToGIDMap", "/Identity") == "/Identity"
            encoding = font["/Encoding"]
            if encoding != "/Identity-H":
                cmap = encoding.get_object().get_data()
                cmaps[str(font["/BaseFont"])] = {
                    int(code, 16): int(cid) for code, cid in re.findall(rb"<([0-9a-f]{4})> (\d+)", cmap)
                }
        current = ""
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = str(fonts[operands[0]]["/BaseFont"])
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                for item in strings:
                    if isinstance(item, (int, float)) or not hasattr(item, "get_original_bytes"):
                        raw = bytes(item) if isinstance(item, bytes) else b""
                    else:
                        raw = item.get_original_bytes()
                    for i in range(0, len(raw) - 1, 2):
                        code = int.from_bytes(raw[i : i + 2], "big")
                        yield current, cmaps.get(current, {}).get(code, code)


class BoundedLengthTests(World):
    def test_a_record_viewed_200_times_prints_as_many_pages_as_at_1_view(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        decision = version.decision
        decision_services.decision_viewed(by=self.sue_supervisor_org_a, decision=decision, version=1)
        once = render(version)
        for _ in range(199):
            decision_services.decision_viewed(by=self.sue_supervisor_org_a, decision=decision, version=1)
        many = render(version)
        assert page_count(many) == page_count(once)
        text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(many)).pages))
        # Views are counted, with the first and the last; the events that change the record are listed.
        assert re.search(r"Viewed a decision 200 \d+ \w+ \d{4}, \d\d:\d\d \d+ \w+ \d{4}, \d\d:\d\d", text), text
        assert "Submitted a decision" in text and "Started a decision" in text


class EveryScriptTests(World):
    def test_a_name_in_every_script_is_printed_with_real_glyphs(self) -> None:
        version = make_submitted_decision(
            self.alice_practitioner_org_a,
            overrides={"people": people_named(*NAMES.values()), "request": {"requester_name": NAMES["Arabic"]}},
        )
        data = render(version)
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        missing = {script: name for script, name in NAMES.items() if name not in text}
        assert missing == {}, missing
        notdef = {font for font, glyph in glyph_codes(data) if glyph == 0}
        assert notdef == set(), f"empty boxes (.notdef) drawn in {notdef}"
        # Every font is embedded, as PDF/A requires, and subset (the six-letter tag before the name).
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                descendant = font.get_object()["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"]
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), descendant
                assert re.match(r"/[A-Z]{6}\+", str(descendant["/BaseFont"])), descendant["/BaseFont"]

    @pytest.mark.xfail(strict=True, reason="ToUnicode maps each glyph to one text: a reph cluster reads out of order")
    def test_devanagari_reph_after_a_standalone_vowel_sign_reads_back_in_order(self) -> None:
        # A known limit of PDF text extraction, kept visible here: the glyph of the vowel sign ा, first seen on
        # its own ("अनन्या"), is mapped to "ा"; in "शर्मा" the same glyph sits inside the cluster र्मा, so the
        # text layer reads "शार्मा". The printed glyphs are right; only copy-and-paste of such a name is not.
        version = make_submitted_decision(
            self.alice_practitioner_org_a, overrides={"people": people_named("अनन्या शर्मा")}
        )
        assert "अनन्या शर्मा" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(render(version))).pages)

    def test_the_notdef_check_finds_a_character_no_font_has(self) -> None:
        # A private-use character no installed font draws: the check must see its empty box.
        version = make_submitted_decision(
            self.alice_practitioner_org_a, overrides={"people": people_named("Name \ue000\ue001")}
        )
        assert any(glyph == 0 for _, glyph in glyph_codes(render(version)))


class ColumnTests(World):
    def test_dates_in_the_versions_table_stay_in_their_column(self) -> None:
        from weasyprint import HTML

        version = make_submitted_decision(self.alice_practitioner_org_a)
        context = pdf.record_context(
            version, generated_by="Ada Admin", generated_at=version.submitted_at, verify_url=VERIFY_URL
        )
        document = HTML(string=pdf.render_html(context), base_url=pdf.FONTS_DIR.as_uri() + "/").render(
            stylesheets=[pdf.STYLESHEET], font_config=pdf.FONT_CONFIG
        )

        def boxes(box: object) -> Iterator[object]:
            yield box
            for child in getattr(box, "children", []):
                yield from boxes(child)

        cells = [
            b
            for page in document.pages
            for b in boxes(page._page_box)
            if type(b).__name__ == "TableCellBox" and "when" in (b.element.get("class") or "")
        ]
        assert cells
        for cell in cells:
            right = cell.content_box_x() + cell.width
            for text in (b for b in boxes(cell) if type(b).__name__ == "TextBox"):
                assert text.position_x + text.width <= right + 0.01, (text.text, text.position_x + text.width, right)
