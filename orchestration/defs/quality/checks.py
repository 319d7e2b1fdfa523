"""The GX suites as asset checks.

- `statutory_rules` on each silver cell table: never blocking (real reports break the rules);
  the count of failed checks, the failing reports and a link to Data Docs.
- `pipeline_integrity_*` on silver and on the marts: blocking. A failure stops every asset
  downstream in the run (the dbt marts, then `published_warehouse`), so analysts keep the last
  good database, and the run fails with the checks' explanation.
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from orchestration.defs.quality.keys import (
    BRONZE_DOCUMENTS,
    CELL_ASSETS,
    CODES,
    OUTCOME_RATES,
    QUARANTINE,
    REPORT_OUTCOMES,
    REPORTS,
    STATUTORY_FINDINGS,
)
from orchestration.defs.resources import DataPathsResource
from transforms.lake.settings import DATA_DOCS_PAGE, FINDINGS_PAGE, DataPaths, docs_url
from transforms.quality import data_docs, mart_integrity, silver_integrity, statutory, suites
from transforms.quality.gx import Validator


def _docs(paths: DataPaths) -> dict[str, dg.MetadataValue]:
    index = paths.data_docs / "index.html"
    return {
        "data_docs": dg.MetadataValue.path(str(index)),
        "data_docs_url": dg.MetadataValue.url(docs_url(DATA_DOCS_PAGE)),
        "open_findings_url": dg.MetadataValue.url(docs_url(FINDINGS_PAGE)),
    }


def _suite_metadata(result: suites.IntegrityResult) -> dict[str, object]:
    run = result.run
    return {
        "rows_validated": run.row_count,
        "validated": result.batch,
        "expectations": len(run.outcomes),
        "expectations_failed": len(run.failed),
        "unexpected_rows": sum(o.unexpected_count or 0 for o in run.failed),
        "failed": dg.MetadataValue.json(
            {o.check: {"unexpected_rows": o.unexpected_count, "first": result.problems.get(o.check, []), "error": o.exception} for o in run.failed}
        ),
        "why": dg.MetadataValue.md(result.explain().replace("\n- ", "\n\n- ")),
    }


def _integrity_result(
    context: dg.AssetCheckExecutionContext, name: str, asset: dg.AssetKey, result: suites.IntegrityResult, paths: DataPaths, **extra: object
) -> dg.AssetCheckResult:
    if not result.success:
        context.log.error(f"{asset.to_user_string()}: {result.explain()}")
    return dg.AssetCheckResult(
        check_name=name,
        asset_key=asset,
        passed=result.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if result.success else result.explain(),
        metadata={**_suite_metadata(result), **extra, **_docs(paths)},
    )


# ---------------------------------------------------------------------------------------
# statutory_rules (not blocking)
# ---------------------------------------------------------------------------------------
@dg.multi_asset_check(
    name="statutory_rules_checks",
    specs=[
        dg.AssetCheckSpec(
            "statutory_rules",
            asset=key,
            additional_deps=[STATUTORY_FINDINGS],
            blocking=False,
            description=f"GX statutory_rules suite on the {table} cells ({', '.join(r for r in suites.STATUTORY_RULES if suites.RULE_TABLE.get(r, table) == table)}), "
            "on printed values, with checks over repaired cells counted apart. Warns; never blocks.",
        )
        for table, key in CELL_ASSETS.items()
    ],
)
def statutory_rules_checks(context: dg.AssetCheckExecutionContext, paths: DataPathsResource) -> Iterator[dg.AssetCheckResult]:
    p = paths.get()
    summary = statutory.load_summary(p)
    current = suites.table_versions(p, summary["versions"]) if summary else None
    if summary is None or current != summary["versions"]:
        # silver changed since statutory_findings was written (or it never was): validate afresh
        context.log.info("statutory_rules: no validation of the current silver tables yet; running the suite")
        result = statutory.run_statutory(p, write=False)
        summary = {
            "tables": {t: vars(f) for t, f in result.tables.items()},
            "unevaluable": result.unevaluable,
            "checks": result.checks,
            "expectations": [{"expectation": o.expectation, "rule": o.meta.get("rule"), "success": o.success, "unexpected_count": o.unexpected_count} for o in result.run.outcomes],
        }
        open_findings = data_docs.with_reports(p, result.findings)
    else:
        open_findings = data_docs.open_findings(p)
    for table, key in CELL_ASSETS.items():
        found = summary["tables"][table]
        failed = sum(found["rules"].values())
        here = open_findings.filter(pl.col("table") == table) if open_findings.height else open_findings
        bodies = sorted({f"{b or '(未识别机关)'} {y}" for b, y in here.select("body", "year").iter_rows()}) if here.height else []
        yield dg.AssetCheckResult(
            check_name="statutory_rules",
            asset_key=key,
            passed=failed == 0,
            severity=dg.AssetCheckSeverity.WARN,
            description=None
            if failed == 0
            else f"{failed} failed checks in {found['reports']} reports ({', '.join(f'{r} {n}' for r, n in found['rules'].items() if n)}): "
            + "、".join(bodies[:10])
            + (" …" if len(bodies) > 10 else ""),
            metadata={
                "unexpected_rows": failed,
                **{f"failed/{rule}": n for rule, n in found["rules"].items()},
                "failed_on_printed_values": found["by_basis"]["printed"],
                "failed_after_repair": found["by_basis"]["repaired"],
                "reports_failing": found["reports"],
                "first_report_ids": dg.MetadataValue.json(found["first_report_ids"]),
                "failing_reports": dg.MetadataValue.md(data_docs.findings_markdown(here) if here.height else "_none_"),
                "expectations_failed": dg.MetadataValue.json(found["expectations_failed"]),
                "unevaluable_checks": dg.MetadataValue.json(
                    {r: n for r, n in summary["unevaluable"].items() if suites.RULE_TABLE[r] == table}
                ),
                **_docs(p),
            },
        )


# ---------------------------------------------------------------------------------------
# pipeline_integrity over bronze and silver (blocking)
# ---------------------------------------------------------------------------------------
@dg.multi_asset_check(
    name="pipeline_integrity_silver",
    specs=[
        dg.AssetCheckSpec(
            "pipeline_integrity_reports",
            asset=REPORTS,
            blocking=True,
            description="report_id present, unique and a sha256; parser_version set; status and template from the model.",
        ),
        dg.AssetCheckSpec(
            "pipeline_integrity_documents",
            asset=REPORTS,
            additional_deps=[BRONZE_DOCUMENTS, QUARANTINE],
            blocking=True,
            description="Nothing lost: every bronze document is in silver reports or quarantine, and silver holds nothing bronze never landed.",
        ),
        *(
            dg.AssetCheckSpec(
                "pipeline_integrity_cells",
                asset=key,
                additional_deps=[REPORTS, CODES],
                blocking=True,
                description="Every code belongs to the model and the report's template (joined to silver codes); "
                "printed cells are never null; each cell stored once and belonging to a report in silver.",
            )
            for key in CELL_ASSETS.values()
        ),
    ],
)
def pipeline_integrity_silver(context: dg.AssetCheckExecutionContext, paths: DataPathsResource) -> Iterator[dg.AssetCheckResult]:
    p = paths.get()
    results = silver_integrity.run_integrity_silver(p)
    yield _integrity_result(context, "pipeline_integrity_reports", REPORTS, results["reports"], p)
    yield _integrity_result(context, "pipeline_integrity_documents", REPORTS, results["documents"], p)
    for table, key in CELL_ASSETS.items():
        problems = silver_integrity.cell_table_problems(results, table)
        bad = {check: v for check, v in problems.items() if v.get("reports") or v.get("codes")}
        passed = not bad
        if not passed:
            context.log.error(f"{key.to_user_string()}: {bad}")
        yield dg.AssetCheckResult(
            check_name="pipeline_integrity_cells",
            asset_key=key,
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=None if passed else "; ".join(f"{check}: {v}" for check, v in bad.items()),
            metadata={
                "unexpected_rows": sum(v.get("reports", 0) + v.get("cells", 0) for v in bad.values()),
                "failed": dg.MetadataValue.json(bad),
                "validated": results["cells"].batch,
                "codes_validated": results["codes"].run.row_count,
                "report_tables_validated": results["cells"].run.row_count,
                **_docs(p),
            },
        )


# ---------------------------------------------------------------------------------------
# pipeline_integrity over the marts (blocking: they gate published_warehouse)
# ---------------------------------------------------------------------------------------
@dg.multi_asset_check(
    name="pipeline_integrity_marts",
    specs=[
        dg.AssetCheckSpec(
            "pipeline_integrity_mart_rates", asset=OUTCOME_RATES, blocking=True, description="Every rate within [0, 1] or NULL."
        ),
        dg.AssetCheckSpec(
            "pipeline_integrity_mart_rates", asset=REPORT_OUTCOMES, blocking=True, description="Every rate within [0, 1] or NULL."
        ),
        dg.AssetCheckSpec(
            "pipeline_integrity_mart_rollup",
            asset=OUTCOME_RATES,
            additional_deps=[REPORT_OUTCOMES],
            blocking=True,
            description="report_outcomes summed per jurisdiction × year equals outcome_rates, measure by measure.",
        ),
    ],
    # reads the build database: never while dbt or publishing holds it
    pool="duckdb_build",
)
def pipeline_integrity_marts(context: dg.AssetCheckExecutionContext, paths: DataPathsResource) -> Iterator[dg.AssetCheckResult]:
    p = paths.get()
    results = mart_integrity.run_integrity_marts(p, validator=Validator(p))
    yield _integrity_result(context, "pipeline_integrity_mart_rates", OUTCOME_RATES, results["rates:outcome_rates"], p)
    yield _integrity_result(context, "pipeline_integrity_mart_rates", REPORT_OUTCOMES, results["rates:report_outcomes"], p)
    yield _integrity_result(context, "pipeline_integrity_mart_rollup", OUTCOME_RATES, results["rollup"], p)
