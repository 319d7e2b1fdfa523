"""PDF and Office files that are not readable reports: a clear reason each, nothing lost, no hang."""

from __future__ import annotations

import io
import random
import time
import zipfile
from datetime import UTC, datetime

import pytest

from tests.support import documents as D
from tests.support import renderer as R
from transforms.lake import silver
from transforms.lake.bronze import extraction_for, sniff
from transforms.parser.export import report_to_export
from transforms.parser.parse import parse_document


def _pdf(draw, encrypt=None) -> bytes:  # noqa: ANN001 - a callback drawing on a reportlab canvas
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    D._register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt, invariant=1)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _title(c) -> None:  # noqa: ANN001
    c.setFont(D.FONT, 12)
    c.drawString(72, 700, "某县人民政府2021年政府信息公开工作年度报告")
    c.drawString(72, 680, "一、总体情况 本年度政府信息公开工作有序推进。")


def _report_pdf(seed: int = 3, **style) -> bytes:
    rng = random.Random(seed)
    return D.render_pdf(R.random_report(rng), rng, R.Noise(), D.PdfStyle(**style))


def _rejected(data: bytes, *words: str) -> dict:
    got = report_to_export(parse_document(data, "bad"))
    assert got["status"] == "rejected", got["error"]
    assert all(w in got["error"] for w in words), got["error"]
    assert got["applications"] == {} and got["violations"] == []
    return got


def test_encrypted_pdf_that_needs_a_password():
    from reportlab.lib import pdfencrypt

    data = _pdf(_title, pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    _rejected(data, "encrypted PDF", "password")


def test_owner_encrypted_pdf_is_read_or_refused_by_name(monkeypatch):
    # Opens without a password (owner password only): PDFium decrypts and reads it; pdfminer
    # cannot map the CID font's text of an encrypted file, and says so instead of reading garbage.
    from reportlab.lib import pdfencrypt

    rng = random.Random(8)
    truth = R.random_report(rng)
    data = D.render_pdf(truth, rng, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=0))
    got = report_to_export(parse_document(data, "r"))
    assert R.diff_export(got, R.expected_export(truth, data, "r")) == []
    monkeypatch.setenv("OGI_PDF_READER", "pdfplumber")
    _rejected(data, "encrypted PDF", "cannot be decoded")


def test_pdf_without_tables():
    got = _rejected(_pdf(_title), "no report tables found")
    assert got["extraction"] == "pdf-text", "the text layer was read; only the tables are missing"


@pytest.mark.parametrize("cut", [0.05, 0.5, 0.97])
def test_truncated_pdf(cut):
    data = _report_pdf()
    _rejected(data[: int(len(data) * cut)], "damaged PDF", "download it again")


def test_scanned_pdf_without_a_text_layer():
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    page = Image.new("L", (300, 300), 255)
    data = _pdf(lambda c: c.drawImage(ImageReader(page), 50, 300, 300, 300))
    _rejected(data, "scanned PDF: no text layer")


def test_fonts_without_a_unicode_map_are_reported_not_read():
    # The CID font's character collection renamed to one no reader knows: every glyph comes
    # out as (cid:N), which must never turn into numbers.
    data = _report_pdf().replace(b"/Encoding /UniGB-UCS2-H", b"/Encoding /Identity-H  ").replace(b"/Ordering (GB1)", b"/Ordering (ZZZ)")
    _rejected(data, "fonts without a Unicode map", "characters cannot be read")
    # the encoding alone replaced: some glyphs unmapped, the others mapped to the wrong characters
    garbage = _report_pdf().replace(b"/Encoding /UniGB-UCS2-H", b"/Encoding /Identity-H  ")
    _rejected(garbage, "fonts without a Unicode map", "garbage")


def test_zip_renamed_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("report/page1.txt", "not a word document")
    _rejected(buf.getvalue(), "ZIP archive, not a Word document")
    _rejected(b"PK\x03\x04" + bytes(100), "damaged ZIP container")


def test_damaged_docx():
    rng = random.Random(5)
    data = D.render_docx(R.random_report(rng), rng)
    _rejected(data[: len(data) // 2], "damaged")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    _rejected(buf.getvalue(), "damaged Word document")


@pytest.mark.parametrize(
    ("streams", "words"),
    [
        ("WordDocument", ("legacy Word .doc", "save it as .docx or PDF")),
        ("Workbook", ("Excel workbook (.xls)",)),
    ],
)
def test_legacy_office_files_name_the_format_and_what_to_do(streams, words):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + streams.encode("utf-16-le") + bytes(1000)
    _rejected(data, *words)


def test_xlsx_names_the_format():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    _rejected(buf.getvalue(), "Excel workbook (.xlsx)", "save the report as .docx or PDF")
    assert sniff(buf.getvalue())[1] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_100_page_pdf_is_read_within_the_time_limit(monkeypatch):
    data = _report_pdf(4, pages_of_filler=97)
    start = time.monotonic()
    report = parse_document(data, "long.pdf")
    took = time.monotonic() - start
    assert report.status == "ok", report.error
    assert report.table_pages["applications"] >= 98
    assert took < 30
    # and a limit below what it takes stops it with the reason, instead of holding a batch
    monkeypatch.setenv("OGI_DOCUMENT_TIME_LIMIT_S", "0.3")
    start = time.monotonic()
    got = _rejected(data, "reading took longer than the 0.3 s limit per document")
    assert time.monotonic() - start < 2
    assert got["source"] == "bad"


def test_rejected_documents_go_to_quarantine_with_their_reason_and_good_ones_carry_provenance():
    good = _report_pdf(6, split=True)
    bad = _pdf(_title)
    reports = [("a" * 64, "good.pdf", parse_document(good, "good.pdf")), ("b" * 64, "bad.pdf", parse_document(bad, "bad.pdf"))]
    frames = silver.frames_from_reports(reports, "v", datetime(2026, 1, 1, tzinfo=UTC))
    row = frames["reports"].row(0, named=True)
    assert (row["media_type"], row["extraction"]) == ("application/pdf", "pdf-text")
    assert row["applications_page"] is not None and row["review_litigation_page"] >= row["applications_page"]
    quarantined = frames["quarantine"].row(0, named=True)
    assert (quarantined["source"], quarantined["error"]) == ("bad.pdf", "no report tables found (表二, 表三, 表四 all missing)")


def test_bronze_names_the_reader_of_each_media_type():
    rng = random.Random(7)
    docx = D.render_docx(R.random_report(rng), rng)
    assert sniff(docx) == (None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert extraction_for(sniff(docx)[1]) == "docx"
    assert extraction_for(sniff(_pdf(_title))[1]) == "pdf-text"
    assert extraction_for("text/html") == "html" and extraction_for("text/plain") == "text"
    assert extraction_for("application/msword") is None
