"""The main job, the nightly schedule and the sensor on the landing folder."""

import dagster as dg

from orchestration.defs.resources import DataPathsResource
from transforms.lake import bronze, silver

load_job = dg.define_asset_job(
    "load_job",
    selection=dg.AssetSelection.all(),
    description="The whole graph: raw -> bronze -> silver -> marts, with every check; publishes when green.",
)

# Workers sharing a large load: land once (load_job or bronze/documents alone), then run
# parse_job N times with `ops: {parsed_reports: {config: {shard: "i/N"}}}` (any executor,
# any machines sharing the lake), then load_job: its parse step finds nothing left to do.
parse_job = dg.define_asset_job(
    "parse_job",
    # no checks: "nothing lost" fails by design until every shard is in; load_job checks the whole
    selection=dg.AssetSelection.assets(*(dg.AssetKey(["silver", spec.name]) for spec in silver.PARSED_TABLES)).without_checks(),
    description="Parses one shard of the landed documents into silver (run config `shard: i/N`), so N workers share a load.",
)

nightly_load = dg.ScheduleDefinition(
    name="nightly_load",
    job=load_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Loads whatever landed during the day, at 02:00 Beijing time.",
)


_ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dg.sensor(
    name="raw_arrivals",
    job=load_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a load when new or changed files appear in raw/. The cursor is a digest of the "
    "folder listing (path, size, mtime), so an unchanged folder never triggers twice.",
)
def raw_arrivals(context: dg.SensorEvaluationContext, paths: DataPathsResource):
    active = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=load_job.name, statuses=_ACTIVE), limit=1
    )
    if active:
        # the cursor stays, so the files that landed meanwhile are seen once that run is done
        return dg.SkipReason(f"load_job run {active[0].run_id[:8]} in progress")
    p = paths.get()
    files = bronze.scan_raw(p.raw)
    digest = bronze.listing_digest(files)
    if digest == context.cursor:
        return dg.SkipReason(f"raw/ unchanged ({len(files)} files)")
    waiting = bronze.unlanded(p, files)
    context.update_cursor(digest)
    if not waiting:
        return dg.SkipReason(f"raw/ changed but all {len(files)} files are landed")
    shown = ", ".join(f.source for f in waiting[:5]) + (" ..." if len(waiting) > 5 else "")
    context.log.info(f"{len(waiting)} files to land: {shown}")
    return dg.RunRequest(run_key=digest, tags={"ogi/trigger": "raw_arrivals", "ogi/new_files": str(len(waiting))})
