"""Dagster's SQLite storage, with event writes on connections kept open.

Dagster's SQLite event log opens a new engine and connection for every event it stores and
closes them again (NullPool), about 3 ms for a log line and 7 ms for a materialization here.
A load stores some 400 events (each asset and check planned, evaluated, materialized, each dbt
node's output), so that alone was 2–3 s of a 25-second nightly. This storage is Dagster's own
in every other respect (same files under `$DAGSTER_HOME/history/`, same schema, the webserver
and daemon read it as usual) but keeps a few connections open per process: ~1 and ~2 ms.

It is safe because SQLite in WAL mode (which Dagster sets on these files) lets other processes
read and write while a connection sits idle, Dagster's own lock still serialises this
process's threads, and a forked child never reuses its parent's connections.

Dagster offers no setting for the pool; this overrides the private `_connect` of the pinned
dagster (requirements.lock). tests/test_pipeline.py runs on it, so an upgrade that changes
the method fails there, not in production.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Open shards at a time: the index and the current run's, plus a few the webserver reads.
KEEP_SHARDS = 8


class KeptConnectionsEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():
            # a forked child: its parent's connections are not its own to use or close
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines.clear()
            self._engines_pid = os.getpid()
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                # one connection kept; _initdb briefly needs a second (an inspector beside it)
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=2,
                # any thread may use it: Dagster's _db_lock lets one at a time
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > KEEP_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_all()  # wipe deletes the shard files these connections hold
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


class OgiSqliteStorage(DagsterSqliteStorage):
    """`storage: sqlite` of dagster.yaml, with the event log above (runs and schedules as is)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = KeptConnectionsEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: dict) -> OgiSqliteStorage:  # type: ignore[override]
        return cls.from_local(inst_data=inst_data, **config_value)
