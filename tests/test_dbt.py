"""The dbt project on real silver Delta tables: a real `dbt build` into a real DuckDB file.

Silver is written with polars from the seeds' expected exports (what the parser must
produce), plus a synthetic previous-year report, a quarantined file and a GX finding, so
every mart has something to show. The end-to-end version through the real parser and
Dagster is tests/test_marts.py.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import duckdb
import polars as pl
import pytest

from tests.support.silver_fixture import run_dbt, seed_exports, write_silver
from transforms.lake import schemas
from transforms.lake.settings import DataPaths

# One worker runs the module: its fixture is a dbt build (see --dist loadgroup).
pytestmark = pytest.mark.xdist_group("dbt_build")

PREVIOUS_ID = "f" * 64
JUNK_ID = "0" * 64


def huixian_2020(exports: list[dict]) -> dict:
    """辉县市's report for the year before the seed, carrying forward 2 where 2021 says 0 came over."""
    seed = next(e for e in exports if e["jurisdiction"] == "辉县市")
    prev = copy.deepcopy(seed)
    prev.update(report_id=PREVIOUS_ID, source="synthetic/huixian-2020.txt", year=2020, status="repaired")
    prev["applications"]["carried_forward"] = {**seed["applications"]["carried_over"], "natural_person": 2, "total": 2}
    prev["repairs"] = [{"table": "applications", "row": "granted", "column": "commercial", "value": 2, "rules": ["A1"]}]
    prev["violations"] = [
        {"rule": "A3", "table": "applications", "where": "natural_person", "lhs": 73, "rhs": 66},
        {"rule": "A3", "table": "applications", "where": "total", "lhs": 75, "rhs": 68},
        {"rule": "R1", "table": "review_litigation", "where": "review", "lhs": 1, "rhs": 0},
    ]
    return prev


def finding(report_id: str) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "report_id": report_id,
                "rule": "A3",
                "table": "applications",
                "where": "natural_person",
                "lhs": Decimal(73),
                "rhs": Decimal(66),
                "basis": "printed",
                "expectation": "expect_column_pair_values_to_be_equal",
                "validated_at": datetime(2026, 11, 1, tzinfo=UTC),
            }
        ],
        schema=schemas.STATUTORY_FINDINGS.polars_schema,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> DataPaths:
    paths = DataPaths.from_env(tmp_path_factory.mktemp("dbt-data"))
    exports = seed_exports()
    write_silver(
        paths,
        [*exports, huixian_2020(exports)],
        quarantine=[{"report_id": JUNK_ID, "source": "junk.bin", "stage": "decode", "error": "not a report: binary content"}],
        findings=finding(PREVIOUS_ID),
    )
    result = run_dbt(paths, "build")
    assert result.returncode == 0, result.stdout[-4000:]
    return paths


@pytest.fixture
def db(built: DataPaths):
    # Per test: a DuckDB reader blocks later writers, and test_docs_generate writes.
    with duckdb.connect(str(built.build_database), read_only=True) as con:
        yield con


def rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def outcome(con, jurisdiction: str, year: int) -> dict:
    (row,) = rows(con, f"select * from marts.outcome_rates where jurisdiction = '{jurisdiction}' and year = {year}")
    return row


