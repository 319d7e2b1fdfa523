"""The pipeline_integrity suites over bronze and silver: every document accounted for, every
report once, every cell's code in the model and the report's template."""

from __future__ import annotations

from typing import Any

import polars as pl

from transforms.lake import schemas
from transforms.lake.settings import DataPaths
from transforms.parser import model
from transforms.quality import ledger
from transforms.quality.gx import Validator
from transforms.quality.ledger import Batch
from transforms.quality.suites import (
    CELL_TABLES,
    CELLS_SUITE,
    KEYS_SUITES,
    IntegrityResult,
    cell_frame,
    first_ids,
    plan,
    scan,
    validate_with,
)  # fmt: skip


def reports_frame(paths: DataPaths, batch: Batch | None = None) -> pl.DataFrame:
    return scan(paths, schemas.REPORTS, ["report_id", "source", "parser_version", "status", "template"], batch).collect()


def documents_frame(paths: DataPaths, batch: Batch | None = None) -> pl.DataFrame:
    """Every bronze document and every silver report/quarantine id (of the batch), with where silver holds it."""
    bronze = (
        scan(paths, schemas.BRONZE_DOCUMENTS, ["report_id", "source"], batch)
        .group_by("report_id")
        .agg(pl.col("source").min())
        .with_columns(in_bronze=pl.lit(True))
    )
    silver = (
        pl.concat(
            [
                scan(paths, schemas.REPORTS, ["report_id"], batch).with_columns(held=pl.lit("reports")),
                scan(paths, schemas.QUARANTINE, ["report_id"], batch).with_columns(held=pl.lit("quarantine")),
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
    codes = scan(paths, schemas.CODES, ["table", "kind", "code", "template"]).collect()
    return sorted(codes.select(_code_key()).to_series().to_list())


def _cell_groups(paths: DataPaths, batch: Batch) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The batch's cells, two ways: one row per report × cell table, and one per code in use.

    Per report (not per row or column) so that a full validation of 150,000 reports hands GX
    400,000 rows, not 4.5 million; the codes in use are grouped by the report's template on
    the way (a streaming join to the small reports frame), so no per-report code frame is held.
    """
    # a report_id silver holds twice is the reports suite's finding; here it must not double the cells
    reports = scan(paths, schemas.REPORTS, ["report_id", "template", "applications_template"], batch).unique(
        "report_id", keep="any"
    )
    per_report, used = [], []
    for table, (_, outer, inner) in CELL_TABLES.items():
        # 表三's codes belong to the edition of its own row list (a 2021 report may print 2019's)
        edition = "applications_template" if table == "applications" else "template"
        templates = reports.select("report_id", pl.coalesce(edition, "template").alias("template"))
        cells = cell_frame(paths, table, batch)
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


def run_integrity_silver(
    paths: DataPaths, validator: Validator | None = None, docs: bool = True, full: bool = False
) -> dict[str, IntegrityResult]:
    """The four silver integrity suites. Each result says which expectation failed and for which reports.

    Each pair of suites checks the reports touched since its last passing run
    (transforms/quality/ledger.py), or every report when `full`: `reports` and `documents` the ids
    bronze, silver reports or quarantine gained or lost (every copy of a touched report_id is
    read, so a duplicate cannot hide; a new bronze document is touched, so a lost one cannot
    either); the cell suites the reports whose cells changed.
    """
    validator = validator or Validator(paths)
    statuses = [s for s in model.STATUSES if s != "rejected"]
    templates = list(model.TEMPLATES)
    out: dict[str, IntegrityResult] = {}

    keys = plan(paths, KEYS_SUITES, full=full)
    out["reports"] = validate_with(
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
    out["documents"] = validate_with(
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
    result = validate_with(
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
    out["cells"] = validate_with(
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
        check: {"reports": cells.filter(cond).height, "first_report_ids": first_ids(cells, cond)} for check, cond in conditions.items()
    }
    out["every code belongs to the model and to the report's template"] = {
        "codes": bad_codes["code_key"].to_list(),
        "cells": int(bad_codes["cells"].sum()),
    }
    return out
