"""End to end: the seeds through the real load_job (parser, Delta, dbt, checks, publishing).

The marts are read from the published analysts' file, as an analyst would; the load runs
while readers hold and reopen the file an earlier load published.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.definitions import defs as load_defs
from orchestration.defs.publish.assets import MARTS, PUBLISHED_WAREHOUSE
from tests.support import old_duckdb
from tests.support.silver_fixture import seed_exports, write_silver
from transforms.lake.settings import DataPaths

# One worker runs the module: its fixture is a whole load (see --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("marts_e2e")]

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def load(paths: DataPaths) -> dg.ExecuteInProcessResult:
    assert DataPaths.from_env() == paths
    job = load_defs().resolve_job_def("load_job")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


def _read_until(path: str, stop, seen) -> None:
    # An analyst in another process: connect, query, disconnect, again and again.
    while not stop.is_set():
        with duckdb.connect(path, read_only=True) as con:
            seen.append(con.execute(SNAPSHOT).fetchone())
        time.sleep(0.05)  # an analyst, not a busy loop stealing a core from the load


SNAPSHOT = "select sum(reports), count(*) from marts.outcome_rates"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One real load of the seeds, run while analysts use the file an earlier load published.

    The earlier file stands for a load of four jurisdictions (one report each): one reader
    holds it open for the whole load, another process keeps reconnecting to the path.
    """
    paths = DataPaths(tmp_path_factory.mktemp("e2e") / "data")
    paths.raw.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, paths.raw / seed.name)
    paths.warehouse.mkdir(parents=True)
    with duckdb.connect(str(paths.published_database)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.outcome_rates as select 'earlier' || i as jurisdiction, 1 as reports from range(4) as t(i)")

    ctx = mp.get_context("spawn")
    with (
        duckdb.connect(str(paths.published_database), read_only=True) as held,
        ctx.Manager() as manager,
        pytest.MonkeyPatch.context() as env,
    ):
        before = held.execute(SNAPSHOT).fetchone()
        stop, seen = manager.Event(), manager.list()
        reader = ctx.Process(target=_read_until, args=(str(paths.published_database), stop, seen))
        reader.start()
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        env.setenv("OGI_DATA_DIR", str(paths.root))
        result = load(paths)
        time.sleep(0.5)
        stop.set()
        reader.join(60)
        readers = {"before": before, "held_after": held.execute(SNAPSHOT).fetchone(), "exitcode": reader.exitcode, "seen": list(seen)}
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    yield paths, result, readers


def query(paths: DataPaths, sql: str) -> list[dict]:
    with duckdb.connect(str(paths.published_database), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]


def outcome(paths: DataPaths, jurisdiction: str, year: int) -> dict:
    (row,) = query(paths, f"select * from marts.outcome_rates where jurisdiction = '{jurisdiction}' and year = {year}")
    return row


def test_lineage_runs_from_silver_through_the_marts_to_the_published_file(loaded):
    graph = load_defs().resolve_asset_graph()
    stg = graph.get(dg.AssetKey(["staging", "stg_silver__reports"]))
    assert dg.AssetKey(["silver", "reports"]) in stg.parent_keys
    assert dg.AssetKey(["bronze", "documents"]) in graph.get(dg.AssetKey(["silver", "reports"])).parent_keys
    assert graph.get(dg.AssetKey(["marts", "outcome_rates"])).parent_keys >= {dg.AssetKey(["marts", "report_outcomes"])}
    assert graph.get(PUBLISHED_WAREHOUSE).parent_keys == {dg.AssetKey(["marts", m]) for m in MARTS}
    checks = {k for k in graph.asset_check_keys if k.asset_key == dg.AssetKey(["marts", "outcome_rates"])}
    assert any(k.name.startswith("rolls_up_to_outcome_rates") for k in checks)


def test_the_run_materialized_marts_checks_and_publishing(loaded):
    _, result, _ = loaded
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert {dg.AssetKey(["marts", m]) for m in MARTS} | {PUBLISHED_WAREHOUSE} <= materialized
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 80 and all(e.passed for e in evaluations)


def test_outcome_rates_hold_the_seed_figures(loaded):
    paths, _, _ = loaded
    erqi = outcome(paths, "二七区", 2020)
    assert (erqi["processed"], erqi["granted"], erqi["partially_granted"]) == (341, 122, 11)
    assert erqi["disclosure_rate"] == pytest.approx(133 / 341, abs=1e-12)
    assert erqi["review_correction_rate"] == pytest.approx(1 / 23, abs=1e-12)
    assert erqi["litigation_correction_rate"] == pytest.approx(2 / 21, abs=1e-12)
    huixian = outcome(paths, "辉县市", 2021)
    assert huixian["grant_rate"] == pytest.approx(18 / 66, abs=1e-12)
    assert huixian["reports_repaired"] == 1
    zhongshan = outcome(paths, "中山镇", 2021)
    assert zhongshan["processed"] == 0 and zhongshan["grant_rate"] is None
    assert (zhongshan["admin_code"], zhongshan["province"]) == ("500116", "重庆市")
    assert len(query(paths, "select * from marts.outcome_rates")) == 5


def test_report_quality_lists_every_document(loaded):
    paths, _, _ = loaded
    quality = query(paths, "select status, count(*) as n from marts.report_quality group by all order by all")
    assert quality == [{"status": "ok", "n": 3}, {"status": "repaired", "n": 2}]
    repaired = query(paths, "select jurisdiction, cells_repaired from marts.report_quality where status = 'repaired' order by 1")
    assert [r["jurisdiction"] for r in repaired] == ["红旗区", "辉县市"]
    assert all(r["cells_repaired"] > 0 for r in repaired)


def test_the_load_ran_while_analysts_held_the_published_file(loaded):
    """Neither reader was blocked; every read saw the earlier or the new complete file; the
    held connection kept the earlier one to the end."""
    paths, _, readers = loaded
    assert readers["before"] == (4, 4)
    assert readers["held_after"] == (4, 4)
    assert readers["exitcode"] == 0
    assert readers["seen"] and set(readers["seen"]) <= {(4, 4), (5, 5)}
    with duckdb.connect(str(paths.published_database), read_only=True) as fresh:
        assert fresh.execute(SNAPSHOT).fetchone() == (5, 5)


def test_a_failing_dbt_test_keeps_the_published_file(tmp_path, monkeypatch):
    """Silver with a duplicated report: dbt's uniqueness test fails inside the Dagster run,
    the dbt step fails, publishing does not run, and analysts keep the earlier file."""
    paths = DataPaths(tmp_path / "data")
    write_silver(paths, seed_exports())
    reports = pl.read_delta(str(paths.silver_table("reports")))
    pl.concat([reports, reports.head(1)]).write_delta(str(paths.silver_table("reports")), mode="overwrite")
    paths.warehouse.mkdir(parents=True)
    earlier = b"the earlier published file"
    paths.published_database.write_bytes(earlier)
    monkeypatch.setenv("OGI_DATA_DIR", str(paths.root))
    definitions = load_defs()
    graph = definitions.resolve_asset_graph()
    dbt_and_publish = {k for k in graph.get_all_asset_keys() if k.path[0] in ("staging", "intermediate", "marts")}
    job = definitions.resolve_job_def("load_job").get_subset(asset_selection=dbt_and_publish | {PUBLISHED_WAREHOUSE})
    assert job.graph.node_named("dbt_marts").definition.pool == "duckdb_build"
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failed = {e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed}
    assert "unique_stg_silver__reports_report_id" in failed
    assert PUBLISHED_WAREHOUSE not in {e.asset_key for e in result.get_asset_materialization_events()}
    assert paths.published_database.read_bytes() == earlier


def test_the_published_marts_open_in_duckdb_1_1(loaded):
    paths, _, _ = loaded
    sql = "select jurisdiction, year, reports from marts.outcome_rates order by jurisdiction, year"
    with duckdb.connect(str(paths.published_database), read_only=True) as con:
        tables = con.execute("select schema_name || '.' || table_name from duckdb_tables() order by 1").fetchall()
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}
        sample = [list(map(str, r)) for r in con.execute(sql).fetchall()]
    assert set(counts) == {f"marts.{name}" for name in MARTS} and sample
    assert old_duckdb.read_with("1.1.3", paths.published_database, sql) == {"version": "1.1.3", "counts": counts, "sample": sample}
