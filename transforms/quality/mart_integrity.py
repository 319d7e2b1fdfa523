"""The pipeline_integrity suites over the marts (read from the dbt build database, read-only):
rates within [0, 1] and outcome_rates equal to the sum of report_outcomes."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from transforms.lake.settings import DataPaths
from transforms.quality import ledger
from transforms.quality.gx import SuiteRun, Validator, suite_stamp
from transforms.quality.suites import FIRST_IDS, IntegrityResult

RATE_COLUMNS_TABLES = ("outcome_rates", "report_outcomes")
MART_KEYS = ("jurisdiction", "admin_code", "year")
# outcome_rates measures that are plain sums of report_outcomes columns of the same name
MART_SUMS = (
    "received", "carried_over", "processed", "carried_forward", "granted", "partially_granted", "denied",
    "unable", "rejected", "other_handled", "review_total", "review_corrected", "litigation_total",
    "litigation_corrected",
)  # fmt: skip
# outcome_rates measures that count reports: the report_outcomes flag each one counts (None: every report)
MART_COUNTS = {"reports": None, "reports_with_violations": "has_violations", "reports_repaired": "is_repaired"}



# ---------------------------------------------------------------------------------------
# pipeline_integrity over the marts (read from the dbt build database, read-only)
# ---------------------------------------------------------------------------------------
def rollup_sql(schema: str = "marts") -> str:
    """report_outcomes summed per jurisdiction × year, beside outcome_rates, one row per key of either."""
    sums = [f"sum({m}) as {m}" for m in MART_SUMS]
    counts = [f"count(*) filter (where {flag}) as {m}" if flag else f"count(*) as {m}" for m, flag in MART_COUNTS.items()]
    measures = list(MART_COUNTS) + list(MART_SUMS)
    on = " and ".join(f"r.{k} is not distinct from o.{k}" for k in MART_KEYS)
    return f"""
        with rolled as (
            select {", ".join(MART_KEYS)}, {", ".join(counts + sums)}
            from {schema}.report_outcomes group by all
        )
        select {", ".join(f"coalesce(o.{k}, r.{k}) as {k}" for k in MART_KEYS)},
               {", ".join(f"o.{m} as {m}, r.{m} as {m}__from_reports" for m in measures)}
        from {schema}.outcome_rates as o full outer join rolled as r on {on}
        order by all
    """


def mart_frames(database: Path) -> dict[str, pl.DataFrame]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        frames = {t: con.sql(f"select * from marts.{t}").pl() for t in RATE_COLUMNS_TABLES}
        frames["rollup"] = con.sql(rollup_sql()).pl()
    return frames


def consistent_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The mart rows whose every report holds the statutory rules.

    A rate outside [0, 1] there is a bug in the marts; where a report breaks a rule
    (予以公开 larger than (七)总计, say) the rate is what the report printed, which
    report_quality and the statutory suite already flag, so it must not block publishing.
    """
    for flag in ("reports_with_violations", "has_violations"):
        if flag in frame.columns:
            return frame.filter(pl.col(flag).cast(pl.Int64).fill_null(0) == 0)
    return frame


def run_integrity_marts(
    paths: DataPaths, database: Path | None = None, validator: Validator | None = None, docs: bool = True, full: bool = False
) -> dict[str, IntegrityResult]:
    """The mart suites over the build database; incremental by row content (ledger.unvalidated_rows).

    dbt rebuilds the marts each load, but a row equal to one that passed passes again (each
    expectation reads one row), so GX sees only new or changed rows: a nightly's few hundred
    reports and the jurisdictions they touch, not the whole national table. `full` validates
    every row.
    """
    database = database or paths.build_database
    frames = mart_frames(database)
    validator = validator or Validator(paths)
    passed: list[tuple[str, ledger.Rows, str]] = []  # recorded once the run's every suite is done

    def validate(suite: str, name: str, frame: pl.DataFrame, index: list[str]) -> tuple[SuiteRun, ledger.Rows]:
        stamp = suite_stamp(suite)
        rows = ledger.unvalidated_rows(paths, f"{suite}__{name}", frame, stamp, full=full)
        run = validator.validate(suite, f"marts.{name}", rows.frame, index)
        if run.success:
            passed.append((f"{suite}__{name}", rows, stamp))
        return run, rows

    out = {}
    for table in RATE_COLUMNS_TABLES:
        frame = consistent_rows(frames[table])
        run, rows = validate("pipeline_integrity_mart_rates", table, frame, [c for c in ("report_id", *MART_KEYS) if c in frame.columns])
        out[f"rates:{table}"] = IntegrityResult(
            run,
            {
                o.check: [str(r) for r in o.partial_unexpected_index_list]
                for o in run.outcomes
                if not o.success
            },
            batch=rows.describe(),
        )
    run, rows = validate("pipeline_integrity_mart_rollup", "outcome_rates_rollup", frames["rollup"], MART_KEYS)
    rollup = rows.frame
    problems = {}
    for m in (*MART_COUNTS, *MART_SUMS):
        if m in rollup.columns:
            bad = rollup.filter(pl.col(m).ne_missing(pl.col(f"{m}__from_reports")))
            problems[f"outcome_rates.{m} = sum of report_outcomes.{m}"] = [
                f"{r['jurisdiction']} {r['year']}" for r in bad.head(FIRST_IDS).iter_rows(named=True)
            ]
    out["rollup"] = IntegrityResult(run, problems, batch=rows.describe())
    for name, rows, stamp in passed:
        ledger.record_rows(paths, name, rows, stamp)
    if docs:
        validator.build_docs()
    return out
