"""The silver writer on real Delta tables, fed with Report objects built by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from transforms.lake import delta, schemas, silver
from transforms.lake.settings import DataPaths
from transforms.parser import model
from transforms.parser.model import Cell, Report, RuleResult

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


def report_2021(rid: str = "r1", repaired: bool = False) -> Report:
    applications = {
        row: {col: Cell(0) for col in model.APPLICANT_CODES} for row in model.application_rows("2021")
    }
    applications["new_received"]["natural_person"] = Cell(5)
    applications["new_received"]["total"] = Cell(5)
    if repaired:
        applications["granted"]["natural_person"] = Cell(2, printed=False, repair_rules=("A1", "A2"))
    return Report(
        source=f"{rid}.txt",
        report_id="ignored: bronze's sha256 wins",
        status="repaired" if repaired else "ok",
        year=2021,
        template="2021",
        body="衢江区人民政府办公室",
        jurisdiction="衢江区",
        parent_jurisdictions=["浙江省", "衢州市"],
        admin_code="330803",
        published_on=date(2022, 1, 29),
        applications=applications,
        review_litigation={g: {c: Cell(1 if c != "total" else 4) for c in model.REVIEW_COLUMN_CODES} for g in model.REVIEW_GROUP_CODES},
        active_disclosure={
            item: {m: Cell(Decimal("12.3456") if m == "amount_10k_yuan" else 3) for m in measures}
            for item, measures in model.DISCLOSURE_LAYOUT["2021"].items()
        },
        rule_results=[
            RuleResult("A1", "applications", "new_received", 5, 5, True),
            RuleResult("A3", "applications", "total", 5, 0, False),
            RuleResult("R1", "review_litigation", "review", 4, Decimal(4), True, "repaired"),
        ],
        layout="tsv",
        encoding="utf-8",
        media_type="application/pdf",
        extraction="pdf-text",
        table_pages={"active_disclosure": 3, "applications": 4, "review_litigation": 5},
    )


def rejected(error: str = "not a report: no 表三") -> Report:
    return Report(source="junk.bin", report_id="x", status="rejected", error=error)


def test_frames_hold_every_cell_and_rule_in_the_declared_schemas() -> None:
    frames = silver.frames_from_reports([("a" * 64, "a.txt", report_2021(repaired=True)), ("b" * 64, "junk.bin", rejected())], "v1", NOW)
    for spec in silver.PARSED_TABLES:
        assert frames[spec.name].schema == spec.polars_schema, spec.name
    rep = frames["reports"].row(0, named=True)
    assert rep == {
        "report_id": "a" * 64,
        "source": "a.txt",
        "parser_version": "v1",
        "status": "repaired",
        "error": None,
        "year": 2021,
        "template": "2021",
        "applications_template": "2021",  # the report's own template unless 表三 says otherwise
        "body": "衢江区人民政府办公室",
        "jurisdiction": "衢江区",
        "parent_jurisdictions": ["浙江省", "衢州市"],
        "admin_code": "330803",
        "published_on": date(2022, 1, 29),
        "layout": "tsv",
        "encoding": "utf-8",
        "parsed_at": NOW,
        "media_type": "application/pdf",
        "extraction": "pdf-text",
        "active_disclosure_page": 3,
        "applications_page": 4,
        "review_litigation_page": 5,
    }
    app = frames["application_cells"]
    assert app.height == len(model.application_rows("2021")) * len(model.APPLICANT_CODES) == 175
    granted = app.filter((pl.col("row") == "granted") & (pl.col("column") == "natural_person")).row(0, named=True)
    assert (granted["value"], granted["printed"], granted["repair_rules"]) == (2, False, ["A1", "A2"])
    assert frames["review_litigation_cells"].height == 15
    amounts = frames["active_disclosure_cells"].filter(pl.col("measure") == "amount_10k_yuan")["value"].to_list()
    assert amounts == [Decimal("12.3456")]
    rules = frames["rule_results"].sort("rule")
    assert rules.select("rule", "where", "lhs", "rhs", "held", "basis").rows() == [
        ("A1", "new_received", Decimal(5), Decimal(5), True, "printed"),
        ("A3", "total", Decimal(5), Decimal(0), False, "printed"),
        ("R1", "review", Decimal(4), Decimal(4), True, "repaired"),
    ]
    assert frames["quarantine"].select("report_id", "source", "parser_version", "stage", "error").rows() == [
        ("b" * 64, "junk.bin", "v1", "parse", "not a report: no 表三")
    ]


def test_a_missing_cell_is_never_marked_printed() -> None:
    r = report_2021()
    r.applications["carried_over"]["research"] = Cell(None)  # the parser left printed=True
    app = silver.frames_from_reports([("a" * 64, "a.txt", r)], "v1", NOW)["application_cells"]
    cell = app.filter((pl.col("row") == "carried_over") & (pl.col("column") == "research")).row(0, named=True)
    assert (cell["value"], cell["printed"]) == (None, False)


def test_conform_refuses_missing_extra_and_mistyped_columns() -> None:
    good = silver.frames_from_reports([("a" * 64, "a.txt", report_2021())], "v1", NOW)["application_cells"]
    with pytest.raises(delta.SchemaMismatch, match="missing columns \\['printed'\\]"):
        delta.conform(good.drop("printed"), schemas.APPLICATION_CELLS)
    with pytest.raises(delta.SchemaMismatch, match="unexpected columns \\['note'\\]"):
        delta.conform(good.with_columns(note=pl.lit("x")), schemas.APPLICATION_CELLS)
    with pytest.raises(pl.exceptions.InvalidOperationError):
        delta.conform(good.with_columns(value=pl.lit("many")), schemas.APPLICATION_CELLS)


def test_write_batch_then_plan_has_nothing_left(paths: DataPaths) -> None:
    frames = silver.frames_from_reports([("a" * 64, "a.txt", report_2021()), ("b" * 64, "junk.bin", rejected())], "v1", NOW)
    written = silver.write_batch(paths, frames, pl.Series(["a" * 64, "b" * 64]), replace=False)
    assert written == {
        "application_cells": 175,
        "review_litigation_cells": 15,
        "active_disclosure_cells": 10,
        "rule_results": 3,
        "quarantine": 1,
        "reports": 1,
    }
    for spec in silver.PARSED_TABLES:
        assert delta.version(paths.silver_table(spec.name)) == 0
        assert delta.row_count(paths.silver_table(spec.name)) == written[spec.name]
    assert not list((paths.silver / silver.JOURNAL).glob("*"))


def test_replace_updates_by_key_and_drops_rows_a_reparse_no_longer_has(paths: DataPaths) -> None:
    a, b = "a" * 64, "b" * 64
    first = silver.frames_from_reports([(a, "a.txt", report_2021()), (b, "b.txt", report_2021())], "v1", NOW)
    silver.write_batch(paths, first, pl.Series([a, b]), replace=False)
    # v2 reads `a` with a corrected cell and rejects `b`: b's rows leave every parsed table
    fixed = report_2021()
    fixed.applications["new_received"]["natural_person"] = Cell(6)
    fixed.rule_results = fixed.rule_results[:1]
    second = silver.frames_from_reports([(a, "a.txt", fixed), (b, "b.txt", rejected("unknown template"))], "v2", NOW)
    silver.write_batch(paths, second, pl.Series([a, b]), replace=True)
    read = {spec.name: delta.read(paths.silver_table(spec.name), spec) for spec in silver.PARSED_TABLES}
    assert read["reports"].select("report_id", "parser_version").rows() == [(a, "v2")]
    assert read["quarantine"].select("report_id", "parser_version", "error").rows() == [(b, "v2", "unknown template")]
    assert read["application_cells"]["report_id"].unique().to_list() == [a]
    assert read["application_cells"].height == 175
    cell = read["application_cells"].filter((pl.col("row") == "new_received") & (pl.col("column") == "natural_person"))
    assert cell["value"].to_list() == [6]
    assert read["rule_results"].select("report_id", "rule").rows() == [(a, "A1")]
    for spec in silver.PARSED_TABLES:
        keys = list(spec.keys)
        assert read[spec.name].select(keys).is_duplicated().sum() == 0


def test_replace_with_identical_rows_for_nothing_commits_nothing(paths: DataPaths) -> None:
    frames = silver.frames_from_reports([("a" * 64, "a.txt", report_2021())], "v1", NOW)
    silver.write_batch(paths, frames, pl.Series(["a" * 64]), replace=False)
    empty = silver.frames_from_reports([], "v1", NOW)
    assert delta.replace_reports(empty["reports"], paths.silver_table("reports"), schemas.REPORTS, pl.Series([], dtype=pl.String)) is None
    assert delta.version(paths.silver_table("reports")) == 0


def test_codes_table_lists_every_code_per_template_from_the_model(paths: DataPaths) -> None:
    codes = silver.codes_frame()
    expected = sum(
        len(c.templates)
        for group in (
            model.APPLICATION_ROWS,
            model.APPLICANT_COLUMNS,
            model.REVIEW_GROUPS,
            model.REVIEW_COLUMNS,
            model.DISCLOSURE_ITEMS,
            model.DISCLOSURE_MEASURES,
        )
        for c in group
    )
    assert codes.height == expected == 105
    assert codes.filter((pl.col("code") == "other_handling")).select("table", "kind", "template", "category", "ordinal").rows() == [
        ("applications", "row", "2019", "other", 21)
    ]
    assert codes.select(list(schemas.CODES.keys)).is_duplicated().sum() == 0
    assert silver.write_codes(paths) == 0
    assert silver.write_codes(paths) is None  # unchanged model: no new version
    assert delta.read(paths.silver_table("codes"), schemas.CODES).sort("table", "kind", "code", "template").equals(
        codes.sort("table", "kind", "code", "template")
    )


def test_divisions_table_is_written_once(paths: DataPaths) -> None:
    assert silver.write_divisions(paths) == 0
    assert silver.write_divisions(paths) is None
    divisions = delta.read(paths.silver_table("divisions"), schemas.DIVISIONS)
    assert divisions.filter(pl.col("admin_code") == "330803").select("name", "city", "province").rows() == [
        ("衢江区", "衢州市", "浙江省")
    ]


def test_a_number_that_cannot_be_stored_quarantines_its_report_not_the_batch() -> None:
    huge = report_2021()
    huge.applications["granted"]["total"] = Cell(10**15)
    fine_amount = report_2021()
    fine_amount.active_disclosure["fees"]["amount_10k_yuan"] = Cell(Decimal("1E+2"))
    frames = silver.frames_from_reports([("a" * 64, "a.txt", huge), ("b" * 64, "b.txt", fine_amount)], "v1", NOW)
    assert frames["quarantine"].select("report_id", "stage", "error").rows() == [
        ("a" * 64, "tabulate", "applications.granted.total: value 1000000000000000 is out of range (>= 10^12)")
    ]
    assert frames["reports"]["report_id"].to_list() == ["b" * 64]
    fees = frames["active_disclosure_cells"].filter(pl.col("item") == "fees")["value"].to_list()
    assert fees == [Decimal("100")]
