"""Incremental replication of silver into the build database (transforms/lake/silver_source.py).

Real Delta tables written by the pipeline's own writers (`silver.write_batch`: an append, or
a MERGE when a report is re-parsed), a real DuckDB file, and at the end a real `dbt build`.
Every count is compared with what deltalake says the current version holds.
"""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest
from deltalake import DeltaTable

from tests.support.silver_fixture import frames, run_dbt, seed_exports, write_silver
from transforms.lake import schemas, silver
from transforms.lake.settings import DataPaths
from transforms.lake.silver_source import FILES_TABLE, replicate

NEW_ID = "e" * 64


def new_report(exports: list[dict]) -> dict:
    """辉县市's next year: a report the lake does not hold yet."""
    seed = next(e for e in exports if e["jurisdiction"] == "辉县市")
    new = copy.deepcopy(seed)
    new.update(report_id=NEW_ID, source="synthetic/huixian-2022.txt", year=2022)
    return new


def append_report(paths: DataPaths, export: dict, replace: bool = False) -> dict[str, pl.DataFrame]:
    """Write one report the way a load does: one Delta commit per parsed table (a MERGE if `replace`)."""
    parsed = {spec.name: frames([export])[spec.name] for spec in silver.PARSED_TABLES}
    silver.write_batch(paths, parsed, pl.Series([export["report_id"]]), replace=replace)
    return parsed


def delta_rows(paths: DataPaths, name: str) -> int:
    location = paths.silver_table(name)
    return pl.read_delta(str(location)).height if (location / "_delta_log").is_dir() else 0


def replica_rows(con, name: str) -> int:
    return con.execute(f'select count(*) from silver."{name}"').fetchall()[0][0]


def replica_files(con, name: str) -> set[str]:
    return {f for (f,) in con.execute(f"select file_uri from {FILES_TABLE} where table_name = ?", [name]).fetchall()}


