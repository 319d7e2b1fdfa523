"""Incremental validation (transforms/quality/ledger.py) on a real lake: after the first run, each suite
validates only the reports silver touched since, and what it keeps equals a full validation.

The new reports are rendered with an arithmetic error of known cells (tests/support/renderer.py),
landed and parsed by the pipeline's own code, and validated by real GX runs.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

from tests.support import quality_fixture as qf
from tests.support import renderer
from transforms.lake import bronze, silver
from transforms.lake.settings import DataPaths
from transforms.parser import model
from transforms.quality import gx as quality_gx
from transforms.quality import ledger, silver_integrity, statutory, suites


@pytest.fixture(scope="module")
def seed_template(tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    return qf.seed_lake(tmp_path_factory.mktemp("seed-lake"))


@pytest.fixture
def lake(seed_template: DataPaths, tmp_path: Path) -> DataPaths:
    return qf.copy_lake(seed_template, tmp_path / "data")


def _sites(template: str) -> int:
    """Check sites of one report: 表三 rows + 表三 columns + 表四 groups + 表二 items."""
    return (
        len(model.application_rows(template)) + len(model.APPLICANT_CODES) + len(model.REVIEW_GROUP_CODES) + len(model.DISCLOSURE_LAYOUT[template])
    )


def _land_new_reports(paths: DataPaths) -> tuple[renderer.Truth, renderer.Truth]:
    """Two new reports, the second with one count changed: landed and parsed as a nightly load would."""
    rng = random.Random(7)
    good = renderer.random_report(rng, "2021")
    bad, _ = renderer.inject_error(renderer.random_report(rng, "2019"), rng)
    for name, truth in (("night-good.txt", good), ("night-bad.txt", bad)):
        (paths.raw / name).write_bytes(renderer.render(truth, "tabs", rng, renderer.Noise()))
    bronze.land(paths, workers=1)
    silver.load(paths, workers=1)
    return good, bad


def _report_id(paths: DataPaths, name: str) -> str:
    return qf.report_ids(paths)[name]


def _findings(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.select("report_id", "rule", "table", "where", "lhs", "rhs", "basis").iter_rows())


def test_statutory_rules_validate_only_the_new_reports_and_keep_what_a_full_run_finds(lake: DataPaths) -> None:
    first = statutory.run_statutory(lake)
    assert first.batch == "full (no earlier validation): 5 reports validated, 0 removed"
    seeds_sites = first.checks
    assert first.checks_validated == seeds_sites and first.findings.height == 0

    good, bad = _land_new_reports(lake)
    second = statutory.run_statutory(lake)
    assert second.batch == "incremental (what changed since the last validation): 2 reports validated, 0 removed"
    assert second.checks_validated == _sites("2021") + _sites("2019")
    assert second.checks == seeds_sites + _sites("2021") + _sites("2019")
    # the injected error, found on the printed values, with the sides the renderer computes
    bad_id = _report_id(lake, "night-bad.txt")
    expected = sorted(
        (bad_id, v["rule"], v["table"], v["where"], Decimal(v["lhs"]), Decimal(v["rhs"]), "printed")
        for v in renderer.evaluate_violations(bad)
        if v["rule"] != "T1"
    )
    assert expected and _findings(second.findings) == expected
    assert renderer.evaluate_violations(good) == []
    # what is stored equals a validation of all of silver from scratch
    stored = pl.read_delta(str(lake.silver_table("statutory_findings")))
    assert _findings(stored) == expected
    scratch = statutory.run_statutory(lake, write=False, docs=False)
    assert scratch.batch.startswith("full") and _findings(scratch.findings) == expected
    assert scratch.checks == second.checks and scratch.unevaluable == second.unevaluable

    # a night with nothing new validates nothing and leaves the findings table at its version
    third = statutory.run_statutory(lake)
    assert third.batch == "incremental (what changed since the last validation): 0 reports validated, 0 removed"
    assert third.checks_validated == 0 and third.findings_version == second.findings_version
    assert _findings(third.findings) == expected and third.checks == second.checks


def test_an_edited_suite_voids_its_ledger(lake: DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    statutory.run_statutory(lake)
    silver_integrity.run_integrity_silver(lake, docs=False)
    assert statutory.run_statutory(lake).batch.startswith("incremental")
    stored = quality_gx.suite_stamp
    # an expectation added to the cell suite: the cell ledger is void, the others hold
    monkeypatch.setattr(suites, "suite_stamp", lambda name: stored(name) + ("*" if name == "pipeline_integrity_cells" else ""))
    results = silver_integrity.run_integrity_silver(lake, docs=False)
    assert results["cells"].batch == "full (the suite changed since the last validation): 5 reports validated, 0 removed"
    assert results["reports"].batch.startswith("incremental")
    assert statutory.run_statutory(lake).batch.startswith("incremental")
    assert silver_integrity.run_integrity_silver(lake, docs=False)["cells"].batch.startswith("incremental")


def test_a_report_leaving_silver_takes_its_findings_along(lake: DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    # five seeds and two new reports share files: any edit touches most of them; stay incremental anyway
    monkeypatch.setattr(ledger, "FULL_ABOVE_SHARE", 1.0)
    statutory.run_statutory(lake)
    _, bad = _land_new_reports(lake)
    assert statutory.run_statutory(lake).findings.height > 0
    bad_id = _report_id(lake, "night-bad.txt")
    # as a re-parse that moved it to quarantine would: its report row and its cells gone
    qf.lose_report(lake, bad_id)
    for spec, _, _ in suites.CELL_TABLES.values():
        DeltaTable(str(lake.silver_table(spec.name))).delete(f"report_id = '{bad_id}'")
    after = statutory.run_statutory(lake)
    assert after.batch.startswith("incremental") and after.batch.endswith("1 removed")
    assert after.findings.height == 0
    assert pl.read_delta(str(lake.silver_table("statutory_findings"))).height == 0
    assert after.checks == sum(_sites(t) for t in pl.read_delta(str(lake.silver_table("reports")))["template"])
    ledger_ids = ledger.read(lake, suites.STATUTORY_SUITE)[0]["report_id"].to_list()
    assert bad_id not in ledger_ids and len(ledger_ids) == 6


def test_cell_integrity_checks_the_new_reports_and_a_failure_stays_unrecorded(lake: DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger, "FULL_ABOVE_SHARE", 1.0)
    first = silver_integrity.run_integrity_silver(lake, docs=False)
    assert first["cells"].success and first["cells"].run.row_count == 5 * 3  # reports x cell tables
    _land_new_reports(lake)
    second = silver_integrity.run_integrity_silver(lake, docs=False)
    assert second["cells"].batch == "incremental (what changed since the last validation): 2 reports validated, 0 removed"
    assert second["cells"].run.row_count == 2 * 3 and second["cells"].success
    # reports and documents: the new report_ids only (bronze gained two documents, silver two reports)
    assert second["reports"].run.row_count == 2 and second["documents"].run.row_count == 2
    assert second["reports"].batch == second["cells"].batch

    good_id = _report_id(lake, "night-good.txt")
    qf.add_cell(lake, "applications", good_id, "granted", "total", 1)  # its 予以公开.总计 stored twice
    for _ in range(2):  # the failing batch is not recorded: the next run finds it again
        results = silver_integrity.run_integrity_silver(lake, docs=False)
        assert [o.check for o in results["cells"].run.failed] == ["each cell is stored once"]
        assert results["cells"].problems["each cell is stored once"] == [good_id]
    assert silver_integrity.cell_table_problems(results, "applications")["each cell is stored once"]["reports"] == 1


def test_a_duplicated_report_id_cannot_hide_from_the_incremental_key_suites(lake: DataPaths) -> None:
    first = silver_integrity.run_integrity_silver(lake, docs=False)
    assert first["reports"].run.row_count == 5 and first["documents"].run.row_count == 5
    ids = qf.report_ids(lake)
    # the same report appended again: only its id is touched, and both copies are read
    qf.duplicate_report(lake, ids[sorted(ids)[0]])
    results = silver_integrity.run_integrity_silver(lake, docs=False)
    assert results["reports"].batch.startswith("incremental")
    assert results["reports"].run.row_count == 2
    assert [o.check for o in results["reports"].run.failed] == ["report_id is unique in silver reports"]
    assert results["reports"].problems["report_id is unique in silver reports"] == [ids[sorted(ids)[0]]]


def test_full_validation_goes_part_by_part_with_the_same_result(lake: DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    _land_new_reports(lake)
    whole = statutory.run_statutory(lake, write=False, docs=False)
    monkeypatch.setattr(statutory, "PART_REPORTS", 2)  # seven reports in four parts
    parts = statutory.run_statutory(lake, write=False, docs=False)
    assert parts.checks_validated == whole.checks_validated == whole.checks
    assert _findings(parts.findings) == _findings(whole.findings) and parts.findings.height > 0
    assert [(o.expectation, o.unexpected_count, o.element_count) for o in parts.run.outcomes] == [
        (o.expectation, o.unexpected_count, o.element_count) for o in whole.run.outcomes
    ]
    assert parts.run.success is whole.run.success is False


def test_mart_rows_are_validated_again_only_when_their_content_or_the_suite_changes(tmp_path: Path) -> None:
    paths = DataPaths.from_env(tmp_path / "data")
    frame = pl.DataFrame({"report_id": ["a", "b", "c"], "grant_rate": [0.5, None, 1.0]})
    first = ledger.unvalidated_rows(paths, "suite__t", frame, "v1")
    assert (first.frame.height, first.known, first.reason) == (3, 0, "no earlier validation")
    ledger.record_rows(paths, "suite__t", first, "v1")

    changed = pl.DataFrame({"report_id": ["a", "b", "c", "d"], "grant_rate": [0.5, 0.25, 1.0, 0.0]})
    rows = ledger.unvalidated_rows(paths, "suite__t", changed, "v1")
    assert rows.frame.get_column("report_id").to_list() == ["b", "d"]  # b's NULL became 0.25; d is new
    assert rows.describe() == "incremental: 2 new or changed rows, 2 unchanged rows passed before"
    # the ledger is not written (the validation failed): the same rows come back next time
    assert ledger.unvalidated_rows(paths, "suite__t", changed, "v1").frame.height == 2

    assert ledger.unvalidated_rows(paths, "suite__t", changed, "v2").reason == "the suite, the table's columns or polars changed since"
    assert ledger.unvalidated_rows(paths, "suite__t", changed.with_columns(pl.col("grant_rate").cast(pl.Float32)), "v1").frame.height == 4
    assert ledger.unvalidated_rows(paths, "suite__t", changed, "v1", full=True).frame.height == 4
    ledger.record_rows(paths, "suite__t", rows, "v1")
    assert ledger.unvalidated_rows(paths, "suite__t", changed, "v1").known == 4
