"""The data directory's Dagster instance: its dagster.yaml, and events on kept connections."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.dagster_run import DagsterRun

from orchestration.instance import ensure_dagster_home
from orchestration.storage import KEEP_SHARDS, KeptConnectionsEventLogStorage
from transforms.lake.settings import DataPaths


def _event(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None, level=20, user_message=message, run_id=run_id, timestamp=time.time(),
        dagster_event=DagsterEvent(event_type_value="ENGINE_EVENT", job_name="j", message=message, event_specific_data=EngineEventData()),
    )  # fmt: skip


def _write_from_another_process(home: str, run_id: str) -> None:
    with dg.DagsterInstance.from_config(home) as instance:
        instance.handle_new_event(_event(run_id, "from the other process"))


def test_events_on_kept_connections_are_seen_by_other_instances_and_processes(tmp_path: Path) -> None:
    home = str(ensure_dagster_home(DataPaths.from_env(tmp_path / "data")))
    with dg.DagsterInstance.from_config(home) as writer, dg.DagsterInstance.from_config(home) as reader:
        assert isinstance(writer.event_log_storage, KeptConnectionsEventLogStorage)
        runs = [writer.add_run(DagsterRun(job_name="j", run_id=f"{i:08d}-0000-0000-0000-000000000000")) for i in range(KEEP_SHARDS + 2)]
        for run in runs:  # more run shards than it keeps open: the oldest are closed
            writer.handle_new_event(_event(run.run_id, "first"))
        assert len(writer.event_log_storage._engines) == KEEP_SHARDS
        # another process writes to the first run's shard while this one holds connections
        child = multiprocessing.get_context("spawn").Process(target=_write_from_another_process, args=(home, runs[0].run_id))
        child.start()
        child.join(60)
        assert child.exitcode == 0
        writer.handle_new_event(_event(runs[0].run_id, "second"))
        assert [e.user_message for e in reader.all_logs(runs[0].run_id)] == ["first", "from the other process", "second"]
        assert [e.user_message for e in reader.all_logs(runs[-1].run_id)] == ["first"]


def test_dagster_yaml_follows_the_data_directory_unless_edited_by_hand(tmp_path: Path) -> None:
    paths = DataPaths.from_env(tmp_path / "data")
    config = ensure_dagster_home(paths) / "dagster.yaml"
    assert f'base_dir: "{paths.dagster_home}"' in config.read_text()
    moved = DataPaths.from_env(tmp_path / "moved")
    moved.dagster_home.mkdir(parents=True)
    (moved.dagster_home / "dagster.yaml").write_text(config.read_text())  # the folder was moved
    assert f'base_dir: "{moved.dagster_home}"' in (ensure_dagster_home(moved) / "dagster.yaml").read_text()
    config.write_text("telemetry:\n  enabled: false\n")  # edited by hand: kept
    assert ensure_dagster_home(paths) and config.read_text() == "telemetry:\n  enabled: false\n"
