"""Real Dagster materializations of the ingest assets on a temporary data directory.

The assets come from the loaded Definitions (orchestration/definitions.py), bound to the real
`paths` resource pointed at a temporary folder; Delta, the parser and Dagster are all real.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

import transforms.parser.parse
from orchestration.definitions import defs as load_defs
from orchestration.defs.resources import DataPathsResource
from transforms.lake import bronze, delta, schemas, silver
from transforms.lake.settings import DataPaths

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
INGEST = [
    dg.AssetKey(["bronze", "documents"]),
    *(dg.AssetKey(["silver", spec.name]) for spec in silver.PARSED_TABLES),
    dg.AssetKey(["silver", "codes"]),
    dg.AssetKey(["silver", "divisions"]),
]
JUNK = b"\x89PNG\r\n\x1a\n" + bytes(range(200))  # an image renamed .txt


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return load_defs()


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    p = DataPaths(tmp_path / "data")
    # the Definitions' own `paths` resource reads the data directory from here at run time
    monkeypatch.setenv("OGI_DATA_DIR", str(p.root))
    p.raw.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, p.raw / seed.name)
    return p


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def materialize(definitions: dg.Definitions, paths: DataPaths, instance, raise_on_error: bool = True):
    """The ingest part of the real load_job (other concerns' checks left out: they have their tests)."""
    assert DataPaths.from_env() == paths
    job = definitions.resolve_job_def("load_job").get_subset(asset_selection=set(INGEST), asset_check_selection=set())
    return job.execute_in_process(instance=instance, raise_on_error=raise_on_error)


def versions(paths: DataPaths) -> dict[str, int | None]:
    out = {"bronze.documents": delta.version(paths.bronze_table("documents"))}
    for spec in (*silver.PARSED_TABLES, schemas.CODES, schemas.DIVISIONS):
        out[spec.name] = delta.version(paths.silver_table(spec.name))
    return out


def metadata(result, *key: str) -> dict:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key == dg.AssetKey(list(key)):
            return {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    raise KeyError(key)


def table(paths: DataPaths, spec: schemas.TableSpec) -> pl.DataFrame:
    path = paths.bronze_table(spec.name) if spec.layer == "bronze" else paths.silver_table(spec.name)
    return delta.read(path, spec)


def assert_keys_unique(paths: DataPaths) -> None:
    for spec in silver.PARSED_TABLES:
        frame = table(paths, spec)
        assert frame.select(list(spec.keys)).is_duplicated().sum() == 0, spec.name


def test_definitions_hold_the_ingest_graph_job_schedule_and_sensor(definitions: dg.Definitions) -> None:
    keys = set(definitions.resolve_all_asset_keys())
    assert set(INGEST) <= keys
    graph = definitions.resolve_asset_graph()
    for spec in silver.PARSED_TABLES:
        node = graph.get(dg.AssetKey(["silver", spec.name]))
        assert node.group_name == "silver"
        assert dg.AssetKey(["bronze", "documents"]) in node.parent_keys
    assert graph.get(dg.AssetKey(["bronze", "documents"])).group_name == "bronze"
    schedule = definitions.resolve_schedule_def("nightly_load")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("0 2 * * *", "Asia/Shanghai", "load_job")
    assert definitions.resolve_sensor_def("raw_arrivals").job_name == "load_job"
    assert set(INGEST) <= set(definitions.resolve_job_def("load_job").asset_layer.executable_asset_keys)


def test_load_lands_every_file_parses_every_document_and_quarantines_junk(definitions, paths, instance) -> None:
    (paths.raw / "image.txt").write_bytes(JUNK)
    (paths.raw / "copies").mkdir()
    shutil.copy(sorted(paths.raw.glob("00*.txt"))[0], paths.raw / "copies" / "same.txt")
    result = materialize(definitions, paths, instance)
    assert result.success

    documents = table(paths, schemas.BRONZE_DOCUMENTS)
    assert documents.height == 7  # every file landed, the copy included
    assert documents["report_id"].n_unique() == 6  # ... and its bytes stored once
    reports, quarantine = table(paths, schemas.REPORTS), table(paths, schemas.QUARANTINE)
    assert reports.height + quarantine.height == 6
    assert sorted(set(reports["report_id"]) | set(quarantine["report_id"])) == sorted(set(documents["report_id"]))
    assert reports["parser_version"].unique().to_list() == [transforms.parser.parse.PARSER_VERSION]
    assert sorted(reports["status"].to_list()) == ["ok", "ok", "ok", "repaired", "repaired"]

    junk_id = hashlib.sha256(JUNK).hexdigest()
    assert quarantine.select("report_id", "source", "stage").rows() == [(junk_id, "image.txt", "parse")]
    error = quarantine["error"][0]
    assert error and "image" in error.lower()
    shown = metadata(result, "silver", "quarantine")
    assert shown["rejected_this_run"] == 1 and shown["dagster/row_count"] == 1
    assert "image.txt" in shown["rejected_files"] and error.replace("|", "\\|") in shown["rejected_files"]

    assert metadata(result, "bronze", "documents")["dagster/row_count"] == 7
    meta = metadata(result, "silver", "reports")
    assert (meta["dagster/row_count"], meta["documents_parsed"], meta["status_repaired"], meta["delta_version"]) == (5, 6, 2, 0)
    cells = table(paths, schemas.APPLICATION_CELLS)
    assert cells["report_id"].n_unique() == 5
    assert metadata(result, "silver", "application_cells")["dagster/row_count"] == cells.height
    assert table(paths, schemas.CODES).height == 105
    assert_keys_unique(paths)


def test_second_run_is_a_no_op(definitions, paths, instance) -> None:
    materialize(definitions, paths, instance)
    before = versions(paths)
    assert before["reports"] == 0 and before["quarantine"] is None  # no junk here: quarantine never written
    result = materialize(definitions, paths, instance)
    assert result.success
    assert versions(paths) == before
    assert metadata(result, "silver", "reports")["documents_parsed"] == 0


def test_changed_file_is_a_new_document_and_the_old_one_is_kept(definitions, paths, instance) -> None:
    materialize(definitions, paths, instance)
    target = sorted(paths.raw.glob("00*.txt"))[2]
    old_id = hashlib.sha256(target.read_bytes()).hexdigest()
    target.write_bytes(target.read_bytes() + "\n附:本报告已更正。\n".encode())
    new_id = hashlib.sha256(target.read_bytes()).hexdigest()
    result = materialize(definitions, paths, instance)
    assert metadata(result, "silver", "reports")["documents_parsed"] == 1
    documents = table(paths, schemas.BRONZE_DOCUMENTS)
    assert sorted(documents.filter(pl.col("source") == target.name)["report_id"]) == sorted([old_id, new_id])
    reports = table(paths, schemas.REPORTS)
    assert reports.height == 6 and {old_id, new_id} <= set(reports["report_id"])
    assert_keys_unique(paths)


def test_a_crash_halfway_through_a_silver_write_is_completed_by_the_next_run(
    definitions, paths, instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    materialize(definitions, paths, instance)
    before = versions(paths)
    for i, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        (paths.raw / f"late_{i}.txt").write_bytes(seed.read_bytes() + f"\n发布日期:2022-02-0{i + 1}\n".encode())

    # Crash inside the second table's write (review_litigation_cells), after delta-rs has
    # taken its first record batch: data files may be written, the commit never happens.
    monkeypatch.setattr(delta, "_BATCH_ROWS", 10)
    real_batches = delta._batches

    def crashing(arrow_table):
        for n, batch in enumerate(real_batches(arrow_table)):
            if "group" in arrow_table.column_names and n == 1:  # review_litigation_cells' key
                raise OSError("disk unplugged halfway through a write")
            yield batch

    monkeypatch.setattr(delta, "_batches", crashing)
    result = materialize(definitions, paths, instance, raise_on_error=False)
    assert not result.success
    after_crash = versions(paths)
    assert after_crash["application_cells"] == before["application_cells"] + 1  # committed before the crash
    for name in ("review_litigation_cells", "active_disclosure_cells", "rule_results", "reports", "quarantine"):
        assert after_crash[name] == before[name], name  # still at the last committed version
    assert table(paths, schemas.REPORTS).height == 5

    monkeypatch.setattr(delta, "_batches", real_batches)
    result = materialize(definitions, paths, instance)
    assert result.success
    assert metadata(result, "silver", "reports")["documents_parsed"] == 5
    reports = table(paths, schemas.REPORTS)
    assert reports.height == 10
    cells = table(paths, schemas.APPLICATION_CELLS)
    per_report = cells.group_by("report_id").len()
    assert per_report.height == 10
    assert_keys_unique(paths)  # the 5 documents whose cells landed before the crash were not appended twice
    assert not list((paths.silver / silver.JOURNAL).glob("*.parquet"))
    final = versions(paths)
    assert materialize(definitions, paths, instance).success and versions(paths) == final


def test_a_new_parser_version_reparses_everything_and_replaces_by_key(definitions, paths, instance, monkeypatch) -> None:
    materialize(definitions, paths, instance)
    before = versions(paths)
    cells_before = table(paths, schemas.APPLICATION_CELLS).height
    monkeypatch.setattr(transforms.parser.parse, "PARSER_VERSION", "test-next")
    result = materialize(definitions, paths, instance)
    assert metadata(result, "silver", "reports")["documents_reparsed"] == 5
    reports = table(paths, schemas.REPORTS)
    assert reports["parser_version"].unique().to_list() == ["test-next"] and reports.height == 5
    assert table(paths, schemas.APPLICATION_CELLS).height == cells_before
    assert versions(paths)["reports"] == before["reports"] + 1
    assert_keys_unique(paths)


def test_sensor_requests_a_run_when_files_land_and_not_twice(definitions, paths, instance) -> None:
    sensor = definitions.resolve_sensor_def("raw_arrivals")
    def evaluate(cursor):
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"paths": DataPathsResource(data_dir=str(paths.root))}
        )
        return sensor.evaluate_tick(context)

    first = evaluate(None)
    assert len(first.run_requests) == 1 and first.run_requests[0].tags["ogi/new_files"] == "5"
    assert first.run_requests[0].job_name in (None, "load_job")
    assert evaluate(first.cursor).run_requests == []  # same folder, same cursor: nothing

    materialize(definitions, paths, instance)
    landed = evaluate(None)  # a fresh cursor sees a changed listing but nothing unlanded
    assert landed.run_requests == [] and landed.skip_message

    (paths.raw / "arrived.txt").write_bytes((SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_bytes() + b"\n")
    arrival = evaluate(landed.cursor)
    assert len(arrival.run_requests) == 1 and arrival.run_requests[0].tags["ogi/new_files"] == "1"
    assert arrival.run_requests[0].run_key == bronze.listing_digest(bronze.scan_raw(paths.raw))

    # while a load is running the sensor waits, cursor unchanged, and asks once it is done
    from dagster._core.storage.dagster_run import DagsterRun

    instance.add_run(DagsterRun(job_name="load_job", run_id="0" * 36, status=dg.DagsterRunStatus.STARTED))
    busy = evaluate(landed.cursor)
    assert busy.run_requests == [] and "in progress" in busy.skip_message and busy.cursor == landed.cursor
    instance.delete_run("0" * 36)
    assert len(evaluate(landed.cursor).run_requests) == 1


@pytest.mark.slow
def test_ogi_run_loads_the_whole_graph_headless_and_prints_the_summary(paths: DataPaths) -> None:
    """The README's main command on a fresh data directory: every asset and check of load_job."""
    import subprocess
    import sys

    (paths.raw / "image.txt").write_bytes(JUNK)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ogi"), "run", "--data-dir", str(paths.root)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "ogi load succeeded" in out
    assert "files in raw/        6  (6 newly landed, bronze holds 6 documents)" in out
    assert "parsed this run      6  (ok 3, repaired 2, incomplete 0" in out
    assert "quarantined          1  (in quarantine: 1" in out
    assert f"ogi ui --data-dir {paths.root}" in out
    config = (paths.dagster_home / "dagster.yaml").read_text()
    assert "telemetry:\n  enabled: false" in config
    # the run is recorded in the data directory's own instance, for the UI
    with dg.DagsterInstance.from_config(str(paths.dagster_home)) as instance:
        runs = instance.get_runs()
        assert [r.job_name for r in runs] == ["load_job"] and runs[0].is_success
        # ...on Dagster's SQLite files, written through kept connections (orchestration/storage.py)
        from orchestration.storage import KeptConnectionsEventLogStorage

        assert isinstance(instance.event_log_storage, KeptConnectionsEventLogStorage)
        assert (paths.dagster_home / "history" / "runs" / f"{runs[0].run_id}.db").is_file()
        checks = instance.all_logs(runs[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        assert len(checks) == len(instance.all_logs(runs[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)) > 0
        key = dg.AssetKey(["silver", "reports"])
        assert instance.get_latest_materialization_event(key).run_id == runs[0].run_id


def test_overlapping_loads_do_not_load_twice(paths: DataPaths) -> None:
    """A sensor run and the nightly run may overlap: the second waits and finds nothing to do."""
    from concurrent.futures import ThreadPoolExecutor

    bronze.land(paths)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: silver.load(paths, workers=1), range(2)))
    assert sorted(r.parsed for r in results) == [0, 5]
    assert table(paths, schemas.REPORTS).height == 5
    assert_keys_unique(paths)


def test_ogi_status_shows_tables_statuses_and_quarantine(definitions, paths, instance, capsys) -> None:
    import re

    from transforms.cli import main

    (paths.raw / "image.txt").write_bytes(JUNK)
    materialize(definitions, paths, instance)
    (paths.raw / "waiting.txt").write_bytes(b"later")
    assert main(["status", "--data-dir", str(paths.root)]) == 0
    out = capsys.readouterr().out
    assert "raw/: 7 files, 1 not landed yet" in out
    assert "bronze.documents                             6        0" in out
    assert "silver.reports                               5        0" in out
    assert re.search(rf"{re.escape(transforms.parser.parse.PARSER_VERSION)}\s+repaired\s+2\n", out)
    assert "quarantine: 1 documents" in out and "image.txt  [parse]" in out
    # the ingest subset runs no quality suite yet
    assert "  statutory_rules                       never run: the next run validates every report" in out


def test_ogi_status_shows_how_far_the_quality_suites_have_got(paths, capsys) -> None:
    from transforms.cli import main
    from transforms.lake import bronze
    from transforms.quality import statutory

    bronze.land(paths, workers=1)
    silver.load(paths, workers=1)
    silver.write_codes(paths)
    statutory.run_statutory(paths, docs=False)
    (paths.raw / "copy.txt").write_bytes((paths.raw / sorted(p.name for p in paths.raw.iterdir())[0]).read_bytes() + b"\n")
    bronze.land(paths, workers=1)
    silver.load(paths, workers=1)  # one more report since the suite ran
    assert main(["status", "--data-dir", str(paths.root)]) == 0
    out = capsys.readouterr().out
    assert "  statutory_rules                              5 reports validated; next run: 1 reports\n" in out
    assert "  pipeline_integrity_cells              never run: the next run validates every report" in out
