"""The incremental dbt models on real silver: every way silver changes, then a real `dbt build`.

int_report_applications, int_report_cell_counts, int_report_review_litigation and
marts.active_disclosure recompute only the reports silver holds with a parse they do not
(new or re-parsed: a new parsed_at), every row after a codes change, and drop the reports
that left silver. After each change the build database must hold exactly what a build from
scratch on the same silver holds, model by model and mart by mart.
"""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl

from tests.support.silver_fixture import frames, run_dbt, seed_exports, write_silver
from transforms.lake import schemas, silver
from transforms.lake.settings import DataPaths

INCREMENTAL = {
    "int_report_applications": "intermediate",
    "int_report_cell_counts": "intermediate",
    "int_report_review_litigation": "intermediate",
    "active_disclosure": "marts",
}
NEW_IDS = ("e" * 64, "d" * 64)
# A load stamps every report it parses with its start time (silver._load); later loads, later stamps.
NIGHT = datetime(2026, 11, 2, tzinfo=UTC)


def next_year(exports: list[dict], report_id: str, year: int) -> dict:
    """辉县市's report for `year`: a report the lake does not hold yet."""
    seed = next(e for e in exports if e["jurisdiction"] == "辉县市")
    new = copy.deepcopy(seed)
    new.update(report_id=report_id, source=f"synthetic/huixian-{year}.txt", year=year)
    return new


def load(paths: DataPaths, exports: list[dict], parsed_at: datetime, replace: bool) -> None:
    """Write reports the way a load does: one Delta commit per parsed table, a MERGE if `replace`."""
    parsed = frames(exports)
    parsed["reports"] = parsed["reports"].with_columns(parsed_at=pl.lit(parsed_at, dtype=schemas.REPORTS.polars_schema["parsed_at"]))
    ids = pl.Series([e["report_id"] for e in exports])
    silver.write_batch(paths, {spec.name: parsed[spec.name] for spec in silver.PARSED_TABLES}, ids, replace=replace)


def dbt(paths: DataPaths, *args: str) -> None:
    result = run_dbt(paths, *args)
    assert result.returncode == 0, result.stdout[-4000:]


def relations(paths: DataPaths) -> dict[str, list[tuple]]:
    """Every mart and incremental model, rows sorted."""
    with duckdb.connect(str(paths.build_database), read_only=True) as c:
        marts = [n for (n,) in c.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()]
        names = {f"marts.{n}" for n in marts} | {f"{schema}.{n}" for n, schema in INCREMENTAL.items()}
        return {n: c.execute(f"select * from {n} order by all").fetchall() for n in sorted(names)}


def assert_equals_scratch(paths: DataPaths, tmp_path, step: str) -> dict[str, list[tuple]]:
    """The build database holds what a first build on a copy of the same silver holds."""
    scratch = DataPaths.from_env(tmp_path / f"scratch-{step}")
    shutil.copytree(paths.silver, scratch.silver)
    dbt(scratch, "run")
    built, expected = relations(paths), relations(scratch)
    assert len(built) == 10 and all(built.values())  # seven marts, three intermediate models
    for name in expected:
        assert built[name] == expected[name], (step, name)
    return built


def rows_of(paths: DataPaths, report_id: str) -> dict[str, int]:
    with duckdb.connect(str(paths.build_database), read_only=True) as c:
        return {
            n: c.execute(f"select count(*) from {s}.{n} where report_id = ?", [report_id]).fetchall()[0][0]
            for n, s in INCREMENTAL.items()
        }


