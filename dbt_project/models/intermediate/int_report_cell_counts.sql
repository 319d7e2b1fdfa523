-- How complete and how repaired each report's tables are, over all three tables.
-- Incremental: only new or re-parsed reports (macros/incremental_reports.sql); codes are not read.
{{ config(**incremental_by_report()) }}

with reports as (
    select r.report_id, r.parsed_at
    from {{ ref('stg_silver__reports') }} as r
    {{ reports_to_recompute('r') }}
),

cells as (
    select report_id, value is null as is_missing, is_repaired
    from {{ ref('stg_silver__application_cells') }}
    union all
    select report_id, value is null, is_repaired
    from {{ ref('stg_silver__review_litigation_cells') }}
    union all
    select report_id, value is null, is_repaired
    from {{ ref('stg_silver__active_disclosure_cells') }}
)

select
    r.report_id,
    count(c.report_id) as cells,
    count(c.report_id) filter (where c.is_missing) as cells_missing,
    count(c.report_id) filter (where c.is_repaired) as cells_repaired,
    r.parsed_at
from reports as r
left join cells as c on c.report_id = r.report_id
group by r.report_id, r.parsed_at
