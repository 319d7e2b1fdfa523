"""Data quality: the statutory rules and the pipeline's integrity as GX validations of silver and the marts.

The arithmetic is done here, in polars, straight from the silver *cells*, written apart from the
parser's rule code (transforms/rules.py) and never reading `rule_results`: that is what lets the
suites disagree with the parser. Each frame GX validates holds the two sides of every check
(`a1_lhs`, `a1_rhs`, ...), and the suites in expectations/ compare them; failures per report are
read back from the very frame GX validated, and their count must equal GX's own count.

Pure: no Dagster. orchestration/defs/quality/ turns these results into asset checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from transforms import delta, ledger, model, schemas
from transforms.ledger import Batch
from transforms.quality_gx import SuiteRun, Validator, suite_stamp
from transforms.settings import DataPaths

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
# Reading silver
# ---------------------------------------------------------------------------------------
def _scan(paths: DataPaths, spec: schemas.TableSpec, columns: list[str], batch: Batch | None = None) -> pl.LazyFrame:
    """A table's columns; with a batch, only the rows of the reports it touches (transforms/ledger.py)."""
    if batch is not None:
        return ledger.rows(batch, spec.name, spec, columns)
    path = paths.silver_table(spec.name) if spec.layer == "silver" else paths.bronze_table(spec.name)
    if not delta.exists(path):
        return pl.LazyFrame(schema={c: spec.schema[c] for c in columns})
    return delta.scan(path).select(columns)


def _cells(paths: DataPaths, table: str, batch: Batch | None = None) -> pl.LazyFrame:
    """A cell table in one shape: report_id, site (row/group/item), term (column/measure), value, printed."""
    spec, outer, inner = CELL_TABLES[table]
    return _scan(paths, spec, ["report_id", outer, inner, "value", "printed"], batch).rename({outer: "site", inner: "term"})


def table_versions(paths: DataPaths, names: Iterable[str]) -> dict[str, int | None]:
    return {n: delta.version(paths.silver_table(n)) for n in names}


