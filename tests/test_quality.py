"""The GX suites on a real lake: the seeds through the real parser and silver writer, then broken on purpose.

Every test runs real GX validations (suites read from expectations/) on real Delta tables;
the mart tests read a real dbt build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.support import quality_fixture as qf
from transforms.lake import schemas, silver
from transforms.lake.settings import REPO_ROOT, DataPaths
from transforms.parser import model
from transforms.quality import data_docs, mart_integrity, silver_integrity, statutory, suites
from transforms.quality.gx import Validator

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def seed_template(tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    paths = qf.seed_lake(tmp_path_factory.mktemp("seed-lake"))
    silver.write_divisions(paths)
    return paths


@pytest.fixture
def lake(seed_template: DataPaths, tmp_path: Path) -> DataPaths:
    return qf.copy_lake(seed_template, tmp_path / "data")


@pytest.fixture
def ids(lake: DataPaths) -> dict[str, str]:
    return {name[:3]: rid for name, rid in qf.report_ids(lake).items()}


def _sites(lake: DataPaths) -> int:
    """Check sites per the model: 表三 rows + 表三 columns + 表四 groups + 表二 items, per report."""
    templates = pl.read_delta(str(lake.silver_table("reports")))["template"].to_list()
    return sum(
        len(model.application_rows(t)) + len(model.APPLICANT_CODES) + len(model.REVIEW_GROUP_CODES) + len(model.DISCLOSURE_LAYOUT[t])
        for t in templates
    )


def _failed(result: statutory.StatutoryResult) -> set[str]:
    return {o.expectation for o in result.run.failed}


def _findings(result: statutory.StatutoryResult) -> list[tuple]:
    return sorted(result.findings.select("report_id", "rule", "table", "where", "lhs", "rhs", "basis").iter_rows())


# ---------------------------------------------------------------------------------------
# the seeds pass everything
# ---------------------------------------------------------------------------------------
def test_seeds_pass_statutory_rules_and_write_empty_findings(lake: DataPaths) -> None:
    result = statutory.run_statutory(lake)
    assert result.run.success
    assert [o.success for o in result.run.outcomes] == [True] * 6
    assert result.checks == _sites(lake) == 5 * 41  # 2021: 25 rows + 7 columns + 3 groups + 6 items; 2019: 23 + 7 + 3 + 8
    assert {o.element_count for o in result.run.outcomes} == {result.checks}
    assert result.unevaluable == {"A1": 0, "A2": 0, "A3": 0, "R1": 0}
    assert result.findings.height == 0
    stored = pl.read_delta(str(lake.silver_table("statutory_findings")))
    assert stored.height == 0 and stored.schema == pl.Schema(schemas.STATUTORY_FINDINGS.schema)
    assert result.data_docs == lake.data_docs / "index.html" and result.data_docs.is_file()
    assert "statutory_rules" in result.data_docs.read_text(encoding="utf-8")


def test_seeds_pass_pipeline_integrity(lake: DataPaths) -> None:
    results = silver_integrity.run_integrity_silver(lake)
    assert {k: r.success for k, r in results.items()} == {"reports": True, "documents": True, "codes": True, "cells": True}
    assert results["reports"].run.row_count == 5
    assert results["documents"].run.row_count == 5
    for table in suites.CELL_TABLES:
        problems = silver_integrity.cell_table_problems(results, table)
        assert all(v.get("reports", 0) == 0 for v in problems.values() if "reports" in v)
    assert (lake.data_docs / "index.html").is_file()


def test_suites_are_the_json_in_expectations_and_runs_write_nothing_there(lake: DataPaths) -> None:
    project = REPO_ROOT / "expectations"
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    silver_integrity.run_integrity_silver(lake)
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*")} == before
    assert sorted(p.name for p in (project / "gx" / "expectations").iterdir()) == [
        "pipeline_integrity_cells.json", "pipeline_integrity_codes.json", "pipeline_integrity_documents.json",
        "pipeline_integrity_mart_rates.json", "pipeline_integrity_mart_rollup.json", "pipeline_integrity_reports.json",
        "statutory_rules.json",
    ]  # fmt: skip
    # results and Data Docs went under the data directory
    assert (lake.root / "quality" / "validations").is_dir() and (lake.data_docs / "index.html").is_file()


# ---------------------------------------------------------------------------------------
# statutory_rules: an injected error fails exactly its expectation, for exactly its report
# ---------------------------------------------------------------------------------------
def test_review_error_fails_only_r1_for_that_report(lake: DataPaths, ids: dict[str, str]) -> None:
    rid = ids["001"]
    old = qf.set_cell(lake, "review_litigation", rid, "review", "upheld", None)
    qf.set_cell(lake, "review_litigation", rid, "review", "upheld", old + 1)
    result = statutory.run_statutory(lake)
    assert not result.run.success  # the suite fails; nothing raises: the caller decides it does not block
    assert _failed(result) == {"expect_column_pair_values_to_be_equal(r1_lhs, r1_rhs)"}
    r1 = result.run.outcome("r1_lhs")
    assert r1.unexpected_count == 1
    assert r1.partial_unexpected_index_list == [
        {"report_id": rid, "table": "review_litigation", "where": "review", "r1_lhs": r1.partial_unexpected_index_list[0]["r1_lhs"], "r1_rhs": r1.partial_unexpected_index_list[0]["r1_rhs"]}
    ]
    (finding,) = _findings(result)
    total = pl.read_delta(str(lake.silver_table("review_litigation_cells"))).filter(
        (pl.col("report_id") == rid) & (pl.col("group") == "review") & (pl.col("column") == "total")
    )["value"].item()
    assert finding == (rid, "R1", "review_litigation", "review", Decimal(total), Decimal(total + 1), "printed")
    assert result.tables["review_litigation"].rules == {"R1": 1, "N1": 0}
    assert result.tables["review_litigation"].first_report_ids == [rid]
    assert result.tables["applications"].failed == 0 and result.tables["active_disclosure"].failed == 0
    # few failures: Data Docs list each failing row, its report named by body, year and file
    pages = list((lake.data_docs / "validations" / "statutory_rules").rglob("*.html"))
    name = data_docs.report_names(lake)[rid]
    assert name.endswith(f"({rid[:8]}…)") and len(pages) == 1 and name in pages[0].read_text(encoding="utf-8")
    # written for the marts, and independent of the parser's verdicts, which still say the rule held
    assert pl.read_delta(str(lake.silver_table("statutory_findings"))).height == 1
    parser = pl.read_delta(str(lake.silver_table("rule_results"))).filter((pl.col("report_id") == rid) & (pl.col("rule") == "R1"))
    assert parser.height == 3 and parser["held"].all()


def test_application_cell_error_fails_a1_on_its_row_and_a2_on_its_column(lake: DataPaths, ids: dict[str, str]) -> None:
    rid = ids["002"]  # the 2019 template
    old = qf.set_cell(lake, "applications", rid, "granted", "natural_person", None)
    qf.set_cell(lake, "applications", rid, "granted", "natural_person", old + 5)
    result = statutory.run_statutory(lake)
    assert _failed(result) == {
        "expect_column_pair_values_to_be_equal(a1_lhs, a1_rhs)",
        "expect_column_pair_values_to_be_equal(a2_lhs, a2_rhs)",
    }
    assert [(f[0], f[1], f[2], f[3], f[6]) for f in _findings(result)] == [
        (rid, "A1", "applications", "granted", "printed"),
        (rid, "A2", "applications", "natural_person", "printed"),
    ]
    a1, a2 = _findings(result)
    assert a1[5] - a1[4] == 5  # rhs (the parts) grew by 5 over the printed total
    assert a2[5] - a2[4] == 5  # rhs (the outcome rows) grew by 5 over (七)总计
    assert result.tables["applications"].rules == {"A1": 1, "A2": 1, "A3": 0, "N1": 0}


@pytest.mark.parametrize(
    ("value", "expectation", "rhs"),
    [
        (Decimal(-2), "expect_column_values_to_be_between(n1_min)", Decimal(0)),
        (Decimal("3.5"), "expect_column_values_to_be_between(n1_fraction_e4)", Decimal(3)),
    ],
)
def test_disclosure_count_breaking_n1(lake: DataPaths, ids: dict[str, str], value: Decimal, expectation: str, rhs: Decimal) -> None:
    rid = ids["004"]
    qf.set_cell(lake, "active_disclosure", rid, "licensing", "decisions", value)
    result = statutory.run_statutory(lake)
    assert _failed(result) == {expectation}
    assert _findings(result) == [(rid, "N1", "active_disclosure", "licensing.decisions", value, rhs, "printed")]
    assert result.findings["expectation"].to_list() == [expectation]


def test_negative_signed_change_and_fractional_amount_are_allowed(lake: DataPaths, ids: dict[str, str]) -> None:
    rid = ids["002"]  # 2019: 本年增/减 may be negative, 万元 amounts may have decimals
    qf.set_cell(lake, "active_disclosure", rid, "licensing", "items_change", Decimal(-7))
    qf.set_cell(lake, "active_disclosure", rid, "procurement", "amount_10k_yuan", Decimal("12.3456"))
    result = statutory.run_statutory(lake)
    assert result.run.success and result.findings.height == 0


def test_check_over_a_repaired_cell_is_reported_apart(lake: DataPaths, ids: dict[str, str]) -> None:
    rid = ids["000"]  # new_received.natural_person was recovered by the parser (A1, A3)
    cells = pl.read_delta(str(lake.silver_table("application_cells")))
    assert cells.filter((pl.col("report_id") == rid) & (pl.col("row") == "new_received") & ~pl.col("printed")).height == 1
    old = qf.set_cell(lake, "applications", rid, "new_received", "total", None)
    qf.set_cell(lake, "applications", rid, "new_received", "total", old + 1)
    result = statutory.run_statutory(lake)
    assert [(f[1], f[3], f[6]) for f in _findings(result)] == [("A1", "new_received", "repaired"), ("A3", "total", "printed")]
    assert result.tables["applications"].by_basis == {"printed": 1, "repaired": 1}


def test_missing_cell_makes_its_checks_unevaluable_not_failed(lake: DataPaths, ids: dict[str, str]) -> None:
    rid = ids["001"]
    qf.set_cell(lake, "applications", rid, "granted", "research", None, printed=False)
    result = statutory.run_statutory(lake)
    assert result.run.success and result.findings.height == 0
    assert result.unevaluable == {"A1": 1, "A2": 1, "A3": 0, "R1": 0}


# ---------------------------------------------------------------------------------------
# pipeline_integrity over silver: blocking problems, each named with its reports
# ---------------------------------------------------------------------------------------
def _failed_checks(result: suites.IntegrityResult) -> list[str]:
    return [o.check for o in result.run.failed]


def test_duplicated_report_id_fails_integrity(lake: DataPaths, ids: dict[str, str]) -> None:
    qf.duplicate_report(lake, ids["003"])
    results = silver_integrity.run_integrity_silver(lake)
    assert _failed_checks(results["reports"]) == ["report_id is unique in silver reports"]
    assert results["reports"].problems["report_id is unique in silver reports"] == [ids["003"]]
    assert ids["003"] in results["reports"].explain()
    (page,) = (lake.data_docs / "validations" / "pipeline_integrity_reports").rglob("*.html")
    assert data_docs.report_names(lake)[ids["003"]] in page.read_text(encoding="utf-8")
    assert results["documents"].success and results["codes"].success and results["cells"].success


def test_bronze_document_missing_from_silver_fails_integrity(lake: DataPaths, ids: dict[str, str]) -> None:
    qf.lose_report(lake, ids["004"])
    results = silver_integrity.run_integrity_silver(lake)
    assert _failed_checks(results["documents"]) == ["every bronze document is in silver reports or quarantine (nothing lost)"]
    assert results["documents"].problems["every bronze document is in silver reports or quarantine (nothing lost)"] == [ids["004"]]
    # its cells are now orphans too
    assert _failed_checks(results["cells"]) == ["every cell belongs to a report in silver reports"]
    assert results["cells"].problems["every cell belongs to a report in silver reports"] == [ids["004"]]
    assert results["reports"].success


def test_quarantined_document_is_accounted_for(lake: DataPaths) -> None:
    (lake.raw / "junk.txt").write_bytes(b"\x89PNG\r\n\x1a\n not a report")
    from transforms.lake import bronze

    bronze.land(lake, workers=1)
    silver.load(lake, workers=1)
    results = silver_integrity.run_integrity_silver(lake)
    assert results["documents"].success and results["documents"].run.row_count == 6


def test_code_outside_the_reports_template_fails_integrity(lake: DataPaths, ids: dict[str, str]) -> None:
    qf.add_cell(lake, "applications", ids["001"], "other_handling", "total", 0)  # a 2019-only row in a 2021 report
    results = silver_integrity.run_integrity_silver(lake)
    assert _failed_checks(results["codes"]) == ["every code belongs to the model and to the report's template"]
    assert results["codes"].problems["every code belongs to the model and to the report's template"] == [
        "applications.row:other_handling@2021"
    ]
    problems = silver_integrity.cell_table_problems(results, "applications")
    assert problems["every code belongs to the model and to the report's template"] == {
        "codes": ["applications.row:other_handling@2021"],
        "cells": 1,
    }


def test_printed_null_cell_and_missing_parser_version_fail_integrity(lake: DataPaths, ids: dict[str, str]) -> None:
    qf.set_cell(lake, "review_litigation", ids["002"], "litigation_direct", "pending", None, printed=True)
    qf.clear_parser_version(lake, ids["001"])
    results = silver_integrity.run_integrity_silver(lake)
    assert _failed_checks(results["cells"]) == ["printed cells are never null"]
    assert results["cells"].problems["printed cells are never null"] == [ids["002"]]
    assert silver_integrity.cell_table_problems(results, "review_litigation")["printed cells are never null"]["reports"] == 1
    assert _failed_checks(results["reports"]) == ["parser_version is set"]
    assert results["reports"].problems["parser_version is set"] == [ids["001"]]


# ---------------------------------------------------------------------------------------
# pipeline_integrity over the marts of a real dbt build
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def built_marts(seed_template: DataPaths, tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    paths = qf.copy_lake(seed_template, tmp_path_factory.mktemp("marts") / "data")
    paths.build_database.parent.mkdir(parents=True, exist_ok=True)
    target = tmp_path_factory.mktemp("dbt-target")
    env = {**os.environ, "OGI_DATA_DIR": str(paths.root), "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).parent / "dbt")
    done = subprocess.run(
        [dbt, "run", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project", "--target-path", str(target),
         "--log-path", str(target / "logs"), "--select", "+outcome_rates", "+report_outcomes"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    return paths


def test_marts_integrity_passes_on_the_seeds_then_fails_on_a_bad_rate_and_a_broken_rollup(
    built_marts: DataPaths, tmp_path: Path
) -> None:
    # one test, so that one worker pays for the dbt build
    marts = DataPaths.from_env(tmp_path / "data")
    marts.build_database.parent.mkdir(parents=True)
    shutil.copy(built_marts.build_database, marts.build_database)
    results = mart_integrity.run_integrity_marts(marts)
    assert {k: r.success for k, r in results.items()} == {"rates:outcome_rates": True, "rates:report_outcomes": True, "rollup": True}
    assert results["rollup"].run.row_count == 5
    assert len(results["rollup"].run.outcomes) == 17

    with duckdb.connect(str(marts.build_database)) as con:
        con.execute("update marts.outcome_rates set grant_rate = 1.5 where jurisdiction = '二七区'")
        con.execute("update marts.report_outcomes set granted = granted + 1 where jurisdiction = '辉县市'")
    results = mart_integrity.run_integrity_marts(marts)
    assert _failed_checks(results["rates:outcome_rates"]) == ["grant_rate within [0, 1] or NULL"]
    assert results["rates:report_outcomes"].success
    assert _failed_checks(results["rollup"]) == ["outcome_rates.granted = sum of report_outcomes.granted"]
    assert results["rollup"].problems["outcome_rates.granted = sum of report_outcomes.granted"] == ["辉县市 2021"]
    # only what changed went to GX: the one rollup row, beside 4 unchanged that passed before
    assert "1 unexpected of 1 rows" in results["rollup"].explain()
    assert results["rollup"].batch == "incremental: 1 new or changed rows, 4 unchanged rows passed before"
    assert results["rates:outcome_rates"].run.row_count == 1
    assert mart_integrity.run_integrity_marts(marts, full=True)["rollup"].run.row_count == 5

    # A report that breaks a rule may print more 予以公开 than (七)总计: its rate above 1 is
    # what it printed, flagged by report_quality, and must not block publishing.
    with duckdb.connect(str(marts.build_database)) as con:
        con.execute("update marts.outcome_rates set reports_with_violations = 1 where jurisdiction = '二七区'")
    results = mart_integrity.run_integrity_marts(marts)
    assert results["rates:outcome_rates"].success
    # the row that broke a rule leaves the rows validated; the other four passed before
    assert results["rates:outcome_rates"].batch == "incremental: 0 new or changed rows, 4 unchanged rows passed before"


def test_one_validator_runs_several_suites_into_one_data_docs_site(lake: DataPaths) -> None:
    validator = Validator(lake)
    statutory.run_statutory(lake, validator=validator, docs=False)
    silver_integrity.run_integrity_silver(lake, validator=validator, docs=False)
    index = validator.build_docs().read_text(encoding="utf-8")
    for suite in ("statutory_rules", "pipeline_integrity_reports", "pipeline_integrity_cells"):
        assert suite in index


# ---------------------------------------------------------------------------------------
# In Dagster: the real load_job on the seeds; statutory failures warn, integrity failures block publishing
# ---------------------------------------------------------------------------------------
def _check_evaluations(result) -> dict[tuple[str, str], object]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in (ev.event_specific_data for ev in result.all_events if ev.event_type_value == "ASSET_CHECK_EVALUATION")
    }


def _materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_load_job_checks_warn_on_statutory_failures_and_block_publishing_on_integrity_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    from orchestration.definitions import defs as load_defs

    paths = DataPaths.from_env(tmp_path / "data")
    monkeypatch.setenv("OGI_DATA_DIR", str(paths.root))
    paths.raw.mkdir(parents=True)
    for seed in sorted(qf.SEEDS.glob("*.txt")):
        shutil.copy(seed, paths.raw / seed.name)
    job = load_defs().resolve_job_def("load_job")
    ours = {
        ("silver/reports", "pipeline_integrity_reports"), ("silver/reports", "pipeline_integrity_documents"),
        *((f"silver/{s.name}", c) for s, _, _ in suites.CELL_TABLES.values() for c in ("pipeline_integrity_cells", "statutory_rules")),
        ("marts/outcome_rates", "pipeline_integrity_mart_rates"), ("marts/report_outcomes", "pipeline_integrity_mart_rates"),
        ("marts/outcome_rates", "pipeline_integrity_mart_rollup"),
    }  # fmt: skip

    with dg.DagsterInstance.ephemeral() as instance:
        # 1. the seeds: every suite passes, findings are empty, the warehouse is published
        first = job.execute_in_process(instance=instance)
        checks = _check_evaluations(first)
        assert ours <= set(checks)
        assert {k: checks[k].passed for k in ours} == {k: True for k in ours}
        assert {"silver/statutory_findings", "published_warehouse"} <= _materialized(first)
        assert (paths.data_docs / "index.html").is_file()
        published = _digest(paths.published_database)

        # 2. an arithmetic error in one report: R1 warns on that report, the run succeeds and publishes
        rid = qf.report_ids(paths)["001_6379e42c8043a5dd.txt"]
        old = qf.set_cell(paths, "review_litigation", rid, "review", "upheld", None)
        qf.set_cell(paths, "review_litigation", rid, "review", "upheld", old + 1)
        second = job.execute_in_process(instance=instance)
        assert second.success
        checks = _check_evaluations(second)
        r1 = checks[("silver/review_litigation_cells", "statutory_rules")]
        assert (r1.passed, r1.severity) == (False, dg.AssetCheckSeverity.WARN)
        assert r1.metadata["unexpected_rows"].value == 1 and r1.metadata["failed/R1"].value == 1
        assert r1.metadata["first_report_ids"].value == [rid]
        assert checks[("silver/application_cells", "statutory_rules")].passed
        assert "published_warehouse" in _materialized(second)
        with duckdb.connect(str(paths.published_database), read_only=True) as con:
            quality_row = con.execute("select statutory_findings from marts.report_quality where report_id = ?", [rid]).fetchone()
        assert quality_row == (1,)
        published = _digest(paths.published_database)

        # 3. a duplicated report_id: integrity fails, nothing downstream runs, the published file is unchanged
        qf.duplicate_report(paths, rid)
        third = job.execute_in_process(instance=instance, raise_on_error=False)
        assert not third.success
        checks = _check_evaluations(third)
        failed = checks[("silver/reports", "pipeline_integrity_reports")]
        assert (failed.passed, failed.severity) == (False, dg.AssetCheckSeverity.ERROR)
        assert "report_id is unique in silver reports" in failed.description and rid in failed.description
        done = _materialized(third)
        assert "published_warehouse" not in done and not any(k.startswith("marts/") for k in done)
        assert _digest(paths.published_database) == published
        failure = next(e for e in third.all_events if e.event_type_value == "STEP_FAILURE")
        assert "blocking asset check" in failure.event_specific_data.error.message

        # 4. a bronze document lost from silver (the duplicate undone first)
        reports = pl.read_delta(str(paths.silver_table("reports"))).unique("report_id")
        reports.write_delta(str(paths.silver_table("reports")), mode="overwrite")
        rid = qf.report_ids(paths)["004_7635fab03e0d303d.txt"]
        qf.lose_report(paths, rid)
        # rebuild the marts and publish from silver as it is (no ingest, which would re-parse the document)
        graph = load_defs().resolve_asset_graph()
        ingest = {k for k in graph.get_all_asset_keys() if k.path[0] in ("bronze", "silver") and k.path[-1] != "statutory_findings"}
        keys = graph.get_all_asset_keys() - ingest
        rebuild = job.get_subset(asset_selection=keys, asset_check_selection=set(graph.asset_check_keys))
        result = rebuild.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        checks = _check_evaluations(result)
        lost = checks[("silver/reports", "pipeline_integrity_documents")]
        assert not lost.passed and rid in lost.description and "nothing lost" in lost.description
        assert "published_warehouse" not in _materialized(result)
        assert _digest(paths.published_database) == published


def test_statutory_checks_alone_validate_silver_as_it_is_now(lake: DataPaths, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Run without the statutory_findings asset (say from the UI): the checks validate afresh."""
    import dagster as dg

    from orchestration.definitions import defs as load_defs

    monkeypatch.setenv("OGI_DATA_DIR", str(lake.root))
    statutory.run_statutory(lake)  # a validation of the seeds, then silver changes under it
    old = qf.set_cell(lake, "applications", ids["003"], "carried_forward", "natural_person", None)
    qf.set_cell(lake, "applications", ids["003"], "carried_forward", "natural_person", old + 2)
    defs = load_defs()
    keys = {k for k in defs.resolve_asset_graph().asset_check_keys if k.name == "statutory_rules"}
    assert len(keys) == 3
    job = defs.resolve_job_def("load_job").get_subset(asset_selection=set(), asset_check_selection=keys)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
    checks = _check_evaluations(result)
    app = checks[("silver/application_cells", "statutory_rules")]
    assert not app.passed and app.metadata["failed/A1"].value == 1 and app.metadata["failed/A3"].value == 1
    assert app.metadata["first_report_ids"].value == [ids["003"]]
    assert checks[("silver/review_litigation_cells", "statutory_rules")].passed
    assert not _materialized(result)
