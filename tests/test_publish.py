"""Publishing the analysts' file atomically, and `ogi sql` on it: real DuckDB files, real processes."""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pytest

from tests.support import old_duckdb
from transforms.cli import main
from transforms.lake.publish import PublishError, publish


def make_build(path: Path, version: int, rows: int = 2000) -> None:
    """A build database whose every table says which version it is, so a reader can tell
    a complete old file, a complete new file and a mixture apart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.outcome_rates as select range as id, {version} as version from range({rows})")
        con.execute(f"create table marts.report_outcomes as select range as id, {version} as version from range({rows * 2})")


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute(
        "select (select count(*) from marts.outcome_rates), (select min(version) from marts.outcome_rates),"
        " (select max(version) from marts.report_outcomes), (select count(*) from marts.report_outcomes)"
    ).fetchone()


REQUIRED = ["marts.outcome_rates", "marts.report_outcomes"]


def test_publish_copies_the_build_and_leaves_no_temporary(tmp_path):
    build, published = tmp_path / "build" / "ogi.duckdb", tmp_path / "ogi.duckdb"
    make_build(build, 1)
    result = publish(build, published, REQUIRED)
    assert result.row_counts == {"marts.outcome_rates": 2000, "marts.report_outcomes": 4000}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "ogi.duckdb"]
    with duckdb.connect(str(published), read_only=True) as con:
        assert snapshot(con) == (2000, 1, 1, 4000)


def test_an_incomplete_build_is_not_published(tmp_path):
    build, published = tmp_path / "build" / "ogi.duckdb", tmp_path / "ogi.duckdb"
    make_build(build, 1)
    publish(build, published, REQUIRED)
    before = published.read_bytes()
    make_build(build, 2)
    with pytest.raises(PublishError, match="marts.report_quality"):
        publish(build, published, [*REQUIRED, "marts.report_quality"])
    assert published.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "ogi.duckdb"]
    with pytest.raises(PublishError, match="no build database"):
        publish(tmp_path / "missing.duckdb", published, REQUIRED)


def test_a_reader_holding_the_file_keeps_the_old_complete_version(tmp_path):
    build, published = tmp_path / "build" / "ogi.duckdb", tmp_path / "ogi.duckdb"
    make_build(build, 1)
    publish(build, published, REQUIRED)
    with duckdb.connect(str(published), read_only=True) as held:
        assert snapshot(held) == (2000, 1, 1, 4000)
        make_build(build, 2, rows=3000)
        publish(build, published, REQUIRED)  # not blocked by the reader
        assert snapshot(held) == (2000, 1, 1, 4000)
        # Another process opening the path now gets the new file. (Within one process
        # DuckDB shares the open database among connections to the same path, so a
        # second connection here would still see the held, old one.)
        # ProcessPoolExecutor, not multiprocessing.Pool: Pool.__exit__ terminates its worker,
        # which can deadlock on the task queue's lock (seen hanging a CI run).
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            assert pool.submit(_snapshot_of, str(published)).result(timeout=120) == (3000, 2, 2, 6000)
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert snapshot(fresh) == (3000, 2, 2, 6000)


def _snapshot_of(path: str) -> tuple:
    with duckdb.connect(path, read_only=True) as con:
        return snapshot(con)


def _read_until(path: str, stop, seen) -> None:
    # Another process, as an analyst's DBeaver or CLI would be: connect, query, disconnect.
    while not stop.is_set():
        with duckdb.connect(path, read_only=True) as con:
            seen.append(snapshot(con))
        time.sleep(0.01)


def test_readers_in_another_process_see_only_complete_files_during_loads(tmp_path):
    build, published = tmp_path / "build" / "ogi.duckdb", tmp_path / "ogi.duckdb"
    make_build(build, 0, rows=1000)
    publish(build, published, REQUIRED)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        stop, seen = manager.Event(), manager.list()
        reader = ctx.Process(target=_read_until, args=(str(published), stop, seen))
        reader.start()
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        for version in range(1, 6):
            make_build(build, version, rows=1000 + version)
            publish(build, published, REQUIRED)
        time.sleep(0.3)
        stop.set()
        reader.join(60)
        observed = list(seen)
    assert reader.exitcode == 0
    complete = {(1000 + v, v, v, 2 * (1000 + v)) for v in range(6)}
    assert observed and set(observed) <= complete


# --------------------------------------------------------------------------- ogi sql
@pytest.fixture
def warehouse(tmp_path) -> Path:
    published = tmp_path / "warehouse" / "ogi.duckdb"
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.outcome_rates as select * from (values"
            " ('二七区', 2020, 341, 122, 122 / 341), ('中山镇', 2021, 0, 0, null::double))"
            " as t(jurisdiction, year, processed, granted, grant_rate)"
        )
    return tmp_path


def test_ogi_sql_prints_an_aligned_table(warehouse, capsys):
    code = main(["sql", "--data-dir", str(warehouse), "select * from marts.outcome_rates order by year"])
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "jurisdiction  year  processed  granted  grant_rate",
        "------------  ----  ---------  -------  ----------",
        "二七区        2020        341      122    0.357771",
        "中山镇        2021          0        0        NULL",
        "(2 rows)",
    ]


def test_ogi_sql_csv(warehouse, capsys):
    code = main(["sql", "--csv", "--data-dir", str(warehouse), "select jurisdiction, grant_rate from marts.outcome_rates order by year"])
    assert code == 0
    assert capsys.readouterr().out == "jurisdiction,grant_rate\n二七区,0.35777126099706746\n中山镇,\n"


def test_ogi_sql_is_read_only_and_explains_errors(warehouse, tmp_path, capsys):
    assert main(["sql", "--data-dir", str(warehouse), "drop table marts.outcome_rates"]) == 1
    assert "read-only" in capsys.readouterr().err
    with duckdb.connect(str(warehouse / "warehouse" / "ogi.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.outcome_rates").fetchone() == (2,)
    assert main(["sql", "--data-dir", str(tmp_path / "empty"), "select 1"]) == 1
    assert "no published database" in capsys.readouterr().err


@pytest.mark.parametrize("version", old_duckdb.VERSIONS)
def test_the_published_file_opens_in_older_duckdb_clients(tmp_path, version):
    build, published = tmp_path / "build" / "ogi.duckdb", tmp_path / "ogi.duckdb"
    make_build(build, 3)
    with duckdb.connect(str(build)) as con:
        con.execute("create table marts.names as select '南京市' as jurisdiction, 12.5::decimal(6, 2) as rate")
        con.execute("create schema staging")
        con.execute("create view staging.dangling as select * from marts.names")
    # The build itself is refused by a 1.x client: that is what publishing must get round.
    refused = subprocess.run([str(old_duckdb.client(version)), "-c", f"import duckdb; duckdb.connect({str(build)!r}, read_only=True)"],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode != 0 and "version number" in refused.stderr
    publish(build, published, REQUIRED)
    read = old_duckdb.read_with(version, published, "select jurisdiction, rate from marts.names")
    assert read == {
        "version": version,
        "counts": {"marts.names": 1, "marts.outcome_rates": 2000, "marts.report_outcomes": 4000},
        "sample": [["南京市", "12.50"]],
    }
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select tags['storage_version'] from duckdb_databases() where database_name = 'ogi'").fetchone() == ("v1.0.0+",)
