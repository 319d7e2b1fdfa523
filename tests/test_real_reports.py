"""The hand-checked real reports (tests/fixtures/real, byte copies of shared/real): every cell,
every null the expected export leaves and every metadata field, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.parser.export import report_to_export
from transforms.parser.parse import parse_document

REAL = Path(__file__).parent / "fixtures" / "real"
EXPECTED = sorted(REAL.glob("*.expected.json"))
TABLES = ("applications", "review_litigation", "active_disclosure")
METADATA = ("year", "template", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on")


def _source(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (found,) = [p for p in REAL.glob(stem + ".*") if not p.name.endswith((".expected.json", ".md"))]
    return found


def _cells(export: dict, table: str) -> dict[tuple[str, str], object]:
    return {(row, col): v for row, cols in (export.get(table) or {}).items() for col, v in cols.items()}


@pytest.fixture(scope="module", params=EXPECTED, ids=lambda p: p.name.split("__")[-1][:60])
def pair(request: pytest.FixtureRequest) -> tuple[dict, dict]:
    src = _source(request.param)
    return report_to_export(parse_document(src.read_bytes(), str(src))), json.loads(request.param.read_text())


def test_there_are_seven_hand_checked_reports() -> None:
    assert len(EXPECTED) == 7


def test_every_cell_and_every_null(pair: tuple[dict, dict]) -> None:
    got, want = pair
    for table in TABLES:
        g, w = _cells(got, table), _cells(want, table)
        assert {k: g.get(k) for k in g.keys() | w.keys()} == {k: w.get(k) for k in g.keys() | w.keys()}, table


def test_metadata(pair: tuple[dict, dict]) -> None:
    got, want = pair
    assert {f: got.get(f) for f in METADATA if f in want} == {f: want[f] for f in METADATA if f in want}


def test_the_printed_values_break_no_rule(pair: tuple[dict, dict]) -> None:
    # every one of the seven is noted "violations of the printed table: none"
    assert pair[0]["violations"] == []


def test_a_2021_report_with_2019s_single_other_row_keeps_it() -> None:
    (htp,) = [p for p in EXPECTED if "ptzhsyqhtp" in p.name]
    report = parse_document(_source(htp).read_bytes(), "htp")
    assert (report.template, report.applications_template) == ("2021", "2019")
    assert "other_handling" in report.applications and "other_misc" not in report.applications


def test_rows_printed_without_figures_are_recovered_by_a2_not_read() -> None:
    (scj,) = [p for p in EXPECTED if "ptzhsyqscj" in p.name]
    report = parse_document(_source(scj).read_bytes(), "scj")
    for row in ("other_no_fee", "other_misc"):
        cells = report.applications[row].values()
        assert {(c.value, c.printed, c.repair_rules) for c in cells} == {(0, False, ("A2", "N1"))}
    assert report.applications["other_no_correction"]["total"].printed


def test_an_ambiguous_glued_run_stays_null() -> None:
    # 表二 行政规范性文件 '6856' has several cuts into three measures: left null, report incomplete
    (scj,) = [p for p in EXPECTED if "ptzhsyqscj" in p.name]
    report = parse_document(_source(scj).read_bytes(), "scj")
    assert {c.value for c in report.active_disclosure["normative_documents"].values()} == {None}
    assert report.status == "incomplete"
    assert "表二 normative_documents: 1 numbers for 3 measures" in (report.error or "")
