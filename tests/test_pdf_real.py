"""The real published PDF (淮安市人民政府 2024, six pages): every value of its hand-written
expected export, read through the PDF reader (pdfplumber page geometry)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from transforms.parser.export import report_to_export
from transforms.parser.layouts.pdf import read_pdf
from transforms.parser.parse import parse_document

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
PDF = REAL / "huaian-2024__szfgs2024.pdf"
EXPECTED = json.loads((REAL / "huaian-2024__szfgs2024.expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_huaian_pdf_equals_its_expected_export_on_every_value(reader, monkeypatch) -> None:
    """Through either reader of the page geometry: PDFium (the default) and pdfplumber."""
    monkeypatch.setenv("OGI_PDF_READER", reader)
    data = PDF.read_bytes()
    report = parse_document(data, PDF.name)
    got = report_to_export(report)
    assert got["report_id"] == hashlib.sha256(data).hexdigest()
    for key in (
        "source", "status", "year", "template", "body", "jurisdiction", "parent_jurisdictions", "admin_code",
        "published_on", "applications", "review_litigation", "active_disclosure", "violations",
    ):  # fmt: skip
        assert got[key] == EXPECTED[key], key
    assert got["error"] is None and got["repairs"] == []
    assert got["extraction"] == "pdf-text"
    assert report.media_type == "application/pdf" and report.layout == "pdf"
    # 表二 starts at the foot of page 3, 表三 on page 4, 表四 on page 5 (see the reading notes)
    assert report.table_pages == {"active_disclosure": 3, "applications": 4, "review_litigation": 5}
    assert all(r.held and r.basis == "printed" for r in report.rule_results)
    assert {r.rule for r in report.rule_results} >= {"A1", "A2", "A3", "R1", "N1"}


def test_huaian_lines_drop_page_numbers_and_keep_the_narrative_whole() -> None:
    doc = read_pdf(PDF.read_bytes())
    assert doc.page_count == 6 and doc.extraction == "pdf-text"
    assert not any(line.strip().startswith("- ") and line.strip().endswith(" -") for line in doc.lines), "footers `- N -` dropped"
    # the 表三 row that spans the page break: the group label's two halves are cells of their rows
    assert "（四）无\t1.本机关不掌握相关政府信息\t746\t12\t0\t0\t10\t1\t769" in doc.lines
    assert doc.pages[doc.lines.index("（四）无\t1.本机关不掌握相关政府信息\t746\t12\t0\t0\t10\t1\t769")] == 4
    # a sentence wrapped over two lines is one line again, so T1 reads its figures
    # (and without the spaces the typesetter put around numbers, as an HTML page has none)
    assert any("全市共受理政府信息公开申请3119件，答复3050件" in line for line in doc.lines)
    assert doc.lines[:2] == ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
    # the paragraph that runs from page 2 onto page 3 is joined across the break
    assert any("将栏目不更新、政策解读不通俗易懂" in line for line in doc.lines)
    # 表四's single data row: 15 ruled cells
    assert "72\t64\t178\t37\t351\t13\t4\t8\t1\t26\t12\t1\t1\t6\t20" in doc.lines
