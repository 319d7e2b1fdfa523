"""What the quality suites share: the cell tables as they read them, their results, and the
ledger-keeping suites with their plan (transforms/quality/ledger.py).

The suites (statutory.py, silver_integrity.py, mart_integrity.py) do their arithmetic in
polars straight from silver and hand GX (gx.py) the frame to validate. Pure: no Dagster;
orchestration/defs/quality/ turns their results into asset checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import polars as pl

from transforms.lake import delta, schemas
from transforms.lake.settings import DataPaths
from transforms.quality import ledger
from transforms.quality.gx import SuiteRun, Validator, suite_stamp
from transforms.quality.ledger import Batch

FIRST_IDS = 20  # failing report_ids listed in check metadata
DOCS_ROWS = 1_000  # up to this many failing rows per suite, Data Docs list each one with its report_id
STATUTORY_RULES = ("A1", "A2", "A3", "R1", "N1")
CELL_TABLES = {  # model table -> (silver spec, outer code kind, inner code kind)
    "applications": (schemas.APPLICATION_CELLS, "row", "column"),
    "review_litigation": (schemas.REVIEW_LITIGATION_CELLS, "group", "column"),
    "active_disclosure": (schemas.ACTIVE_DISCLOSURE_CELLS, "item", "measure"),
}
CELL_TABLE_NAMES = tuple(spec.name for spec, _, _ in CELL_TABLES.values())
RULE_TABLE = {"A1": "applications", "A2": "applications", "A3": "applications", "R1": "review_litigation"}
STATUTORY_SUITE = "statutory_rules"

# ---------------------------------------------------------------------------------------
# Reading silver
# ---------------------------------------------------------------------------------------
def scan(paths: DataPaths, spec: schemas.TableSpec, columns: list[str], batch: Batch | None = None) -> pl.LazyFrame:
    """A table's columns; with a batch, only the rows of the reports it touches (transforms/quality/ledger.py)."""
    if batch is not None:
        return ledger.rows(batch, spec.name, spec, columns)
    path = paths.silver_table(spec.name) if spec.layer == "silver" else paths.bronze_table(spec.name)
    if not delta.exists(path):
        return pl.LazyFrame(schema={c: spec.schema[c] for c in columns})
    return delta.scan(path).select(columns)


def cell_frame(paths: DataPaths, table: str, batch: Batch | None = None) -> pl.LazyFrame:
    """A cell table in one shape: report_id, site (row/group/item), term (column/measure), value, printed."""
    spec, outer, inner = CELL_TABLES[table]
    return scan(paths, spec, ["report_id", outer, inner, "value", "printed"], batch).rename({outer: "site", inner: "term"})


def table_versions(paths: DataPaths, names: Iterable[str]) -> dict[str, int | None]:
    return {n: delta.version(paths.silver_table(n)) for n in names}


class QualityError(RuntimeError):
    """GX and the frame it validated disagree: a bug in this module, never a data problem."""


@dataclass
class IntegrityResult:
    """One integrity suite's run and what it found, per check."""

    run: SuiteRun
    problems: dict[str, list[str]]  # expectation check text -> first offending ids (report_ids or keys)
    frame: pl.DataFrame | None = None  # the validated frame, or only its offending rows
    batch: str = "all of silver"  # what the run validated (transforms/quality/ledger.py)

    @property
    def success(self) -> bool:
        return self.run.success

    def explain(self) -> str:
        if self.success:
            return f"{self.run.suite}: all {len(self.run.outcomes)} expectations met on {self.run.row_count} rows ({self.batch})"
        lines = [f"{self.run.suite}: {len(self.run.failed)} of {len(self.run.outcomes)} expectations failed"]
        for o in self.run.failed:
            why = o.exception or f"{o.unexpected_count} unexpected of {o.element_count} rows"
            ids = self.problems.get(o.check) or []
            lines.append(f"- {o.check}: {why}" + (f"; e.g. {', '.join(ids[:5])}" if ids else ""))
        return "\n".join(lines)


def first_ids(frame: pl.DataFrame, condition: pl.Expr, column: str = "report_id") -> list[str]:
    return frame.filter(condition)[column].cast(pl.String).unique().sort().head(FIRST_IDS).to_list()


def validate_with(
    validator: Validator,
    suite: str,
    asset: str,
    frame: pl.DataFrame,
    conditions: dict[str, tuple[pl.Expr, str]],
    index: tuple[str, ...] = ("report_id",),
    parameters: dict[str, Any] | None = None,
) -> IntegrityResult:
    """Validate, with each expectation's offending rows named from the same frame (check text -> condition, id column).

    When few rows offend, Data Docs list every one with its ids (GX's COMPLETE format); when
    many do, GX reports counts and samples, and the ids are in the check's metadata.
    """
    offending = frame.select(pl.any_horizontal([c.fill_null(True) for c, _ in conditions.values()]).sum()).item() if conditions and frame.height else 0
    run = validator.validate(suite, asset, frame, index, parameters, complete=offending <= DOCS_ROWS)
    return IntegrityResult(run, {check: first_ids(frame, cond, column) for check, (cond, column) in conditions.items()}, frame)


CELLS_SUITE = "pipeline_integrity_cells"
KEYS_SUITES = "pipeline_integrity_reports_documents"  # one ledger for the two suites on report_ids


class LedgerOf(NamedTuple):
    """What one ledger covers: the stored suites its validations run (editing one voids the
    ledger) and the tables they read besides silver reports (their changes since the ledger
    decide what the next run validates)."""

    suites: tuple[str, ...]
    tables: tuple[str, ...]


# The ledger-keeping suites, for the suites themselves and `ogi status`.
LEDGERS = {
    STATUTORY_SUITE: LedgerOf((STATUTORY_SUITE,), CELL_TABLE_NAMES),
    CELLS_SUITE: LedgerOf(("pipeline_integrity_codes", CELLS_SUITE), CELL_TABLE_NAMES),
    KEYS_SUITES: LedgerOf(("pipeline_integrity_reports", "pipeline_integrity_documents"), (schemas.QUARANTINE.name, schemas.BRONZE_DOCUMENTS.name)),
}


def plan(paths: DataPaths, name: str, full: bool = False) -> Batch:
    """What ledger `name`'s suites validate next (transforms/quality/ledger.py)."""
    of = LEDGERS[name]
    return ledger.plan(paths, name, of.tables, full=full, stamp=",".join(suite_stamp(s) for s in of.suites))
