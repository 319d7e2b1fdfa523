"""Asset keys the quality checks attach to (owned by ingest, dbt and this folder)."""

import dagster as dg

from transforms.quality import suites

BRONZE_DOCUMENTS = dg.AssetKey(["bronze", "documents"])
REPORTS = dg.AssetKey(["silver", "reports"])
QUARANTINE = dg.AssetKey(["silver", "quarantine"])
CODES = dg.AssetKey(["silver", "codes"])
CELL_ASSETS = {table: dg.AssetKey(["silver", spec.name]) for table, (spec, _, _) in suites.CELL_TABLES.items()}
STATUTORY_FINDINGS = dg.AssetKey(["silver", "statutory_findings"])
OUTCOME_RATES = dg.AssetKey(["marts", "outcome_rates"])
REPORT_OUTCOMES = dg.AssetKey(["marts", "report_outcomes"])