def test_build_runs_every_model_test_and_unit_test(built: DataPaths):
    import json

    results = json.loads((built.root / "dbt_target" / "run_results.json").read_text())["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "test", "unit_test"} <= kinds
    assert all(r["status"] in ("success", "pass") for r in results)
    assert sum(r["unique_id"].startswith("unit_test.") for r in results) >= 4


def test_erqi_2020_outcome_rates(db):
    r = outcome(db, "二七区", 2020)
    assert (r["admin_code"], r["province"], r["city"]) == ("410103", "河南省", "郑州市")
    assert (r["reports"], r["received"], r["carried_over"], r["processed"]) == (1, 329, 14, 341)
    assert (r["granted"], r["partially_granted"]) == (122, 11)
    assert r["disclosure_rate"] == pytest.approx(133 / 341, abs=1e-12)
    assert r["grant_rate"] == pytest.approx(122 / 341, abs=1e-12)
    assert r["review_total"] == 44 and r["review_corrected"] == 1
    assert r["review_correction_rate"] == pytest.approx(1 / 23, abs=1e-12)
    assert r["litigation_total"] == 22 and r["litigation_corrected"] == 2
    assert r["litigation_correction_rate"] == pytest.approx(2 / 21, abs=1e-12)
    assert r["reports_with_violations"] == 0 and r["reports_repaired"] == 0


def test_huixian_2021_and_zhongshan_2021(db):
    h = outcome(db, "辉县市", 2021)
    assert (h["processed"], h["granted"]) == (66, 18)
    assert Fraction(h["grant_rate"]).limit_denominator(1000) == Fraction(18, 66)
    assert h["reports_repaired"] == 1
    z = outcome(db, "中山镇", 2021)
    assert z["processed"] == 0 and z["grant_rate"] is None
    assert all(z[c] is None for c in ("disclosure_rate", "denial_rate", "unable_rate", "rejected_rate", "other_rate"))
    assert z["review_correction_rate"] is None and z["litigation_correction_rate"] is None


def test_every_category_of_every_report_adds_up_to_processed(db):
    # A2 holds on every seed, so the category columns must rebuild (七)总计 exactly: proof
    # that the codes table's categories cover every outcome row of both templates.
    bad = rows(
        db,
        "select report_id from marts.report_outcomes where granted + partially_granted + denied + unable"
        " + rejected + other_handled <> processed",
    )
    assert bad == []


def test_report_outcomes_roll_up_to_outcome_rates(db):
    measures = [
        "received", "carried_over", "processed", "carried_forward", "granted", "partially_granted",
        "denied", "unable", "rejected", "other_handled", "review_total", "review_corrected",
        "litigation_total", "litigation_corrected",
    ]  # fmt: skip
    summed = ", ".join(f"sum({m})::bigint as {m}" for m in measures)
    detail = rows(db, f"select jurisdiction, year, count(*) as reports, {summed} from marts.report_outcomes group by all order by all")
    rollup = rows(db, f"select jurisdiction, year, reports, {', '.join(measures)} from marts.outcome_rates order by all")
    assert detail == rollup
    assert len(rollup) == 6  # five seeds + 辉县市 2020


def test_report_quality_shows_quarantine_repairs_violations_and_x1(db):
    q = {r["report_id"]: r for r in rows(db, "select * from marts.report_quality")}
    assert len(q) == 7
    junk = q[JUNK_ID]
    assert (junk["status"], junk["error"], junk["rejected_at_stage"]) == ("rejected", "not a report: binary content", "decode")
    prev = q[PREVIOUS_ID]
    assert (prev["violations"], prev["violations_a3"], prev["violations_r1"], prev["violations_a1"]) == (3, 2, 1, 0)
    assert (prev["cells_repaired"], prev["statutory_findings"]) == (1, 1)
    assert prev["x1_held"] is None  # no 2019 report of 辉县市 is loaded
    seed_2021 = next(r for r in q.values() if r["body"] == "辉县市人民政府" and r["year"] == 2021)
    assert seed_2021["previous_report_id"] == PREVIOUS_ID
    assert (seed_2021["x1_columns_compared"], seed_2021["x1_columns_differing"], seed_2021["x1_held"]) == (7, 2, False)
    assert all(r["statutory_findings"] == 0 for k, r in q.items() if k != PREVIOUS_ID)


def test_applicant_mix(db):
    mix = rows(
        db,
        "select applicant_type, applicant_label, received, share from marts.applicant_mix"
        " where jurisdiction = '二七区' and year = 2020 order by applicant_ordinal",
    )
    assert [m["applicant_type"] for m in mix] == [
        "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org",
    ]  # fmt: skip
    assert [m["received"] for m in mix] == [320, 9, 0, 0, 0, 0]
    assert mix[0]["applicant_label"] == "自然人"
    assert mix[0]["share"] == pytest.approx(320 / 329) and sum(m["share"] for m in mix) == pytest.approx(1)
    zero = rows(db, "select share from marts.applicant_mix where jurisdiction = '中山镇'")
    assert len(zero) == 6 and all(z["share"] is None for z in zero)


def test_review_litigation_per_group(db):
    groups = {
        r["group_code"]: r
        for r in rows(db, "select * from marts.review_litigation where jurisdiction = '二七区' and year = 2020")
    }
    assert set(groups) == {"review", "litigation_direct", "litigation_after_review"}
    review = groups["review"]
    assert (review["upheld"], review["corrected"], review["other"], review["pending"], review["total"]) == (20, 1, 2, 21, 44)
    assert review["correction_rate"] == pytest.approx(1 / 23)
    # One suit, still pending: nothing decided, so no rate rather than 0.
    assert groups["litigation_after_review"]["correction_rate"] is None
    assert groups["litigation_direct"]["correction_rate"] == pytest.approx(2 / 21)


def test_active_disclosure_keeps_template_measures_apart(db):
    erqi = {
        r["item_code"]: r
        for r in rows(db, "select * from marts.active_disclosure where jurisdiction = '二七区' and year = 2020")
    }
    assert len(erqi) == 8  # the 2019 template's eight items
    lic = erqi["licensing"]
    assert (lic["items_prev_year"], lic["items_change"], lic["decisions"]) == (647, -55, 27865)
    assert lic["issued"] is None and lic["in_force"] is None
    assert erqi["normative_documents"]["made"] == 19 and erqi["normative_documents"]["issued"] is None
    assert erqi["procurement"]["amount_10k_yuan"] == Decimal("94799.5301")
    qujiang = {
        r["item_code"]: r
        for r in rows(db, "select * from marts.active_disclosure where jurisdiction = '衢江区' and year = 2021")
    }
    assert len(qujiang) == 6
    nd = qujiang["normative_documents"]
    assert (nd["issued"], nd["repealed"], nd["in_force"], nd["made"]) == (4, 17, 43, None)
    # 处理决定数量 means the same in both templates: one column.
    assert qujiang["licensing"]["decisions"] == 0 and qujiang["licensing"]["items_prev_year"] is None


def test_dim_jurisdiction(db):
    (row,) = rows(db, "select * from marts.dim_jurisdiction where admin_code = '410782'")
    assert (row["name"], row["level"], row["province"], row["city"]) == ("辉县市", "county", "河南省", "新乡市")


def test_a_failing_data_test_fails_the_build(tmp_path):
    """A duplicated report in silver breaks uniqueness: dbt build exits non-zero, and the
    marts downstream of the failed test are skipped (so nothing would be published)."""
    paths = DataPaths.from_env(tmp_path)
    exports = seed_exports()
    write_silver(paths, exports)
    reports = pl.read_delta(str(paths.silver_table("reports")))
    pl.concat([reports, reports.head(1)]).write_delta(str(paths.silver_table("reports")), mode="overwrite")
    result = run_dbt(paths, "build")
    assert result.returncode == 1
    assert "unique_stg_silver__reports_report_id" in result.stdout
    with duckdb.connect(str(paths.build_database), read_only=True) as con:
        marts = {r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    assert "outcome_rates" not in marts


def test_the_roll_up_test_catches_a_mart_that_does_not_add_up(built: DataPaths):
    def granted_plus(delta: int) -> None:
        with duckdb.connect(str(built.build_database)) as con:
            con.execute(f"update marts.outcome_rates set granted = granted + {delta} where jurisdiction = '二七区'")

    granted_plus(1)
    try:
        result = run_dbt(built, "test", "--select", "outcome_rates")
    finally:
        granted_plus(-1)
    assert result.returncode == 1
    failing = [line for line in result.stdout.splitlines() if "FAIL 1 " in line]
    assert len(failing) == 1 and "rolls_up_to_outcome_rates" in failing[0]


def test_docs_generate(built: DataPaths):
    result = run_dbt(built, "docs", "generate")
    assert result.returncode == 0, result.stdout[-3000:]
    import json

    catalog = json.loads((built.root / "dbt_target" / "catalog.json").read_text())
    manifest = json.loads((built.root / "dbt_target" / "manifest.json").read_text())
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert {m["name"] for m in marts} == {
        "outcome_rates", "report_outcomes", "applicant_mix", "review_litigation",
        "active_disclosure", "report_quality", "dim_jurisdiction",
    }  # fmt: skip
    for m in marts:
        built_columns = {c.lower() for c in catalog["nodes"][m["unique_id"]]["columns"]}
        documented = {c for c, spec in m["columns"].items() if spec.get("description")}
        assert m["description"] and built_columns == documented, m["name"]


def test_silver_source_reads_the_current_delta_version_and_empty_when_unwritten(tmp_path):
    from transforms.lake.silver_source import read_silver

    paths = DataPaths.from_env(tmp_path)
    missing = pl.from_arrow(read_silver("statutory_findings", paths))
    assert missing.height == 0 and missing.schema == schemas.STATUTORY_FINDINGS.polars_schema
    quarantine = pl.DataFrame(
        [{"report_id": "a", "source": "x", "parser_version": "1", "stage": "parse", "error": "e", "quarantined_at": datetime(2026, 1, 1, tzinfo=UTC)}],
        schema=schemas.QUARANTINE.polars_schema,
    )
    location = str(paths.silver_table("quarantine"))
    quarantine.write_delta(location)
    quarantine.with_columns(report_id=pl.lit("b")).write_delta(location, mode="overwrite")  # version 1 replaces version 0
    with duckdb.connect() as con:
        con.register("q", read_silver("quarantine", paths))
        assert con.execute("select report_id, error from q").fetchall() == [("b", "e")]
    # A partitioned table keeps its partition values out of the Parquet files: read through deltalake.
    quarantine.write_delta(location, mode="overwrite", delta_write_options={"partition_by": ["stage"], "schema_mode": "overwrite"})
    with duckdb.connect() as con:
        con.register("q", read_silver("quarantine", paths))
        assert con.execute("select report_id, stage from q").fetchall() == [("a", "parse")]
