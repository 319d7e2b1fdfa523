"""PDF and Word reports: render(r) as a real PDF (reportlab) or DOCX (python-docx), parse, == r.

The documents come from tests/support/documents.py: ruled tables and tables without lines,
a 表三 split across pages with and without repeated header rows, page numbers and a running
header, Word tables with real merged cells. Hypothesis draws a third of the profile's example
count here (13 in CI, 1000 under `--hypothesis-profile=thorough`), each a whole document.
"""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, note, settings
from hypothesis import strategies as st

from tests.support import documents as D
from tests.support import renderer as R
from transforms.parser import model
from transforms.parser.export import report_to_export
from transforms.parser.layouts.docx import read_docx
from transforms.parser.layouts.pdf import read_pdf
from transforms.parser.parse import parse_document

EXAMPLES = max(settings.default.max_examples // 3, 5)

noise_flags = st.fixed_dictionaries(
    {"fullwidth": st.booleans(), "garble": st.booleans(), "thousands": st.booleans(), "title": st.booleans()}
)
pdf_styles = st.builds(
    D.PdfStyle,
    ruled=st.booleans(),
    split=st.booleans(),
    repeat_header=st.booleans(),
    running_header=st.booleans(),
    page_numbers=st.sampled_from(("dash", "of", "none")),
)


def _round_trip(data: bytes, truth: R.Truth, noise: R.Noise, extraction: str) -> dict:
    report = parse_document(data, "r")
    got = report_to_export(report)
    assert R.diff_export(got, R.expected_export(truth, data, "r", noise)) == []
    assert got["extraction"] == extraction
    return got


@settings(max_examples=EXAMPLES)
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(model.TEMPLATES), flags=noise_flags, style=pdf_styles)
def test_text_pdf_round_trips(seed, template, flags, style):
    rng = random.Random(seed)
    truth = R.random_report(rng, template)
    noise = R.Noise(**flags)
    note(f"style={style} noise={noise}")
    _round_trip(D.render_pdf(truth, rng, noise, style), truth, noise, "pdf-text")


@settings(max_examples=EXAMPLES)
@given(seed=st.integers(0, 2**32 - 1), template=st.sampled_from(model.TEMPLATES), flags=noise_flags)
def test_docx_round_trips(seed, template, flags):
    rng = random.Random(seed)
    truth = R.random_report(rng, template)
    noise = R.Noise(**flags)
    note(f"noise={noise}")
    _round_trip(D.render_docx(truth, rng, noise), truth, noise, "docx")


def _truth(seed: int = 11, template: str = "2021") -> tuple[R.Truth, random.Random]:
    rng = random.Random(seed)
    return R.random_report(rng, template), rng


def test_a_split_ruled_table_with_repeated_header_reads_once_and_records_its_pages():
    truth, rng = _truth()
    data = D.render_pdf(truth, rng, R.Noise(), D.PdfStyle(ruled=True, split=True, repeat_header=True, running_header=True))
    doc = read_pdf(data)
    header = "自然人\t法人或其他组织\t总计"
    assert doc.lines.count(header) == 1, "the header repeated on the next page is dropped"
    first = doc.pages[doc.lines.index(header)]
    rows = [p for line, p in zip(doc.lines, doc.pages, strict=True) if line.startswith(("一、本年新收", "四、结转下年度"))]
    assert rows[0] == first and rows[1] == first + 1, "表三 starts on one page and ends on the next"
    running = f"{truth.body}政府信息公开工作年度报告"
    assert not any(line == running for line in doc.lines), "the running header is dropped"
    assert not any(line.startswith("- ") for line in doc.lines), "page numbers are dropped"
    report = parse_document(data, "split.pdf")
    assert report.status == "ok"
    assert report.table_pages["applications"] == first
    assert report.table_pages["review_litigation"] >= first + 1


def test_tables_without_lines_are_read_by_word_position():
    truth, rng = _truth(12)
    data = D.render_pdf(truth, rng, R.Noise(), D.PdfStyle(ruled=False))
    doc = read_pdf(data)
    a = truth.applications["new_received"]
    row = next(line for line in doc.lines if line.startswith("一、本年新收"))
    assert row.split("\t")[1:] == [str(a[c]) for c in model.APPLICANT_CODES]
    _round_trip(data, truth, R.Noise(), "pdf-text")


def test_docx_merged_cells_stand_once_where_they_start():
    truth, rng = _truth(13)
    doc = read_docx(D.render_docx(truth, rng))
    assert doc.extraction == "docx" and doc.pages == []
    group = [line for line in doc.lines if "(三)不予公开" in line]
    assert len(group) == 1 and group[0].startswith("(三)不予公开\t1.属于国家秘密\t"), "a rowspan label on its first row only"
    assert sum("三、本年度办理结果" in line for line in doc.lines) == 1
    assert "行政复议\t行政诉讼" in doc.lines, "a colspan header once, not once per grid column"


def test_a_2019_report_in_both_formats_keeps_its_template():
    truth, rng = _truth(14, "2019")
    pdf = _round_trip(D.render_pdf(truth, rng), truth, R.Noise(), "pdf-text")
    docx = _round_trip(D.render_docx(truth, random.Random(14)), truth, R.Noise(), "docx")
    assert pdf["template"] == docx["template"] == "2019"
    assert "other_handling" in pdf["applications"]


def test_the_noise_flags_reach_the_documents():
    """The property tests' noise is really printed: full-width digits and thousands separators."""
    truth, rng = _truth(15)
    truth.applications["new_received"] = {**truth.applications["new_received"]}
    noise = replace(R.Noise(), fullwidth=True, thousands=True)
    doc = read_pdf(D.render_pdf(truth, rng, noise))
    assert any(any("\uff10" <= ch <= "\uff19" for ch in line) for line in doc.lines)
