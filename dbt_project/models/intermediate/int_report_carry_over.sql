-- Rule X1 per report: this year's 上年结转 against the same body's 结转下年度 of the year
-- before, column by column, when that report is loaded. A warning, not an error: bodies restate.
with previous as (
    -- If a body has several reports for one year, compare with the last one parsed.
    select report_id, body, year
    from {{ ref('stg_silver__reports') }}
    where body is not null and year is not null
    qualify row_number() over (partition by body, year order by parsed_at desc, report_id) = 1
),

pairs as (
    select r.report_id, p.report_id as previous_report_id
    from {{ ref('stg_silver__reports') }} as r
    inner join previous as p on p.body = r.body and p.year = r.year - 1
),

compared as (
    select
        pairs.report_id,
        pairs.previous_report_id,
        cur.column_code,
        cur.value as carried_over,
        prev.value as previous_carried_forward
    from pairs
    inner join {{ ref('stg_silver__application_cells') }} as cur
        on cur.report_id = pairs.report_id and cur.row_code = 'carried_over'
    inner join {{ ref('stg_silver__application_cells') }} as prev
        on prev.report_id = pairs.previous_report_id
        and prev.row_code = 'carried_forward'
        and prev.column_code = cur.column_code
)

select
    pairs.report_id,
    pairs.previous_report_id,
    count(c.column_code) filter (where c.carried_over is not null and c.previous_carried_forward is not null)
        as x1_columns_compared,
    count(c.column_code) filter (where c.carried_over <> c.previous_carried_forward)
        as x1_columns_differing
from pairs
left join compared as c on c.report_id = pairs.report_id
group by pairs.report_id, pairs.previous_report_id