def columns(con, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {relation}").fetchall()]


@pytest.fixture
def lake(tmp_path) -> DataPaths:
    paths = DataPaths.from_env(tmp_path)
    write_silver(paths, seed_exports())  # statutory_findings is left unwritten
    return paths


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as c:
        yield c


def test_first_replication_copies_every_table_with_todays_columns(lake: DataPaths, con):
    done = replicate(con, lake)
    assert {n: r.action for n, r in done.items()} == {s.name: "replaced" for s in schemas.SILVER_TABLES}
    for spec in schemas.SILVER_TABLES:
        assert replica_rows(con, spec.name) == delta_rows(lake, spec.name), spec.name
        assert done[spec.name].rows == delta_rows(lake, spec.name)
        # The columns and types the staging models were written against: the declared schema.
        con.register("declared", pl.DataFrame(schema=spec.polars_schema).to_arrow())
        assert columns(con, f'silver."{spec.name}"') == columns(con, "declared"), spec.name
        con.unregister("declared")
    assert replica_rows(con, "application_cells") == 861
    assert replica_files(con, "application_cells") == set(DeltaTable(str(lake.silver_table("application_cells"))).file_uris())
    # Never written: empty, with the declared schema.
    assert replica_rows(con, "statutory_findings") == 0


def test_a_rerun_copies_nothing_and_an_append_copies_only_the_new_files(lake: DataPaths, con):
    replicate(con, lake)
    before = {s.name: replica_rows(con, s.name) for s in schemas.SILVER_TABLES}
    files_before = replica_files(con, "application_cells")

    assert {r.action for r in replicate(con, lake).values()} == {"unchanged"}
    assert {s.name: replica_rows(con, s.name) for s in schemas.SILVER_TABLES} == before

    added = append_report(lake, new_report(seed_exports()))
    done = replicate(con, lake)
    cells = added["application_cells"].height
    assert cells == 175  # one report's 表三
    assert done["application_cells"].action == "appended"
    assert (done["application_cells"].files, done["application_cells"].rows) == (1, cells)
    assert replica_rows(con, "application_cells") == before["application_cells"] + cells == delta_rows(lake, "application_cells")
    (new_file,) = replica_files(con, "application_cells") - files_before
    assert new_file in DeltaTable(str(lake.silver_table("application_cells"))).file_uris()
    assert replica_files(con, "application_cells") == set(DeltaTable(str(lake.silver_table("application_cells"))).file_uris())
    assert done["reports"].action == "appended" and replica_rows(con, "reports") == before["reports"] + 1
    # rule_results and quarantine were written empty (no files: read through deltalake) and got nothing.
    assert done["rule_results"].action == "unchanged" and done["quarantine"].action == "unchanged"
    assert done["codes"].action == "unchanged" and done["statutory_findings"].action == "unchanged"
    ((rows,),) = con.execute(f"select count(*) from silver.application_cells where report_id = '{NEW_ID}'").fetchall()
    assert rows == cells


def test_a_merge_that_removes_files_replaces_the_copy_with_exactly_the_current_rows(lake: DataPaths, con):
    export = new_report(seed_exports())
    append_report(lake, export)
    replicate(con, lake)
    # The report re-parsed (a parser bump): its 表三 changes, and the MERGE rewrites the file holding it.
    export["applications"]["granted"]["natural_person"] += 1000
    append_report(lake, export, replace=True)
    done = replicate(con, lake)
    assert done["application_cells"].action == "replaced"
    for name, keys in (("application_cells", "report_id, row, \"column\""), ("reports", "report_id")):
        ((total, distinct),) = con.execute(f"select count(*), count(distinct ({keys})) from silver.{name}").fetchall()
        assert total == distinct == delta_rows(lake, name), name
    ((value,),) = con.execute(
        f"select value from silver.application_cells where report_id = '{NEW_ID}' and row = 'granted' and \"column\" = 'natural_person'"
    ).fetchall()
    assert value == export["applications"]["granted"]["natural_person"]
    assert replica_files(con, "application_cells") == set(DeltaTable(str(lake.silver_table("application_cells"))).file_uris())


def test_a_schema_change_and_a_first_write_replace_the_copy(lake: DataPaths, con):
    replicate(con, lake)
    # An append that adds a column keeps every file: only the schema says the copy is stale.
    codes = pl.read_delta(str(lake.silver_table("codes")))
    codes.head(1).with_columns(note=pl.lit("new")).write_delta(
        str(lake.silver_table("codes")), mode="append", delta_write_options={"schema_mode": "merge"}
    )
    findings = pl.DataFrame(
        [{"report_id": NEW_ID, "rule": "A3", "table": "applications", "where": "total", "basis": "printed",
          "expectation": "expect_column_pair_values_to_be_equal", "validated_at": datetime(2026, 11, 1, tzinfo=UTC)}],
        schema=schemas.STATUTORY_FINDINGS.polars_schema,
    )  # fmt: skip
    findings.write_delta(str(lake.silver_table("statutory_findings")))
    done = replicate(con, lake)
    assert done["codes"].action == "replaced" and done["statutory_findings"].action == "replaced"
    assert replica_rows(con, "codes") == codes.height + 1
    assert con.execute("select count(note) from silver.codes").fetchall()[0][0] == 1
    assert con.execute("select report_id from silver.statutory_findings").fetchall() == [(NEW_ID,)]


def test_a_copy_replaced_behind_the_bookkeeping_is_copied_whole(lake: DataPaths, con):
    replicate(con, lake)
    # What an older checkout's dbt would leave: its own whole copy, here with a row more.
    con.execute("insert into silver.reports select * from silver.reports limit 1")
    assert replicate(con, lake)["reports"].action == "replaced"
    assert con.execute("select count(*), count(distinct report_id) from silver.reports").fetchall() == [(5, 5)]


def test_a_failed_append_leaves_table_and_bookkeeping_as_they_were(lake: DataPaths, con):
    replicate(con, lake)
    before = replica_rows(con, "application_cells"), replica_files(con, "application_cells")
    append_report(lake, new_report(seed_exports()))
    table = DeltaTable(str(lake.silver_table("application_cells")))
    (new_file,) = set(table.file_uris()) - before[1]
    good = open(new_file, "rb").read()
    open(new_file, "wb").write(good[: len(good) // 2])  # a half-written file: the insert fails mid-table
    with pytest.raises(duckdb.Error):
        replicate(con, lake)
    assert (replica_rows(con, "application_cells"), replica_files(con, "application_cells")) == before
    open(new_file, "wb").write(good)
    assert replicate(con, lake)["application_cells"].action == "appended"
    assert replica_rows(con, "application_cells") == delta_rows(lake, "application_cells") == before[0] + 175


def test_a_partitioned_table_is_copied_whole_when_its_version_changes(lake: DataPaths, con):
    location = str(lake.silver_table("quarantine"))
    row = {"report_id": "a", "source": "x", "parser_version": "1", "stage": "parse", "error": "e",
           "quarantined_at": datetime(2026, 1, 1, tzinfo=UTC)}  # fmt: skip
    quarantine = pl.DataFrame([row], schema=schemas.QUARANTINE.polars_schema)
    options = {"partition_by": ["stage"], "schema_mode": "overwrite"}
    quarantine.write_delta(location, mode="overwrite", delta_write_options=options)
    assert replicate(con, lake)["quarantine"].action == "replaced"
    assert replicate(con, lake)["quarantine"].action == "unchanged"
    quarantine.with_columns(report_id=pl.lit("b")).write_delta(location, mode="append", delta_write_options={"partition_by": ["stage"]})
    assert replicate(con, lake)["quarantine"].action == "replaced"
    assert con.execute("select report_id, stage from silver.quarantine order by 1").fetchall() == [("a", "parse"), ("b", "parse")]


def test_dbt_build_after_an_append_equals_a_build_from_scratch(tmp_path):
    """The nightly case end to end: dbt replicates only the appended files, and every mart
    comes out as a build from scratch on the same silver makes it."""
    incremental = DataPaths.from_env(tmp_path / "incremental")
    exports = seed_exports()
    write_silver(incremental, exports)
    incremental.build_database.parent.mkdir(parents=True)
    with duckdb.connect(str(incremental.build_database)) as c:
        replicate(c, incremental)  # what the previous night's dbt left
        files_before = replica_files(c, "application_cells")
    append_report(incremental, new_report(exports))
    scratch = DataPaths.from_env(tmp_path / "scratch")
    shutil.copytree(incremental.silver, scratch.silver)

    for paths in (incremental, scratch):
        result = run_dbt(paths, "build")
        assert result.returncode == 0, result.stdout[-4000:]

    def marts(paths: DataPaths) -> dict[str, list[tuple]]:
        with duckdb.connect(str(paths.build_database), read_only=True) as c:
            names = [n for (n,) in c.execute("select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
            return {n: c.execute(f"select * from marts.{n} order by all").fetchall() for n in names}

    with duckdb.connect(str(incremental.build_database), read_only=True) as c:
        (added,) = replica_files(c, "application_cells") - files_before
        assert len(replica_files(c, "application_cells")) == len(files_before) + 1
        assert c.execute(f"select count(*) from marts.report_outcomes where report_id = '{NEW_ID}'").fetchall() == [(1,)]
    built = marts(incremental)
    assert len(built) == 7 and all(built.values())
    assert built == marts(scratch)
