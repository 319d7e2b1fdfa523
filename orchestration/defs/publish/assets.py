"""The analysts' database: the finished dbt build, swapped in atomically after a green run."""


import dagster as dg

from orchestration.defs.resources import DataPathsResource
from transforms.lake.publish import publish

# The marts analysts query; publishing waits for all of them (and their blocking checks).
MARTS = (
    "outcome_rates",
    "report_outcomes",
    "applicant_mix",
    "review_litigation",
    "active_disclosure",
    "report_quality",
    "dim_jurisdiction",
)
MART_KEYS = [dg.AssetKey(["marts", name]) for name in MARTS]
PUBLISHED_WAREHOUSE = dg.AssetKey("published_warehouse")


@dg.asset(
    key=PUBLISHED_WAREHOUSE,
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb"},
    # Reads the build database: never while dbt writes it.
    pool="duckdb_build",
    description=(
        "data/warehouse/ogi.duckdb, the file analysts open read-only (DuckDB CLI, Python, "
        "DBeaver, `ogi sql`). Replaced atomically by a checked copy of the dbt build, only "
        "once the build, its dbt tests and the blocking quality checks have passed; a reader "
        "holding the old file keeps it, complete."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, paths: DataPathsResource) -> dg.MaterializeResult:
    p = paths.get()
    result = publish(
        p.build_database,
        p.published_database,
        required_tables=[f"marts.{name}" for name in MARTS],
    )
    context.log.info(f"published {result.path} ({result.size_bytes / 1e6:.1f} MB)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "size_mb": round(result.size_bytes / 1e6, 2),
            "dagster/row_count": result.row_counts.get("marts.outcome_rates", 0),
            **{f"rows/{name}": count for name, count in result.row_counts.items()},
        }
    )
