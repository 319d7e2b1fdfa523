-- 表四 per report: administrative review apart, the two litigation groups together.
-- Incremental: only new or re-parsed reports (macros/incremental_reports.sql); codes are not read.
{{ config(**incremental_by_report()) }}

with reports as (
    select r.report_id, r.parsed_at
    from {{ ref('stg_silver__reports') }} as r
    {{ reports_to_recompute('r') }}
)

select
    r.report_id,
    {{ total("c.value", "c.group_code = 'review' and c.column_code = 'total'") }}
        as review_total,
    {{ total("c.value", "c.group_code = 'review' and c.column_code = 'corrected'") }}
        as review_corrected,
    {{ total("c.value", "c.group_code = 'review' and c.column_code = 'pending'") }}
        as review_pending,
    {{ total("c.value", "c.group_code <> 'review' and c.column_code = 'total'") }}
        as litigation_total,
    {{ total("c.value", "c.group_code <> 'review' and c.column_code = 'corrected'") }}
        as litigation_corrected,
    {{ total("c.value", "c.group_code <> 'review' and c.column_code = 'pending'") }}
        as litigation_pending,
    r.parsed_at
from reports as r
left join {{ ref('stg_silver__review_litigation_cells') }} as c on c.report_id = r.report_id
group by r.report_id, r.parsed_at
