"""A real lake for the quality tests: the seeds landed and parsed by the pipeline, then damaged on purpose.

`seed_lake` runs the real thing (bronze.land, the parser through silver.load, the codes table)
once per test process; `copy_lake` gives each test its own copy to break. The damage helpers
rewrite silver Delta tables the way a bug or a bad edit would: a new Delta version with one
value changed, a row duplicated, a report gone.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
from deltalake import DeltaTable

from transforms.lake import bronze, delta, schemas, silver
from transforms.lake.settings import DataPaths

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def seed_lake(root: Path) -> DataPaths:
    """bronze + silver for the five seed files, written by the pipeline's own code."""
    paths = DataPaths.from_env(root)
    paths.raw.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, paths.raw / seed.name)
    bronze.land(paths, workers=1)
    silver.load(paths, workers=1)
    silver.write_codes(paths)
    return paths


def copy_lake(template: DataPaths, root: Path) -> DataPaths:
    shutil.copytree(template.root, root, dirs_exist_ok=True)
    return DataPaths.from_env(root)


def report_ids(paths: DataPaths) -> dict[str, str]:
    """source file name -> report_id, from silver reports."""
    frame = pl.read_delta(str(paths.silver_table("reports"))).select("source", "report_id")
    return {Path(s).name: r for s, r in frame.iter_rows()}


def _rewrite(paths: DataPaths, spec: schemas.TableSpec, frame: pl.DataFrame) -> None:
    frame.cast(spec.polars_schema).write_delta(str(paths.silver_table(spec.name)), mode="overwrite")


def set_cell(paths: DataPaths, table: str, report_id: str, outer: str, inner: str, value: int | Decimal | None, printed: bool | None = None) -> object:
    """Change one silver cell (and optionally its printed flag); returns the old value."""
    from transforms.quality.suites import CELL_TABLES

    spec, outer_col, inner_col = CELL_TABLES[table]
    frame = pl.read_delta(str(paths.silver_table(spec.name)))
    hit = (pl.col("report_id") == report_id) & (pl.col(outer_col) == outer) & (pl.col(inner_col) == inner)
    (old,) = frame.filter(hit)["value"].to_list()
    changes = [pl.when(hit).then(pl.lit(value, dtype=spec.schema["value"])).otherwise(pl.col("value")).alias("value")]
    if printed is not None:
        changes.append(pl.when(hit).then(pl.lit(printed)).otherwise(pl.col("printed")).alias("printed"))
    _rewrite(paths, spec, frame.with_columns(changes))
    return old


def add_cell(paths: DataPaths, table: str, report_id: str, outer: str, inner: str, value: int) -> None:
    from transforms.quality.suites import CELL_TABLES

    spec, outer_col, inner_col = CELL_TABLES[table]
    frame = pl.read_delta(str(paths.silver_table(spec.name)))
    row = pl.DataFrame(
        {"report_id": [report_id], outer_col: [outer], inner_col: [inner], "value": [value], "printed": [True], "repair_rules": [[]]}
    ).cast(spec.polars_schema)
    _rewrite(paths, spec, pl.concat([frame, row.select(frame.columns)]))


def duplicate_report(paths: DataPaths, report_id: str) -> None:
    """The same report twice in silver reports, as a MERGE bug or a blind append would leave it."""
    frame = pl.read_delta(str(paths.silver_table("reports")))
    delta.append(frame.filter(pl.col("report_id") == report_id), paths.silver_table("reports"), schemas.REPORTS)


def lose_report(paths: DataPaths, report_id: str) -> None:
    """A bronze document silver lost: gone from reports (and never quarantined)."""
    DeltaTable(str(paths.silver_table("reports"))).delete(f"report_id = '{report_id}'")


def clear_parser_version(paths: DataPaths, report_id: str) -> None:
    frame = pl.read_delta(str(paths.silver_table("reports")))
    hit = pl.col("report_id") == report_id
    _rewrite(paths, schemas.REPORTS, frame.with_columns(pl.when(hit).then(None).otherwise(pl.col("parser_version")).alias("parser_version")))


def write_marts(database: Path, report_outcomes: pl.DataFrame, outcome_rates: pl.DataFrame) -> None:
    """A build database holding the two marts the integrity suites read (real DuckDB file)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists marts")
        for name, frame in (("report_outcomes", report_outcomes), ("outcome_rates", outcome_rates)):
            con.register("frame", frame.to_arrow())
            con.execute(f"create or replace table marts.{name} as select * from frame")
            con.unregister("frame")
