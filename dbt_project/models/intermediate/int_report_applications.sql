-- 表三 per report, one row per report: the received/processed flow and the outcome
-- categories, each summed over the `total` column. Which rows make up a category comes from
-- the codes table (transforms/parser/model.py), matched on the edition of the report's own
-- 表三 row list (a 2021 report may keep 2019's single (六) row).
-- Incremental: only new or re-parsed reports, or every report after a codes change
-- (macros/incremental_reports.sql).
{{ config(**incremental_by_report(with_codes=true)) }}

with reports as (
    select r.report_id, r.applications_template, r.parsed_at, {{ codes_version() }} as codes_version
    from {{ ref('stg_silver__reports') }} as r
    {{ reports_to_recompute('r', with_codes=true) }}
),

cells as (
    select
        c.report_id,
        c.row_code,
        c.column_code,
        c.value,
        c.is_repaired,
        k.category
    from {{ ref('stg_silver__application_cells') }} as c
    inner join reports as r on r.report_id = c.report_id
    left join {{ ref('stg_silver__codes') }} as k
        on k.table_name = 'applications'
        and k.kind = 'row'
        and k.code = c.row_code
        and k.template = r.applications_template
),

totals as (
    select * from cells where column_code = 'total'
)

select
    r.report_id,
    {{ total("t.value", "t.row_code = 'new_received'") }} as received,
    {{ total("t.value", "t.row_code = 'carried_over'") }} as carried_over,
    {{ total("t.value", "t.category = 'total_processed'") }} as processed,
    {{ total("t.value", "t.category = 'carried_forward'") }} as carried_forward,
    {{ total("t.value", "t.category = 'granted'") }} as granted,
    {{ total("t.value", "t.category = 'partially_granted'") }} as partially_granted,
    {{ total("t.value", "t.category = 'denied'") }} as denied,
    {{ total("t.value", "t.category = 'unable'") }} as unable,
    {{ total("t.value", "t.category = 'rejected'") }} as rejected,
    {{ total("t.value", "t.category = 'other'") }} as other_handled,
    count(t.report_id) filter (where t.value is null) as total_cells_missing,
    r.parsed_at,
    r.codes_version
from reports as r
left join totals as t on t.report_id = r.report_id
group by r.report_id, r.parsed_at, r.codes_version
