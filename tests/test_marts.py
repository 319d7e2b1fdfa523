"""End to end: the seeds through the real load_job (parser, Delta, dbt, checks, publishing).

The marts are read from the published analysts' file, as an analyst would; a second load
runs while a reader holds that file open.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import defs as load_defs
from orchestration.defs.publish.assets import MARTS, PUBLISHED_WAREHOUSE
from transforms.settings import DataPaths

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def load(paths: DataPaths) -> dg.ExecuteInProcessResult:
    assert DataPaths.from_env() == paths
    job = load_defs().resolve_job_def("load_job")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    paths = DataPaths(tmp_path_factory.mktemp("e2e") / "data")
    paths.raw.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, paths.raw / seed.name)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OGI_DATA_DIR", str(paths.root))
        result = load(paths)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        yield paths, result


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
    _, result = loaded
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert {dg.AssetKey(["marts", m]) for m in MARTS} | {PUBLISHED_WAREHOUSE} <= materialized
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 80 and all(e.passed for e in evaluations)


def test_outcome_rates_hold_the_seed_figures(loaded):
    paths, _ = loaded
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
    paths, _ = loaded
    quality = query(paths, "select status, count(*) as n from marts.report_quality group by all order by all")
    assert quality == [{"status": "ok", "n": 3}, {"status": "repaired", "n": 2}]
    repaired = query(paths, "select jurisdiction, cells_repaired from marts.report_quality where status = 'repaired' order by 1")
    assert [r["jurisdiction"] for r in repaired] == ["红旗区", "辉县市"]
    assert all(r["cells_repaired"] > 0 for r in repaired)


def _read_until(path: str, stop, seen) -> None:
    while not stop.is_set():
        with duckdb.connect(path, read_only=True) as con:
            seen.append(con.execute("select sum(reports), count(*) from marts.outcome_rates").fetchone())


def test_a_load_runs_while_analysts_hold_the_published_file(loaded):
    """A reader in this process holds the file open for the whole load; a reader in another
    process keeps reconnecting. The load succeeds; every read sees the old or the new
    complete file; the held connection keeps the old one."""
    paths, _ = loaded
    # A new document: the 中山镇 report as re-published with a trailing page-chrome line.
    seed = next(SEEDS.glob("004_*.txt"))
    (paths.raw / "004_republished.txt").write_bytes(seed.read_bytes() + "\n打印本页\n".encode())
    ctx = mp.get_context("spawn")
    with (
        duckdb.connect(str(paths.published_database), read_only=True) as held,
        ctx.Manager() as manager,
        pytest.MonkeyPatch.context() as env,
    ):
        before = held.execute("select sum(reports), count(*) from marts.outcome_rates").fetchone()
        assert before == (5, 5)
        stop, seen = manager.Event(), manager.list()
        reader = ctx.Process(target=_read_until, args=(str(paths.published_database), stop, seen))
        reader.start()
        env.setenv("OGI_DATA_DIR", str(paths.root))
        result = load(paths)
        time.sleep(0.5)
        stop.set()
        reader.join(60)
        observed = list(seen)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        assert held.execute("select sum(reports), count(*) from marts.outcome_rates").fetchone() == before
    assert reader.exitcode == 0
    assert observed and set(observed) <= {(5, 5), (6, 5)}
    assert outcome(paths, "中山镇", 2021)["reports"] == 2
