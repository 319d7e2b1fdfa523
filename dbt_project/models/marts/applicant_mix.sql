-- Who asks: new applications (一、本年新收) per jurisdiction × year × applicant type, and each
-- type's share of the applicant-type sum. Applicant types and labels come from the codes table.
with applicant_types as (
    select distinct code as applicant_type, label as applicant_label, ordinal
    from {{ ref('stg_silver__codes') }}
    where table_name = 'applications' and kind = 'column' and code <> 'total'
),

received as (
    select
        r.jurisdiction,
        r.admin_code,
        r.year,
        c.column_code as applicant_type,
        {{ total("c.value") }} as received
    from {{ ref('stg_silver__application_cells') }} as c
    inner join {{ ref('stg_silver__reports') }} as r on r.report_id = c.report_id
    where c.row_code = 'new_received'
    group by r.jurisdiction, r.admin_code, r.year, c.column_code
)

select
    x.jurisdiction,
    x.admin_code,
    d.province,
    d.city,
    x.year,
    x.applicant_type,
    t.applicant_label,
    t.ordinal as applicant_ordinal,
    x.received,
    {{ ratio('x.received', 'sum(x.received) over (partition by x.jurisdiction, x.admin_code, x.year)') }}
        as share
from received as x
inner join applicant_types as t on t.applicant_type = x.applicant_type
left join {{ ref('dim_jurisdiction') }} as d on d.admin_code = x.admin_code
