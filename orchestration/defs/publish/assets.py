"""The analysts' database: the finished dbt build, swapped in atomically after a green run."""


import dagster as dg

from orchestration.defs.resources import OWNERS, DataPathsResource
from transforms.lake import dbt_docs as dbt_docs_pages
from transforms.lake.publish import publish
from transforms.lake.settings import DBT_DOCS_PAGE, docs_url

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
    owners=OWNERS,
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


@dg.asset(
    key=dg.AssetKey("dbt_docs"),
    deps=[PUBLISHED_WAREHOUSE],
    group_name="publish",
    owners=OWNERS,
    kinds={"dbt"},
    # dbt docs generate opens the build database for its catalog.
    pool="duckdb_build",
    description=(
        "dbt docs for this data directory (docs/dbt/static_index.html): models, columns, lineage and "
        "the project's overview; served by `ogi docs` (and `ogi ui`). Regenerated only when the dbt "
        "project changed since the last page, so a nightly load does not pay for it."
    ),
)
def dbt_docs(context: dg.AssetExecutionContext, paths: DataPathsResource) -> dg.MaterializeResult:
    p = paths.get()
    page = dbt_docs_pages.generate(p)
    context.log.info(f"dbt docs {'written to ' + str(page) if page else 'unchanged (the dbt project did not change)'}")
    return dg.MaterializeResult(
        metadata={
            "regenerated": page is not None,
            "path": dg.MetadataValue.path(str(dbt_docs_pages.docs_dir(p) / dbt_docs_pages.PAGE)),
            "url": dg.MetadataValue.url(docs_url(DBT_DOCS_PAGE)),
        }
    )
