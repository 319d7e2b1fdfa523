"""Silver Delta tables written straight from report exports, for dbt and publishing tests.

The marts only read silver, so their tests do not need the parser or the pipeline: they
need silver tables with exactly the schemas of `transforms/lake/schemas.py`. This module
builds them from report dicts in the JSON export format of the spec (the seeds'
`*.expected.json` are such dicts), plus optional `repairs` and `violations` lists, and
writes them with polars the way the pipeline does (real Delta tables).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from transforms.lake import schemas, silver
from transforms.lake.settings import DataPaths
from transforms.lake.silver import divisions_frame

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
PARSER_VERSION = "fixture"
_NOW = datetime(2026, 11, 1, tzinfo=UTC)


def seed_exports() -> list[dict[str, Any]]:
    """The five seeds' expected exports, each with the report_id of its raw bytes."""
    exports = []
    for expected in sorted(SEEDS.glob("*.expected.json")):
        export = json.loads(expected.read_text(encoding="utf-8"))
        raw = expected.with_name(expected.name.replace(".expected.json", ".txt"))
        export["report_id"] = hashlib.sha256(raw.read_bytes()).hexdigest()
        exports.append(export)
    return exports


def _cells(export: Mapping[str, Any], table: str, outer: str, inner: str) -> list[dict[str, Any]]:
    repaired = {
        (r["row"], r["column"]): tuple(r.get("rules", ()))
        for r in export.get("repairs", ())
        if r.get("table") == table
    }
    out = []
    for a, inner_map in export.get(table, {}).items():
        for b, value in inner_map.items():
            rules = repaired.get((a, b), ())
            if table == "active_disclosure":
                value = None if value is None else Decimal(str(value))
            out.append(
                {
                    "report_id": export["report_id"],
                    outer: a,
                    inner: b,
                    "value": value,
                    "printed": not rules and value is not None,
                    "repair_rules": list(rules),
                }
            )
    return out


def frames(
    exports: Iterable[Mapping[str, Any]],
    quarantine: Iterable[Mapping[str, Any]] = (),
) -> dict[str, pl.DataFrame]:
    """Every silver table for these exports (rejected ones go to quarantine, as in the pipeline)."""
    reports, app, rev, dis, rules, quar = [], [], [], [], [], list(quarantine)
    for e in exports:
        if e["status"] == "rejected":
            quar.append({"report_id": e["report_id"], "source": e.get("source"), "error": e.get("error")})
            continue
        published = e.get("published_on")
        reports.append(
            {
                "report_id": e["report_id"],
                "source": e.get("source"),
                "parser_version": PARSER_VERSION,
                "status": e["status"],
                "error": e.get("error"),
                "year": e.get("year"),
                "template": e.get("template"),
                "body": e.get("body"),
                "jurisdiction": e.get("jurisdiction"),
                "parent_jurisdictions": list(e.get("parent_jurisdictions") or []),
                "admin_code": e.get("admin_code"),
                "published_on": date.fromisoformat(published) if published else None,
                "layout": e.get("layout"),
                "encoding": e.get("encoding"),
                "parsed_at": _NOW,
            }
        )
        app += _cells(e, "applications", "row", "column")
        rev += _cells(e, "review_litigation", "group", "column")
        dis += _cells(e, "active_disclosure", "item", "measure")
        for v in e.get("violations", ()):
            rules.append(
                {
                    "report_id": e["report_id"],
                    "rule": v["rule"],
                    "table": v["table"],
                    "where": v["where"],
                    "lhs": None if v.get("lhs") is None else Decimal(str(v["lhs"])),
                    "rhs": None if v.get("rhs") is None else Decimal(str(v["rhs"])),
                    "held": False,
                    "basis": v.get("basis", "printed"),
                }
            )
    quarantine_rows = [
        {
            "report_id": q["report_id"],
            "source": q.get("source"),
            "parser_version": PARSER_VERSION,
            "stage": q.get("stage", "parse"),
            "error": q.get("error"),
            "quarantined_at": _NOW,
        }
        for q in quar
    ]

    def frame(spec: schemas.TableSpec, rows: list[dict[str, Any]]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema=spec.polars_schema)

    return {
        "reports": frame(schemas.REPORTS, reports),
        "application_cells": frame(schemas.APPLICATION_CELLS, app),
        "review_litigation_cells": frame(schemas.REVIEW_LITIGATION_CELLS, rev),
        "active_disclosure_cells": frame(schemas.ACTIVE_DISCLOSURE_CELLS, dis),
        "rule_results": frame(schemas.RULE_RESULTS, rules),
        "quarantine": frame(schemas.QUARANTINE, quarantine_rows),
        # The reference tables exactly as the pipeline writes them.
        "codes": silver.codes_frame(),
        "divisions": divisions_frame(),
    }


def write_silver(
    paths: DataPaths,
    exports: Iterable[Mapping[str, Any]],
    quarantine: Iterable[Mapping[str, Any]] = (),
    findings: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Write every silver table (overwriting) and return the frames written."""
    tables = frames(exports, quarantine)
    if findings is not None:
        tables["statutory_findings"] = findings.cast(schemas.STATUTORY_FINDINGS.polars_schema)
    for name, df in tables.items():
        df.write_delta(str(paths.silver_table(name)), mode="overwrite")
    return tables


DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def dbt_env(paths: DataPaths) -> dict[str, str]:
    """The environment the real dbt CLI runs in against the data directory `paths`."""
    import os

    return {
        **os.environ,
        "OGI_DATA_DIR": str(paths.root),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # Each data directory its own target and log folders: tests run in parallel workers.
        "DBT_TARGET_PATH": str(paths.root / "dbt_target"),
        "DBT_LOG_PATH": str(paths.root / "dbt_logs"),
    }


def dbt_command(*args: str) -> list[str]:
    """The venv's dbt CLI on the project, with `args` (e.g. "build")."""
    import sys

    dbt = Path(sys.executable).parent / "dbt"
    return [str(dbt), *args, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT)]


def run_dbt(paths: DataPaths, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real dbt CLI of the venv on the project, against the data directory `paths`."""
    paths.build_database.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        dbt_command(*args),
        env=dbt_env(paths),
        capture_output=True,
        text=True,
        timeout=600,
    )
