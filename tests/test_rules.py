"""The statutory rules on parsed reports: violations reported exactly, printed values never changed."""

from __future__ import annotations

from pathlib import Path

from transforms.parser.export import report_to_export
from transforms.parser.model import APPLICANT_CODES
from transforms.parser.parse import parse_document
from transforms.parser.rules import evaluate

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEED_002 = (SEEDS / "002_1bf9cee3deb4981e.txt").read_bytes().decode()  # pipe cells, 2019 template, all rules hold


def parse_text(text: str) -> dict:
    return report_to_export(parse_document(text.encode(), "t.txt"))


def test_seed_holds_every_rule_on_printed_values() -> None:
    report = parse_document(SEED_002.encode(), "002.txt")
    assert report.status == "ok"
    assert all(r.held and r.basis == "printed" for r in report.rule_results)
    assert len(report.rule_results) == len(report.applications) + 2 * 7 + 3 + 3


def test_injected_total_error_is_reported_not_repaired() -> None:
    # (一)予以公开 114 8 0 0 0 0 122: print 123 as the row total instead.
    text = SEED_002.replace("(一)予以公开 |\n114 |\n8 |\n0 |\n0 |\n0 |\n0 |\n122 |", "(一)予以公开 |\n114 |\n8 |\n0 |\n0 |\n0 |\n0 |\n123 |")
    assert text != SEED_002
    got = parse_text(text)
    assert got["status"] == "ok"
    assert got["repairs"] == []
    assert got["applications"]["granted"]["total"] == 123
    assert sorted((v["rule"], v["where"], v["lhs"], v["rhs"]) for v in got["violations"]) == [
        ("A1", "granted", 123, 122),
        ("A2", "total", 341, 342),
    ]


def test_injected_cell_error_breaks_row_and_column_rules() -> None:
    # 四、结转下年度继续办理: natural_person 2 -> 3 (row total stays 2).
    text = SEED_002.replace("四、结转下年度继续办理 |\n2 |", "四、结转下年度继续办理 |\n3 |")
    got = parse_text(text)
    assert got["applications"]["carried_forward"]["natural_person"] == 3
    assert sorted((v["rule"], v["where"], v["lhs"], v["rhs"]) for v in got["violations"]) == [
        ("A1", "carried_forward", 2, 3),
        ("A3", "natural_person", 334, 335),
    ]


def test_review_group_error_is_r1() -> None:
    text = SEED_002.replace("20 |\n1 |\n2 |\n21 |\n44 |", "20 |\n1 |\n2 |\n21 |\n45 |")
    got = parse_text(text)
    assert [(v["rule"], v["table"], v["where"], v["lhs"], v["rhs"]) for v in got["violations"]] == [
        ("R1", "review_litigation", "review", 45, 44)
    ]


def test_negative_count_is_n1_per_cell_but_negative_change_is_allowed() -> None:
    text = SEED_002.replace("7.属于行政执法案卷 |\n0 |", "7.属于行政执法案卷 |\n-1 |")
    got = parse_text(text)
    n1 = [v for v in got["violations"] if v["rule"] == "N1"]
    assert n1 == [{"rule": "N1", "table": "applications", "where": "denied_enforcement_file.natural_person", "lhs": -1, "rhs": 0}]
    assert got["active_disclosure"]["licensing"]["items_change"] == -55  # 本年增/减 may be negative
    report = parse_document(text.encode(), "t.txt")
    n1_results = {r.table: (r.lhs, r.held) for r in report.rule_results if r.rule == "N1"}
    assert n1_results == {"applications": (1, False), "review_litigation": (0, True), "active_disclosure": (0, True)}


def test_unknown_cells_skip_the_checks_they_take_part_in() -> None:
    report = parse_document(SEED_002.encode(), "002.txt")
    report.applications["granted"]["natural_person"].value = None
    results = evaluate(report)
    assert not any(r.rule == "A1" and r.where == "granted" for r in results)
    assert not any(r.rule == "A2" and r.where == "natural_person" for r in results)
    assert sum(1 for r in results if r.rule == "A2") == len(APPLICANT_CODES) - 1


def test_t1_narrative_figure_checked_as_a_warning() -> None:
    seed_000 = (SEEDS / "000_0126e23b7202ee31.txt").read_text(encoding="utf-8")
    report = parse_document(seed_000.encode(), "000.txt")
    assert [(r.where, r.lhs, r.rhs, r.held) for r in report.rule_results if r.rule == "T1"] == [("new_received", 6, 6, True)]
    wrong = seed_000.replace("共收到政府信息公开申请6件", "共收到政府信息公开申请7件")
    got = parse_text(wrong)
    assert got["status"] == "repaired"  # a warning: the tables and the status stand
    assert got["violations"] == [{"rule": "T1", "table": "applications", "where": "new_received", "lhs": 7, "rhs": 6}]
