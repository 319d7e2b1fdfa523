"""Several workers sharing one load (transforms/silver.Shard): disjoint parts, run side by side
in separate processes on one lake, leave silver exactly as one whole load does.

Real bronze, the real parser, real Delta tables (concurrent commits included), and the real
Dagster parse_job with its shard config.
"""

from __future__ import annotations

import multiprocessing
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from tests.support import renderer
from transforms.lake import bronze, delta, schemas, silver
from transforms.lake.settings import DataPaths

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
STAMPS = {"reports": "parsed_at", "quarantine": "quarantined_at"}  # when a row was written: differs by run


def _landed(root: Path, reports: int = 40) -> DataPaths:
    """The seeds, rendered reports in several layouts and one junk file, landed in bronze."""
    paths = DataPaths(root)
    paths.raw.mkdir(parents=True)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, paths.raw / seed.name)
    rng = random.Random(11)
    for i in range(reports):
        truth = renderer.random_report(rng)
        layout = renderer.LAYOUTS[i % 4]  # tabs, cells, pipes, markdown
        (paths.raw / f"r{i:03}.txt").write_bytes(renderer.render(truth, layout, rng, renderer.Noise()))
    (paths.raw / "junk.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(100)))
    bronze.land(paths, workers=1)
    return paths


def _silver(paths: DataPaths) -> dict[str, pl.DataFrame]:
    out = {}
    for spec in silver.PARSED_TABLES:
        frame = delta.read(paths.silver_table(spec.name), spec).drop(STAMPS.get(spec.name, []))
        out[spec.name] = frame.sort(frame.columns, nulls_last=True)
    return out


def _load_shard(root: str, shard: str) -> tuple[str, int, int]:
    result = silver.load(DataPaths(Path(root)), workers=1, shard=silver.Shard.parse(shard))
    return result.shard, result.parsed, result.new


def test_shard_parts_are_disjoint_and_cover_every_bucket() -> None:
    for count in (1, 2, 4, 8, 16):
        buckets = [b for i in range(count) for b in silver.Shard(i, count).buckets]
        assert sorted(buckets) == list(range(16))
    assert silver.Shard.parse("3/8").buckets == (3, 11)
    assert silver.Shard.parse("") == silver.Shard(0, 1)
    ids = pl.DataFrame({"report_id": ["0f" + "0" * 62, "a1" + "0" * 62, "b2" + "0" * 62]})
    assert ids.filter(silver.Shard(1, 2).member())["report_id"].str.slice(0, 2).to_list() == ["b2"]
    for bad in ("3/5", "4/4", "-1/2", "2", "a/b"):
        with pytest.raises(ValueError):
            silver.Shard.parse(bad)


def test_shards_loaded_side_by_side_equal_one_whole_load(tmp_path: Path) -> None:
    whole = _landed(tmp_path / "whole")
    parts = DataPaths(tmp_path / "parts")
    shutil.copytree(whole.root, parts.root)
    expected = silver.load(whole, workers=1)
    documents = expected.parsed
    assert documents == 46  # 5 seeds + 40 rendered + 1 junk

    # two workers, two processes, the same lake at once: Delta commits their appends side by side
    # spawned, not forked: a fork of a process whose polars threads hold locks can hang
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(_load_shard, [str(parts.root)] * 2, ["0/2", "1/2"]))
    assert [d[0] for d in done] == ["0/2", "1/2"]
    assert sum(d[1] for d in done) == documents and all(0 < d[1] < documents for d in done)
    for name, frame in _silver(whole).items():
        assert _silver(parts)[name].equals(frame), name
    # nothing left for a whole load afterwards, and no journal in flight
    assert silver.load(parts, workers=1).parsed == 0
    assert not list((parts.silver / silver.JOURNAL).glob("*"))


def test_parse_job_takes_its_shard_from_run_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.definitions import defs

    paths = _landed(tmp_path / "data", reports=10)
    monkeypatch.setenv("OGI_DATA_DIR", str(paths.root))
    job = defs().resolve_job_def("parse_job")
    ids = delta.read(paths.bronze_table("documents"), schemas.BRONZE_DOCUMENTS, ["report_id"])["report_id"]
    in_first = ids.to_frame().filter(silver.Shard(0, 4).member()).height
    with dg.DagsterInstance.ephemeral() as instance:
        first = job.execute_in_process(
            instance=instance, run_config={"ops": {"parsed_reports": {"config": {"shard": "0/4"}}}}
        )
        assert first.success
        mat = {
            e.event_specific_data.materialization.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
            for e in first.get_asset_materialization_events()
        }
        assert mat["silver/reports"]["shard"].value == "0/4"
        assert mat["silver/reports"]["documents_parsed"].value == in_first
        rest = job.execute_in_process(instance=instance)  # no config: the whole load, i.e. what is left
        assert rest.success
    held = delta.read(paths.silver_table("reports"), schemas.REPORTS, ["report_id"]).height
    quarantined = delta.read(paths.silver_table("quarantine"), schemas.QUARANTINE, ["report_id"]).height
    assert held + quarantined == ids.n_unique() == 16
