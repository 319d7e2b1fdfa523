-- One row per document the pipeline has seen: every parsed report with its completeness,
-- repairs and rule findings, and every quarantined file (status `rejected`, with the error),
-- so nothing the parser refused disappears from the marts.
with parsed as (
    select
        r.report_id,
        r.source_path,
        r.status,
        r.error,
        cast(null as varchar) as rejected_at_stage,
        r.parser_version,
        r.year,
        r.template,
        r.body,
        r.jurisdiction,
        r.admin_code,
        r.layout,
        r.encoding,
        c.cells,
        c.cells_missing,
        c.cells_repaired,
        v.violations,
        v.violations_a1,
        v.violations_a2,
        v.violations_a3,
        v.violations_r1,
        v.violations_n1,
        v.violations_t1,
        v.statutory_findings,
        x.previous_report_id,
        x.x1_columns_compared,
        x.x1_columns_differing
    from {{ ref('stg_silver__reports') }} as r
    inner join {{ ref('int_report_cell_counts') }} as c on c.report_id = r.report_id
    inner join {{ ref('int_report_violations') }} as v on v.report_id = r.report_id
    left join {{ ref('int_report_carry_over') }} as x on x.report_id = r.report_id
),

rejected as (
    select
        q.report_id,
        q.source_path,
        'rejected' as status,
        q.error,
        q.stage as rejected_at_stage,
        q.parser_version,
        cast(null as integer) as year,
        cast(null as varchar) as template,
        cast(null as varchar) as body,
        cast(null as varchar) as jurisdiction,
        cast(null as varchar) as admin_code,
        cast(null as varchar) as layout,
        cast(null as varchar) as encoding,
        0 as cells,
        0 as cells_missing,
        0 as cells_repaired,
        0 as violations,
        0 as violations_a1,
        0 as violations_a2,
        0 as violations_a3,
        0 as violations_r1,
        0 as violations_n1,
        0 as violations_t1,
        0 as statutory_findings,
        cast(null as varchar) as previous_report_id,
        cast(null as bigint) as x1_columns_compared,
        cast(null as bigint) as x1_columns_differing
    from {{ ref('stg_silver__quarantine') }} as q
    -- A document re-parsed successfully by a newer parser is a report, not a rejection.
    where q.report_id not in (select report_id from {{ ref('stg_silver__reports') }})
),

unioned as (
    select * from parsed
    union all by name
    select * from rejected
)

select
    report_id,
    source_path,
    status,
    error,
    rejected_at_stage,
    parser_version,
    year,
    template,
    body,
    jurisdiction,
    admin_code,
    layout,
    encoding,
    cells,
    cells_missing,
    cells_repaired,
    violations,
    violations_a1,
    violations_a2,
    violations_a3,
    violations_r1,
    violations_n1,
    violations_t1,
    statutory_findings,
    previous_report_id,
    x1_columns_compared,
    x1_columns_differing,
    case
        when previous_report_id is null or x1_columns_compared = 0 then null
        else x1_columns_differing = 0
    end as x1_held
from unioned
