"""`ogi status`: what the data directory holds: tables, versions, statuses, quarantine, backlog."""

from __future__ import annotations

import argparse

from transforms.lake.settings import DataPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "status",
        help="rows and Delta versions per table, reports by status, the quarantine list, files waiting in raw/",
    )
    p.add_argument("--data-dir", help="data directory (default: $OGI_DATA_DIR or the repository's data/)")
    p.add_argument("--quarantine", type=int, default=20, metavar="N", help="list at most N quarantined files (default 20)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Imported here: polars and pyarrow take a second to load, and every `ogi` command
    # (`ogi parse` too) builds this module's parser.
    from transforms.lake import bronze, delta, schemas

    paths = DataPaths.from_env(args.data_dir)
    print(f"data directory {paths.root}")
    waiting = bronze.unlanded(paths)
    print(f"raw/: {len(bronze.scan_raw(paths.raw))} files, {len(waiting)} not landed yet")
    print(f"{'table':<34}{'rows':>12}{'version':>9}")
    for spec in (schemas.BRONZE_DOCUMENTS, *schemas.SILVER_TABLES):
        path = paths.bronze_table(spec.name) if spec.layer == "bronze" else paths.silver_table(spec.name)
        v = delta.version(path)
        shown = "-" if v is None else str(v)
        print(f"{spec.layer + '.' + spec.name:<34}{delta.row_count(path):>12,}{shown:>9}")
    reports = paths.silver_table(schemas.REPORTS.name)
    if delta.exists(reports):
        by = (
            delta.scan(reports)
            .group_by("parser_version", "status")
            .len()
            .sort("parser_version", "status")
            .collect()
        )
        print("reports by parser version and status:")
        for version, status, n in by.iter_rows():
            print(f"  {version:<20}{status:<12}{n:>10,}")
    quarantine = paths.silver_table(schemas.QUARANTINE.name)
    if delta.exists(quarantine):
        held = delta.read(quarantine, schemas.QUARANTINE).sort("quarantined_at", descending=True)
        print(f"quarantine: {held.height} documents" + (" (most recent first)" if held.height else ""))
        for source, stage, error in held.select("source", "stage", "error").head(args.quarantine).iter_rows():
            print(f"  {source}  [{stage}]  {error}")
        if held.height > args.quarantine:
            print(f"  ... and {held.height - args.quarantine} more (--quarantine N)")
    if delta.exists(reports):
        _quality(paths)
    if paths.published_database.exists():
        print(f"analysts' database: {paths.published_database}")
    return 0


def _quality(paths: DataPaths) -> None:
    """How far each incremental suite has got: what it validated, what the next run will."""
    from transforms.quality import ledger, suites

    print("quality suites (validated so far; the next run validates what changed since):")
    for suite in suites.LEDGERS:
        held = ledger.read(paths, suite)
        if held is None:
            print(f"  {suite:<38}never run: the next run validates every report")
            continue
        batch = suites.plan(paths, suite)
        upcoming = f"every report ({batch.reason})" if batch.full else f"{batch.touched.len():,} reports"
        print(f"  {suite:<38}{held[0].height:>8,} reports validated; next run: {upcoming}")
