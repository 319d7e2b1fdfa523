-- 表二 per report × item, one column per measure code. The two templates' measures stay in
-- separate columns where they mean different things (2021 本年制发 `issued` vs 2019
-- 本年新制作 `made`) and share one where they mean the same (处理决定数量 `decisions`,
-- 金额 `amount_10k_yuan`); a measure the report's template does not print is NULL.
-- Incremental: only new or re-parsed reports, or every report after a codes change
-- (macros/incremental_reports.sql).
{{ config(**incremental_by_report(with_codes=true)) }}

with reports as (
    select
        r.report_id, r.body, r.jurisdiction, r.admin_code, r.year, r.template, r.parsed_at,
        {{ codes_version() }} as codes_version
    from {{ ref('stg_silver__reports') }} as r
    {{ reports_to_recompute('r', with_codes=true) }}
),

items as (
    select distinct code as item_code, label as item_label, ordinal
    from {{ ref('stg_silver__codes') }}
    where table_name = 'active_disclosure' and kind = 'item'
)

select
    c.report_id,
    r.body,
    r.jurisdiction,
    r.admin_code,
    r.year,
    r.template,
    c.item_code,
    i.item_label,
    cast(max(c.value) filter (where c.measure_code = 'issued') as bigint) as issued,
    cast(max(c.value) filter (where c.measure_code = 'repealed') as bigint) as repealed,
    cast(max(c.value) filter (where c.measure_code = 'in_force') as bigint) as in_force,
    cast(max(c.value) filter (where c.measure_code = 'made') as bigint) as made,
    cast(max(c.value) filter (where c.measure_code = 'published') as bigint) as published,
    cast(max(c.value) filter (where c.measure_code = 'published_total') as bigint) as published_total,
    cast(max(c.value) filter (where c.measure_code = 'items_prev_year') as bigint) as items_prev_year,
    cast(max(c.value) filter (where c.measure_code = 'items_change') as bigint) as items_change,
    cast(max(c.value) filter (where c.measure_code = 'decisions') as bigint) as decisions,
    cast(max(c.value) filter (where c.measure_code = 'projects') as bigint) as projects,
    max(c.value) filter (where c.measure_code = 'amount_10k_yuan') as amount_10k_yuan,
    count(*) filter (where c.value is null) as cells_missing,
    count(*) filter (where c.is_repaired) as cells_repaired,
    r.parsed_at,
    r.codes_version
from {{ ref('stg_silver__active_disclosure_cells') }} as c
inner join reports as r on r.report_id = c.report_id
inner join items as i on i.item_code = c.item_code
group by
    c.report_id, r.body, r.jurisdiction, r.admin_code, r.year, r.template, c.item_code, i.item_label,
    r.parsed_at, r.codes_version
