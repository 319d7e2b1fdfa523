"""The statutory_rules suite: the statutory consistency rules (A1–A3, R1, N1) checked by GX on silver.

The arithmetic is done here, in polars, straight from the silver *cells*, written apart from the
parser's rule code (transforms/parser/rules.py) and never reading `rule_results`: that is what lets the
suites disagree with the parser. Each frame GX validates holds the two sides of every check
(`a1_lhs`, `a1_rhs`, ...), and the suite in expectations/ compares them; failures per report are
read back from the very frame GX validated, and their count must equal GX's own count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from transforms.lake import delta, schemas
from transforms.lake.settings import DataPaths
from transforms.parser import model
from transforms.quality import ledger
from transforms.quality.gx import SuiteRun, Validator
from transforms.quality.ledger import Batch
from transforms.quality.suites import (
    CELL_TABLES,
    DOCS_ROWS,
    FIRST_IDS,
    RULE_TABLE,
    STATUTORY_RULES,
    STATUTORY_SUITE,
    QualityError,
    cell_frame,
    plan,
    scan,
)  # fmt: skip


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
    # A2's terms are 表三's own rows: the edition of its row list, which a 2021 report may keep from 2019
    templates = scan(paths, schemas.REPORTS, ["report_id", "template", "applications_template"], batch).select(
        "report_id", pl.coalesce("applications_template", "template").alias("template")
    )
    app = cell_frame(paths, "applications", batch)
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
        cell_frame(paths, "review_litigation", batch)
        .with_columns(_rule_inputs("R1"))
        .group_by("report_id", "site")
        .agg(*_rule_aggs("R1"), *_n1_aggs("review_litigation"))
        .select("report_id", pl.lit("review_litigation").alias("table"), pl.col("site").alias("where"), *_rule_columns("R1"), "n1_min", "n1_fraction_e4"),
        cell_frame(paths, "active_disclosure", batch)
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
        cells = cell_frame(paths, table, batch)
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
    batch: str = ""  # what this run validated (transforms/quality/ledger.py)
    checks_validated: int = 0  # check sites GX validated this run (`checks` counts all of silver)


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

    Incremental (transforms/quality/ledger.py): GX validates the check sites of the reports silver
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