# ---------------------------------------------------------------------------------------
# statutory_rules: the two sides of every check, from the cells
# ---------------------------------------------------------------------------------------
def _sides(rule: str, template: model.Template) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cells on each side of A1, A2, A3, R1, straight from the model (A1/R1 terms are columns, A2/A3 rows)."""
    return {
        "A1": (("total",), model.APPLICANT_PARTS),
        "A2": (("total_processed",), model.outcome_rows(template)),
        "A3": (("new_received", "carried_over"), ("total_processed", "carried_forward")),
        "R1": (("total",), model.REVIEW_PARTS),
    }[rule]


def _variants(rule: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """One variant per distinct definition: '*' when both templates agree (no join to reports needed)."""
    defs = {t: _sides(rule, t) for t in model.TEMPLATES}
    return {"*": defs[model.TEMPLATES[0]]} if len(set(defs.values())) == 1 else defs


def _rule_inputs(rule: str) -> list[pl.Expr]:
    """Per cell, before grouping: its value on each side of the rule (else null) and whether it takes part.

    Computed row-wise so that the group_by only sums plain columns (polars' fast path).
    """
    value, term = pl.col("value"), pl.col("term")
    out = []
    for variant, (lhs, rhs) in _variants(rule).items():
        p = f"{rule}_{variant}"
        on_lhs, on_rhs = term.is_in(list(lhs)), term.is_in(list(rhs))
        involved = on_lhs | on_rhs
        out += [
            pl.when(on_lhs).then(value).alias(f"{p}_lhs"),
            pl.when(on_rhs).then(value).alias(f"{p}_rhs"),
            on_lhs.cast(pl.Int32).alias(f"{p}_nl"),
            on_rhs.cast(pl.Int32).alias(f"{p}_nr"),
            (involved & value.is_null()).cast(pl.Int32).alias(f"{p}_nulls"),
            (involved & ~pl.col("printed")).alias(f"{p}_repaired"),
        ]
    return out


def _rule_aggs(rule: str) -> list[pl.Expr]:
    """Each side's sum and whether every one of its cells was there, once, with a value."""
    out = []
    for variant, (lhs, rhs) in _variants(rule).items():
        p = f"{rule}_{variant}"
        out += [
            pl.col(f"{p}_lhs").sum(),
            pl.col(f"{p}_rhs").sum(),
            ((pl.col(f"{p}_nl").sum() == len(lhs)) & (pl.col(f"{p}_nr").sum() == len(rhs)) & (pl.col(f"{p}_nulls").sum() == 0)).alias(f"{p}_complete"),
            pl.col(f"{p}_repaired").any(),
        ]
    return out


def _rule_columns(rule: str) -> list[pl.Expr]:
    """After the group_by (and the report's template joined when the rule has variants): lhs, rhs, basis."""
    variants = _variants(rule)

    def pick(suffix: str) -> pl.Expr:
        if "*" in variants:
            return pl.col(f"{rule}_*_{suffix}")
        expr = pl.when(pl.col("template") == model.TEMPLATES[0]).then(pl.col(f"{rule}_{model.TEMPLATES[0]}_{suffix}"))
        for t in model.TEMPLATES[1:]:
            expr = expr.when(pl.col("template") == t).then(pl.col(f"{rule}_{t}_{suffix}"))
        return expr

    key = rule.lower()
    complete = pick("complete").fill_null(False)
    return [
        pl.when(complete).then(pick("lhs")).cast(pl.Int64).alias(f"{key}_lhs"),
        pl.when(complete).then(pick("rhs")).cast(pl.Int64).alias(f"{key}_rhs"),
        pl.when(pick("repaired")).then(pl.lit("repaired")).otherwise(pl.lit("printed")).alias(f"{key}_basis"),
    ]


def _n1_aggs(table: str) -> list[pl.Expr]:
    """Per site: the smallest value that must be non-negative (floored) and the largest fraction of a count."""
    if table != "active_disclosure":  # integer columns: sign only
        return [pl.col("value").min().cast(pl.Int64).alias("n1_min"), pl.lit(None, pl.Int64).alias("n1_fraction_e4")]
    category = pl.col("term").replace_strict(model.MEASURE_CATEGORY, default=None)
    signed = pl.col("value").filter(category != "signed_count")
    counts = pl.col("value").filter(category != "amount")
    return [
        signed.cast(pl.Float64).floor().min().cast(pl.Int64).alias("n1_min"),  # floor keeps the sign of -0.5
        ((counts * 10_000).cast(pl.Int64).abs() % 10_000).max().alias("n1_fraction_e4"),
    ]


def statutory_checks(paths: DataPaths, batch: Batch | None = None) -> pl.DataFrame:
    """The frame the statutory_rules suite validates: one row per report, table and check site.

    Sites: 表三 rows (A1, N1), 表三 columns (A2, A3), 表四 groups (R1, N1), 表二 items (N1).
    One group_by per kind of site over the cells; the report's template is joined only to the
    grouped frame, for the rules whose terms depend on it (A2). The `*_basis` columns say
    whether a check involves a repaired cell; they stay out of GX.
    """
    templates = _scan(paths, schemas.REPORTS, ["report_id", "template"], batch)
    app = _cells(paths, "applications", batch)
    parts = [
        app.with_columns(_rule_inputs("A1"))
        .group_by("report_id", "site")
        .agg(*_rule_aggs("A1"), *_n1_aggs("applications"))
        .select("report_id", pl.lit("applications").alias("table"), pl.col("site").alias("where"), *_rule_columns("A1"), "n1_min", "n1_fraction_e4"),
        app.rename({"site": "term", "term": "site"})
        .with_columns(*_rule_inputs("A2"), *_rule_inputs("A3"))
        .group_by("report_id", "site")
        .agg(*_rule_aggs("A2"), *_rule_aggs("A3"))
        .join(templates, on="report_id", how="left")
        .select("report_id", pl.lit("applications").alias("table"), pl.col("site").alias("where"), *_rule_columns("A2"), *_rule_columns("A3")),
        _cells(paths, "review_litigation", batch)
        .with_columns(_rule_inputs("R1"))
        .group_by("report_id", "site")
        .agg(*_rule_aggs("R1"), *_n1_aggs("review_litigation"))
        .select("report_id", pl.lit("review_litigation").alias("table"), pl.col("site").alias("where"), *_rule_columns("R1"), "n1_min", "n1_fraction_e4"),
        _cells(paths, "active_disclosure", batch)
        .group_by("report_id", "site")
        .agg(*_n1_aggs("active_disclosure"))
        .select("report_id", pl.lit("active_disclosure").alias("table"), pl.col("site").alias("where"), "n1_min", "n1_fraction_e4"),
    ]
    columns = ["report_id", "table", "where"]
    for rule in ("a1", "a2", "a3", "r1"):
        columns += [f"{rule}_lhs", f"{rule}_rhs", f"{rule}_basis"]
    columns += ["n1_min", "n1_fraction_e4"]
    # One query at a time on the streaming engine, which reads the cells in morsels: memory
    # follows one query's groups, not the 17M cells (re-reading is cheaper than holding them).
    frames = [q.collect(engine="streaming") for q in parts]
    frame = pl.concat(frames, how="diagonal_relaxed")
    return frame.select(
        [pl.col(c) if c in frame.columns else pl.lit(None, pl.Int64 if not c.endswith("basis") else pl.String).alias(c) for c in columns]
    )  # unsorted: GX needs no order, and sorting 4M string keys costs more than the checks


GX_STATUTORY_COLUMNS = (
    "report_id", "table", "where", "a1_lhs", "a1_rhs", "a2_lhs", "a2_rhs", "a3_lhs", "a3_rhs", "r1_lhs", "r1_rhs",
    "n1_min", "n1_fraction_e4",
)  # fmt: skip


def _n1_cells(paths: DataPaths, batch: Batch | None = None) -> pl.DataFrame:
    """Every cell breaking N1, with the value it should have been at the nearest (rhs)."""
    out = []
    for table in CELL_TABLES:
        cells = _cells(paths, table, batch)
        if table == "active_disclosure":
            category = pl.col("term").replace_strict(model.MEASURE_CATEGORY, default=None)
            negative = (category != "signed_count") & (pl.col("value") < 0)
            fractional = (category != "amount") & ((pl.col("value") * 10_000).cast(pl.Int64).abs() % 10_000 != 0)
            truncated = pl.col("value").cast(pl.Int64, strict=False).cast(schemas.AMOUNT)
            admissible = (
                pl.when(category == "amount").then(pl.lit(0).cast(schemas.AMOUNT))
                .when(category == "signed_count").then(truncated)
                .otherwise(pl.when(pl.col("value") < 0).then(pl.lit(0).cast(schemas.AMOUNT)).otherwise(truncated))
            )  # fmt: skip
            bad = cells.filter(negative | fractional).with_columns(rhs=admissible)
        else:
            bad = cells.filter(pl.col("value") < 0).with_columns(rhs=pl.lit(0))
        out.append(
            bad.select(
                "report_id",
                pl.lit(table).alias("table"),
                pl.col("site"),
                pl.concat_str("site", pl.lit("."), "term").alias("where"),
                pl.col("value").cast(schemas.AMOUNT).alias("lhs"),
                pl.col("rhs").cast(schemas.AMOUNT),
                pl.when(pl.col("printed")).then(pl.lit("printed")).otherwise(pl.lit("repaired")).alias("basis"),
            ).collect(engine="streaming")
        )
    return pl.concat(out)


def findings_from_checks(checks: pl.DataFrame, n1_cells: pl.DataFrame, validated_at: datetime) -> pl.DataFrame:
    """silver.statutory_findings: one row per report and failed check."""
    parts = []
    for rule in ("A1", "A2", "A3", "R1"):
        key = rule.lower()
        parts.append(
            checks.filter(pl.col(f"{key}_lhs") != pl.col(f"{key}_rhs")).select(
                "report_id",
                pl.lit(rule).alias("rule"),
                "table",
                "where",
                pl.col(f"{key}_lhs").cast(schemas.AMOUNT).alias("lhs"),
                pl.col(f"{key}_rhs").cast(schemas.AMOUNT).alias("rhs"),
                pl.col(f"{key}_basis").alias("basis"),
                pl.lit(f"expect_column_pair_values_to_be_equal({key}_lhs, {key}_rhs)").alias("expectation"),
            )
        )
    negative = (pl.col("lhs") < 0) & ~((pl.col("table") == "active_disclosure") & (pl.col("rhs") < 0))
    parts.append(
        n1_cells.select(
            "report_id",
            pl.lit("N1").alias("rule"),
            "table",
            "where",
            "lhs",
            "rhs",
            "basis",
            pl.when(negative)
            .then(pl.lit("expect_column_values_to_be_between(n1_min)"))
            .otherwise(pl.lit("expect_column_values_to_be_between(n1_fraction_e4)"))
            .alias("expectation"),
        )
    )
    frame = pl.concat(parts).with_columns(validated_at=pl.lit(validated_at, dtype=pl.Datetime("us", "UTC")))
    return delta.conform(frame, schemas.STATUTORY_FINDINGS).sort("report_id", "rule", "table", "where")


@dataclass
class TableFindings:
    """What one cell table's asset check shows."""

    table: str
    rules: dict[str, int]  # rule -> failed checks in this table
    by_basis: dict[str, int]
    reports: int  # reports with at least one failed check
    first_report_ids: list[str]
    expectations_failed: list[str]

    @property
    def failed(self) -> int:
        return sum(self.rules.values())


@dataclass
class StatutoryResult:
    run: SuiteRun
    checks: int  # check sites validated over all of silver (this run and earlier ones)
    unevaluable: dict[str, int]  # rule -> checks with a missing cell (incomplete reports)
    findings: pl.DataFrame
    tables: dict[str, TableFindings]
    data_docs: Path | None
    findings_version: int | None
    versions: dict[str, int | None] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    findings_validated_at: datetime | None = None
    batch: str = ""  # what this run validated (transforms/ledger.py)
    checks_validated: int = 0  # check sites GX validated this run (`checks` counts all of silver)


class QualityError(RuntimeError):
    """GX and the frame it validated disagree: a bug in this module, never a data problem."""


def _expected_counts(checks: pl.DataFrame) -> dict[str, int]:
    """Failures per expectation (keyed by its first column), read from the frame GX validates."""
    expected = {f"{k}_lhs": checks.filter(pl.col(f"{k}_lhs") != pl.col(f"{k}_rhs")).height for k in ("a1", "a2", "a3", "r1")}
    expected["n1_min"] = checks.filter(pl.col("n1_min") < 0).height
    expected["n1_fraction_e4"] = checks.filter(pl.col("n1_fraction_e4") != 0).height
    return expected


def _consistent(run: SuiteRun, checks: pl.DataFrame) -> None:
    """GX's unexpected counts must equal the failures read back from the same frame."""
    for column, count in _expected_counts(checks).items():
        outcome = run.outcome(column)
        if outcome.exception:
            raise QualityError(f"statutory_rules: {outcome.expectation} raised: {outcome.exception}")
        if outcome.unexpected_count != count:
            raise QualityError(f"statutory_rules: GX flags {outcome.unexpected_count} rows on {column}, the frame {count}")


def _table_findings(findings: pl.DataFrame, run: SuiteRun) -> dict[str, TableFindings]:
    out = {}
    for table in CELL_TABLES:
        f = findings.filter(pl.col("table") == table)
        rules = [r for r in STATUTORY_RULES if RULE_TABLE.get(r, table) == table]
        expectations = sorted(set(f["expectation"].to_list()))
        out[table] = TableFindings(
            table=table,
            rules={r: f.filter(pl.col("rule") == r).height for r in rules},
            by_basis={b: f.filter(pl.col("basis") == b).height for b in ("printed", "repaired")},
            reports=f["report_id"].n_unique(),
            first_report_ids=f["report_id"].unique().sort().head(FIRST_IDS).to_list(),
            expectations_failed=[e for e in expectations if any(o.expectation == e and not o.success for o in run.outcomes)],
        )
    return out


STATUTORY_SUITE = "statutory_rules"
# A full validation goes this many reports at a time (~1.6M check sites): memory follows the
# part, not the lake. GX records one validation per part.
PART_REPORTS = 40_000
_RULE_KEYS = ("A1", "A2", "A3", "R1")


def _per_report(checks: pl.DataFrame) -> pl.DataFrame:
    """The statutory ledger's figures: check sites validated and checks a missing cell left unevaluable."""
    return checks.group_by("report_id").agg(
        pl.len().cast(pl.Int64).alias("check_sites"),
        *(
            (pl.col(f"{r.lower()}_lhs").is_null() & (pl.col("table") == RULE_TABLE[r]) & pl.col(f"{r.lower()}_basis").is_not_null())
            .sum()
            .cast(pl.Int64)
            .alias(f"unevaluable_{r}")
            for r in _RULE_KEYS
        ),
    )


def run_statutory(
    paths: DataPaths, validator: Validator | None = None, write: bool = True, docs: bool = True, full: bool = False
) -> StatutoryResult:
    """Validate the statutory_rules suite over silver, write silver.statutory_findings, build Data Docs.

    Incremental (transforms/ledger.py): GX validates the check sites of the reports silver
    loaded, re-parsed or dropped since the last run; their findings replace the earlier ones
    and every other report's stay as validated. `full`, or `write=False` (a look at silver
    that records nothing), validates every report.
    """
    import time

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    batch = plan(paths, STATUTORY_SUITE, full=full or not write)
    validator = validator or Validator(paths)  # the GX import (seconds) and an ephemeral context
    seconds["gx_setup"] = time.perf_counter() - t
    validated_at = datetime.now(UTC)
    runs, found, per_report = [], [], []
    checks_validated = 0
    for part in batch.parts(PART_REPORTS):
        t = time.perf_counter()
        checks = statutory_checks(paths, part)
        n1 = _n1_cells(paths, part)
        seconds["frames"] = seconds.get("frames", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        expected = _expected_counts(checks)
        run = validator.validate(
            STATUTORY_SUITE,
            "silver.statutory_checks",
            checks.select(GX_STATUTORY_COLUMNS),
            ("report_id", "table", "where"),
            complete=max(expected.values()) <= DOCS_ROWS,
        )
        seconds["gx"] = seconds.get("gx", 0.0) + time.perf_counter() - t
        _consistent(run, checks)
        n1_sites = n1.select("report_id", "table", "site").unique().height
        flagged_sites = checks.filter((pl.col("n1_min") < 0) | (pl.col("n1_fraction_e4") != 0)).height
        if n1_sites != flagged_sites:
            raise QualityError(f"statutory_rules: N1 flags {flagged_sites} sites, the cells {n1_sites}")
        runs.append(run)
        found.append(findings_from_checks(checks, n1, validated_at))
        per_report.append(_per_report(checks))
        checks_validated += checks.height
        del checks, n1  # the next part's frames take their place
    run = SuiteRun.combine(runs)
    findings = pl.concat(found)
    per_report = pl.concat(per_report)
    path = paths.silver_table(schemas.STATUTORY_FINDINGS.name)
    if not batch.full and delta.exists(path):
        earlier = delta.read(path, schemas.STATUTORY_FINDINGS).filter(~pl.col("report_id").is_in(batch.touched.implode()))
        findings = pl.concat([earlier, findings]).sort("report_id", "rule", "table", "where")
    version = None
    if write:
        t = time.perf_counter()
        # a night that touched nothing leaves the table at its version
        version = _overwrite(findings, path) if batch.full or batch.touched.len() or not delta.exists(path) else delta.version(path)
        ledger.write(paths, STATUTORY_SUITE, batch, per_report)
        totals = ledger.totals(paths, STATUTORY_SUITE)
        seconds["write"] = time.perf_counter() - t
    else:
        totals = ledger.sums(per_report)
    index = None
    if docs:
        t = time.perf_counter()
        index = validator.build_docs()
        seconds["data_docs"] = time.perf_counter() - t
    result = StatutoryResult(
        run=run,
        checks=totals.get("check_sites", 0),
        unevaluable={r: totals.get(f"unevaluable_{r}", 0) for r in _RULE_KEYS},
        findings=findings,
        tables=_table_findings(findings, run),
        data_docs=index,
        findings_version=version,
        versions=batch.versions,
        seconds=seconds,
        findings_validated_at=validated_at,
        batch=batch.describe(),
        checks_validated=checks_validated,
    )
    if write:
        save_summary(paths, result)
    return result


def summary_path(paths: DataPaths) -> Path:
    return paths.data_docs.parent / "statutory_rules.json"


def save_summary(paths: DataPaths, result: StatutoryResult) -> Path:
    """What the asset checks on the cell tables show, kept beside Data Docs as JSON."""
    import dataclasses
    import json

    payload = {
        "validated_at": result.findings_validated_at.isoformat() if result.findings_validated_at else None,
        "versions": result.versions,
        "checks": result.checks,
        "batch": result.batch,
        "checks_validated": result.checks_validated,
        "unevaluable": result.unevaluable,
        "data_docs": str(result.data_docs) if result.data_docs else None,
        "findings_version": result.findings_version,
        "expectations": [
            {"expectation": o.expectation, "rule": o.meta.get("rule"), "success": o.success, "unexpected_count": o.unexpected_count}
            for o in result.run.outcomes
        ],
        "tables": {t: dataclasses.asdict(f) for t, f in result.tables.items()},
        "seconds": result.seconds,
    }
    path = summary_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def load_summary(paths: DataPaths) -> dict[str, Any] | None:
    import json

    path = summary_path(paths)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _overwrite(frame: pl.DataFrame, path: Path) -> int | None:
    from deltalake import write_deltalake

    frame = delta.conform(frame, schemas.STATUTORY_FINDINGS)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_deltalake(str(path), frame.to_arrow(), mode="overwrite", schema_mode="overwrite")
    return delta.version(path)


# ---------------------------------------------------------------------------------------
# pipeline_integrity over bronze and silver
# ---------------------------------------------------------------------------------------
@dataclass
class IntegrityResult:
    """One integrity suite's run and what it found, per check."""

    run: SuiteRun
    problems: dict[str, list[str]]  # expectation check text -> first offending ids (report_ids or keys)
    frame: pl.DataFrame | None = None  # the validated frame, or only its offending rows
    batch: str = "all of silver"  # what the run validated (transforms/ledger.py)

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


def reports_frame(paths: DataPaths, batch: Batch | None = None) -> pl.DataFrame:
    return _scan(paths, schemas.REPORTS, ["report_id", "source", "parser_version", "status", "template"], batch).collect()


def documents_frame(paths: DataPaths, batch: Batch | None = None) -> pl.DataFrame:
    """Every bronze document and every silver report/quarantine id (of the batch), with where silver holds it."""
    bronze = (
        _scan(paths, schemas.BRONZE_DOCUMENTS, ["report_id", "source"], batch)
        .group_by("report_id")
        .agg(pl.col("source").min())
        .with_columns(in_bronze=pl.lit(True))
    )
    silver = (
        pl.concat(
            [
                _scan(paths, schemas.REPORTS, ["report_id"], batch).with_columns(held=pl.lit("reports")),
                _scan(paths, schemas.QUARANTINE, ["report_id"], batch).with_columns(held=pl.lit("quarantine")),
            ]
        )
        .group_by("report_id")
        .agg(disposition=pl.col("held").unique().sort().str.join("+"))
    )
    return (
        bronze.join(silver, on="report_id", how="full", coalesce=True)
        .with_columns(pl.col("in_bronze").fill_null(False))
        .sort("report_id")
        .collect()
    )


def _code_key() -> pl.Expr:
    """`applications.row:granted@2021`: a code with its table, kind and template, as one comparable value."""
    return pl.concat_str(
        "table", pl.lit("."), "kind", pl.lit(":"), "code", pl.lit("@"), pl.col("template").fill_null("?")
    ).alias("code_key")


def valid_code_keys(paths: DataPaths) -> list[str]:
    codes = _scan(paths, schemas.CODES, ["table", "kind", "code", "template"]).collect()
    return sorted(codes.select(_code_key()).to_series().to_list())


def _cell_groups(paths: DataPaths, batch: Batch) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The batch's cells, two ways: one row per report × cell table, and one per code in use.

    Per report (not per row or column) so that a full validation of 150,000 reports hands GX
    400,000 rows, not 4.5 million; the codes in use are grouped by the report's template on
    the way (a streaming join to the small reports frame), so no per-report code frame is held.
    """
    # a report_id silver holds twice is the reports suite's finding; here it must not double the cells
    templates = _scan(paths, schemas.REPORTS, ["report_id", "template"], batch).unique("report_id", keep="any")
    per_report, used = [], []
    for table, (_, outer, inner) in CELL_TABLES.items():
        cells = _cells(paths, table, batch)
        per_report.append(
            cells.group_by("report_id")
            .agg(
                cells=pl.len().cast(pl.Int64),
                printed_nulls=(pl.col("printed") & pl.col("value").is_null()).sum().cast(pl.Int64),
                unflagged_cells=pl.col("printed").null_count().cast(pl.Int64),
                # each cell's key hashed to one integer: counting distinct keys stays cheap
                duplicate_cells=(pl.len() - pl.struct("site", "term").hash().n_unique()).cast(pl.Int64),
            )
            .join(templates, on="report_id", how="left")
            .select("report_id", pl.lit(table).alias("table"), "template", "cells", "printed_nulls", "unflagged_cells", "duplicate_cells")
        )
        with_template = cells.select("report_id", "site", "term").join(templates, on="report_id", how="left")
        for column, kind in (("site", outer), ("term", inner)):
            used.append(
                with_template.group_by(pl.col(column).alias("code"), "template")
                .agg(cells=pl.len().cast(pl.Int64), first_report_id=pl.col("report_id").min())
                .select(pl.lit(table).alias("table"), pl.lit(kind).alias("kind"), "code", "template", "cells", "first_report_id")
            )
    collected = [q.collect(engine="streaming") for q in (*per_report, *used)]  # one at a time: bounded memory
    n = len(CELL_TABLES)
    codes = pl.concat(collected[n:]).with_columns(_code_key()).sort("code_key")
    return pl.concat(collected[:n]), codes


def _ids(frame: pl.DataFrame, condition: pl.Expr, column: str = "report_id") -> list[str]:
    return frame.filter(condition)[column].cast(pl.String).unique().sort().head(FIRST_IDS).to_list()


def _validate_with(
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
    return IntegrityResult(run, {check: _ids(frame, cond, column) for check, (cond, column) in conditions.items()}, frame)


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
    """What ledger `name`'s suites validate next (transforms/ledger.py)."""
    of = LEDGERS[name]
    return ledger.plan(paths, name, of.tables, full=full, stamp=",".join(suite_stamp(s) for s in of.suites))


def run_integrity_silver(
    paths: DataPaths, validator: Validator | None = None, docs: bool = True, full: bool = False
) -> dict[str, IntegrityResult]:
    """The four silver integrity suites. Each result says which expectation failed and for which reports.

    Each pair of suites checks the reports touched since its last passing run
    (transforms/ledger.py), or every report when `full`: `reports` and `documents` the ids
    bronze, silver reports or quarantine gained or lost (every copy of a touched report_id is
    read, so a duplicate cannot hide; a new bronze document is touched, so a lost one cannot
    either); the cell suites the reports whose cells changed.
    """
    validator = validator or Validator(paths)
    statuses = [s for s in model.STATUSES if s != "rejected"]
    templates = list(model.TEMPLATES)
    out: dict[str, IntegrityResult] = {}

    keys = plan(paths, KEYS_SUITES, full=full)
    out["reports"] = _validate_with(
        validator,
        "pipeline_integrity_reports",
        "silver.reports",
        reports_frame(paths, keys),
        {
            "every report has a report_id": (pl.col("report_id").is_null(), "source"),
            "report_id is unique in silver reports": (pl.col("report_id").is_duplicated(), "report_id"),
            "report_id is a sha256 in hex": (~pl.col("report_id").str.contains("^[0-9a-f]{64}$"), "report_id"),
            "parser_version is set": (pl.col("parser_version").is_null(), "report_id"),
            "parser_version is not empty": (pl.col("parser_version").str.len_chars() == 0, "report_id"),
            "status is one of the model's statuses for a parsed report": (~pl.col("status").is_in(statuses), "report_id"),
            "template is one of the model's templates": (~pl.col("template").is_in(templates), "report_id"),
            "every parsed report has a template": (pl.col("template").is_null(), "report_id"),
        },
        parameters={"report_statuses": statuses, "templates": templates},
    )
    out["documents"] = _validate_with(
        validator,
        "pipeline_integrity_documents",
        "bronze.documents",
        documents_frame(paths, keys),
        {
            "every bronze document is in silver reports or quarantine (nothing lost)": (pl.col("disposition").is_null(), "report_id"),
            "every silver report and quarantined document was landed in bronze": (~pl.col("in_bronze"), "report_id"),
        },
        index=("report_id", "source"),
    )
    out["reports"].batch = out["documents"].batch = keys.describe()
    if out["reports"].success and out["documents"].success:
        ledger.write(paths, KEYS_SUITES, keys, pl.DataFrame({"report_id": keys.changed}))
    batch = plan(paths, CELLS_SUITE, full=full)
    cells, codes = _cell_groups(paths, batch)
    valid = valid_code_keys(paths)
    result = _validate_with(
        validator,
        "pipeline_integrity_codes",
        "silver.cell_codes",
        codes,
        {"every code belongs to the model and to the report's template": (~pl.col("code_key").is_in(valid), "code_key")},
        index=("code_key", "first_report_id"),
        parameters={"valid_code_keys": valid},
    )
    result.frame = codes.filter(~pl.col("code_key").is_in(valid))  # only the offending codes
    out["codes"] = result
    out["cells"] = _validate_with(
        validator,
        CELLS_SUITE,
        "silver.cells_per_report",
        cells,
        {
            "printed cells are never null": (pl.col("printed_nulls") > 0, "report_id"),
            "every cell says whether it was printed": (pl.col("unflagged_cells") > 0, "report_id"),
            "each cell is stored once": (pl.col("duplicate_cells") > 0, "report_id"),
            "every cell belongs to a report in silver reports": (pl.col("template").is_null(), "report_id"),
        },
        index=("report_id", "table"),
    )
    out["cells"].batch = out["codes"].batch = batch.describe()
    if out["cells"].success and out["codes"].success:
        # a failing batch stays unrecorded, so the next run validates it again
        figures = cells.filter(pl.col("template").is_not_null()).pivot("table", index="report_id", values="cells")
        ledger.write(paths, CELLS_SUITE, batch, figures.rename({t: f"cells_{t}" for t in CELL_TABLES if t in figures.columns}))
    if docs:
        validator.build_docs()
    return out


def cell_table_problems(results: dict[str, IntegrityResult], table: str) -> dict[str, Any]:
    """What the cell-integrity suites found in one cell table: counts and first report_ids."""
    bad_codes = results["codes"].frame.filter(pl.col("table") == table)
    cells = results["cells"].frame.filter(pl.col("table") == table)
    conditions = {
        "printed cells are never null": pl.col("printed_nulls") > 0,
        "every cell says whether it was printed": pl.col("unflagged_cells") > 0,
        "each cell is stored once": pl.col("duplicate_cells") > 0,
        "every cell belongs to a report in silver reports": pl.col("template").is_null(),
    }
    out: dict[str, Any] = {
        check: {"reports": cells.filter(cond).height, "first_report_ids": _ids(cells, cond)} for check, cond in conditions.items()
    }
    out["every code belongs to the model and to the report's template"] = {
        "codes": bad_codes["code_key"].to_list(),
        "cells": int(bad_codes["cells"].sum()),
    }
    return out


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
