"""silver.statutory_findings: the statutory_rules suite's verdicts per report, for the report_quality mart."""

import dagster as dg

from orchestration.defs.quality.keys import CELL_ASSETS, REPORTS, STATUTORY_FINDINGS
from orchestration.defs.resources import OWNERS, DataPathsResource
from transforms.lake import schemas
from transforms.lake.settings import DATA_DOCS_PAGE, FINDINGS_PAGE, docs_url
from transforms.quality import data_docs, statutory, suites


@dg.asset(
    key=STATUTORY_FINDINGS,
    deps=[REPORTS, *CELL_ASSETS.values()],
    group_name="quality",
    owners=OWNERS,
    kinds={"great_expectations", "delta", "polars"},
    description=(
        "Runs the GX statutory_rules suite (A1 A2 A3 R1 N1) over the silver cells, apart from the "
        "parser's own verdicts, and keeps one row per report and failed check. Incremental: only the "
        "reports loaded, re-parsed or removed since the last run are validated again. Real reports break "
        "these rules: failures are data, not errors, so this asset succeeds and nothing is blocked. "
        "The checks named statutory_rules on the cell tables show the counts and the failing reports."
    ),
    metadata={"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(c, str(t)) for c, t in schemas.STATUTORY_FINDINGS.schema.items()])},
)
def statutory_findings(context: dg.AssetExecutionContext, paths: DataPathsResource) -> dg.MaterializeResult:
    p = paths.get()
    result = statutory.run_statutory(p)
    findings = result.findings
    context.log.info(
        f"statutory_rules, {result.batch}: {result.checks_validated} check sites validated this run; over all of silver "
        f"{findings.height} failed checks in {findings['report_id'].n_unique()} reports; Data Docs: {result.data_docs}"
    )
    by_rule = {r: findings.filter(findings["rule"] == r).height for r in suites.STATUTORY_RULES}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": findings.height,
            "delta_version": result.findings_version,
            "reports_with_findings": findings["report_id"].n_unique(),
            "preview": dg.MetadataValue.md(
                data_docs.findings_markdown(data_docs.with_reports(p, findings), limit=10) if findings.height else "_no open findings_"
            ),
            **{f"failed/{rule}": n for rule, n in by_rule.items()},
            "failed_on_printed_values": findings.filter(findings["basis"] == "printed").height,
            "failed_after_repair": findings.filter(findings["basis"] == "repaired").height,
            "unevaluable_checks": dg.MetadataValue.json(result.unevaluable),
            "validated": result.batch,
            "check_sites_validated": result.checks_validated,
            "check_sites_in_silver": result.checks,
            "data_docs": dg.MetadataValue.path(str(result.data_docs)),
            "data_docs_url": dg.MetadataValue.url(docs_url(DATA_DOCS_PAGE)),
            "open_findings_url": dg.MetadataValue.url(docs_url(FINDINGS_PAGE)),
            "seconds": dg.MetadataValue.json({k: round(v, 2) for k, v in result.seconds.items()}),
        }
    )