def test_append_then_reparse_equal_a_build_from_scratch_and_recompute_only_those_reports(tmp_path):
    paths = DataPaths.from_env(tmp_path / "lake")
    exports = seed_exports()
    write_silver(paths, exports)
    dbt(paths, "build")  # the first build of an empty build database: a full build

    # Mark one old report's row in each model; a model that recomputed it would lose the mark.
    old = next(e["report_id"] for e in exports if e["status"] == "ok")
    marks = {
        "intermediate.int_report_applications": "total_cells_missing",
        "intermediate.int_report_cell_counts": "cells",
        "intermediate.int_report_review_litigation": "review_total",
        "marts.active_disclosure": "cells_repaired",
    }
    with duckdb.connect(str(paths.build_database)) as c:
        for relation, column in marks.items():
            c.execute(f"update {relation} set {column} = {column} + 1000 where report_id = ?", [old])

    new = [next_year(exports, NEW_IDS[0], 2022), next_year(exports, NEW_IDS[1], 2023)]
    load(paths, new, NIGHT, replace=False)
    dbt(paths, "run", "--select", *INCREMENTAL)
    with duckdb.connect(str(paths.build_database)) as c:
        for relation, column in marks.items():
            # The old report was not recomputed: its mark is still there...
            ((marked,),) = c.execute(f"select count(*) from {relation} where report_id = ? and {column} >= 1000", [old]).fetchall()
            assert marked >= 1, relation
            # ...and the run wrote exactly the new reports' rows, stamped with their parse.
            ((written, stamps),) = c.execute(
                f"select count(distinct report_id), count(distinct parsed_at) from {relation} where parsed_at = ?", [NIGHT]
            ).fetchall()
            assert (written, stamps) == (2, 1), relation
            c.execute(f"update {relation} set {column} = {column} - 1000 where report_id = ?", [old])
    assert rows_of(paths, NEW_IDS[0]) == {
        "int_report_applications": 1,
        "int_report_cell_counts": 1,
        "int_report_review_litigation": 1,
        "active_disclosure": len(new[0]["active_disclosure"]),  # one row per 表二 item
    }
    assert len(new[0]["active_disclosure"]) == 6

    dbt(paths, "build")  # the rest of the graph; the four models find nothing to do
    assert_equals_scratch(paths, tmp_path, "append")

    # The next night re-parses one report (a parser bump: the MERGE path) with other figures.
    reparsed = next_year(exports, NEW_IDS[0], 2022)
    reparsed["applications"]["granted"]["natural_person"] += 1000
    reparsed["applications"]["granted"]["total"] += 1000
    reparsed["review_litigation"]["review"]["total"] += 7
    item, measures = next(iter(reparsed["active_disclosure"].items()))
    measure = next(m for m, v in measures.items() if v is not None)
    measures[measure] += 5
    load(paths, [reparsed], NIGHT + timedelta(days=1), replace=True)
    dbt(paths, "build")
    built = assert_equals_scratch(paths, tmp_path, "reparse")
    outcome = next(r for r in built["marts.report_outcomes"] if r[0] == NEW_IDS[0])
    before = next(r for r in built["marts.report_outcomes"] if r[0] == NEW_IDS[1])
    assert outcome[13] == before[13] + 1000  # granted: the new figures, not the first parse's


def test_a_report_leaving_silver_and_a_codes_change_equal_a_build_from_scratch(tmp_path):
    paths = DataPaths.from_env(tmp_path / "lake")
    exports = seed_exports()
    write_silver(paths, exports)
    dbt(paths, "run")

    # A re-parse rejects a report: the MERGE deletes its rows and quarantine gets it.
    gone = next(e for e in exports if e["status"] == "ok")
    assert all(rows_of(paths, gone["report_id"]).values())
    load(paths, [{**gone, "status": "rejected", "error": "not a report"}], NIGHT, replace=True)
    dbt(paths, "build")
    assert rows_of(paths, gone["report_id"]) == dict.fromkeys(INCREMENTAL, 0)
    assert_equals_scratch(paths, tmp_path, "removed")

    # A codes change (transforms/parser/model.py edited): one outcome row moves category and an item
    # is relabelled. Nothing is re-parsed; every row built from codes must follow.
    codes = pl.read_delta(str(paths.silver_table("codes")))
    moved = (pl.col("table") == "applications") & (pl.col("code") == "granted")
    relabelled = (pl.col("table") == "active_disclosure") & (pl.col("kind") == "item")
    codes = codes.with_columns(
        category=pl.when(moved).then(pl.lit("partially_granted")).otherwise("category"),
        label=pl.when(relabelled).then(pl.col("label") + "（新）").otherwise("label"),
    )
    codes.write_delta(str(paths.silver_table("codes")), mode="overwrite")
    dbt(paths, "build")
    built = assert_equals_scratch(paths, tmp_path, "codes")
    assert {r[7].endswith("（新）") for r in built["marts.active_disclosure"]} == {True}
    with duckdb.connect(str(paths.build_database), read_only=True) as c:
        assert c.execute("select count(*) from intermediate.int_report_applications where granted <> 0").fetchall() == [(0,)]
        assert c.execute(
            "select count(distinct codes_version) from (select codes_version from intermediate.int_report_applications"
            " union all select codes_version from marts.active_disclosure)"
        ).fetchall() == [(1,)]
