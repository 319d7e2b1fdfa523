-- 表四 per jurisdiction × year × group (administrative review, direct litigation, litigation
-- after review): the five counts and the share of decided cases that were corrected.
with groups as (
    select distinct code as group_code, label as group_label, ordinal
    from {{ ref('stg_silver__codes') }}
    where table_name = 'review_litigation' and kind = 'group'
),

summed as (
    select
        r.jurisdiction,
        r.admin_code,
        r.year,
        c.group_code,
        {{ total("c.value", "c.column_code = 'upheld'") }} as upheld,
        {{ total("c.value", "c.column_code = 'corrected'") }} as corrected,
        {{ total("c.value", "c.column_code = 'other'") }} as other,
        {{ total("c.value", "c.column_code = 'pending'") }} as pending,
        {{ total("c.value", "c.column_code = 'total'") }} as total,
        count(distinct c.report_id) as reports
    from {{ ref('stg_silver__review_litigation_cells') }} as c
    inner join {{ ref('stg_silver__reports') }} as r on r.report_id = c.report_id
    group by r.jurisdiction, r.admin_code, r.year, c.group_code
)

select
    s.jurisdiction,
    s.admin_code,
    d.province,
    d.city,
    s.year,
    s.group_code,
    g.group_label,
    s.reports,
    s.upheld,
    s.corrected,
    s.other,
    s.pending,
    s.total,
    {{ correction_rate('s.corrected', 's.total', 's.pending') }} as correction_rate
from summed as s
inner join groups as g on g.group_code = s.group_code
left join {{ ref('dim_jurisdiction') }} as d on d.admin_code = s.admin_code
