-- One row per parsed report: the 表三 outcome measures and 表四 corrections with their rates.
select
    r.report_id,
    r.status,
    r.body,
    r.jurisdiction,
    r.admin_code,
    d.province,
    d.city,
    r.year,
    r.template,
    a.received,
    a.carried_over,
    a.processed,
    a.carried_forward,
    a.granted,
    a.partially_granted,
    a.denied,
    a.unable,
    a.rejected,
    a.other_handled,
    {{ ratio('a.granted', 'a.processed') }} as grant_rate,
    {{ ratio('a.granted + a.partially_granted', 'a.processed') }} as disclosure_rate,
    {{ ratio('a.denied', 'a.processed') }} as denial_rate,
    {{ ratio('a.unable', 'a.processed') }} as unable_rate,
    {{ ratio('a.rejected', 'a.processed') }} as rejected_rate,
    {{ ratio('a.other_handled', 'a.processed') }} as other_rate,
    rl.review_total,
    rl.review_corrected,
    rl.review_pending,
    {{ correction_rate('rl.review_corrected', 'rl.review_total', 'rl.review_pending') }} as review_correction_rate,
    rl.litigation_total,
    rl.litigation_corrected,
    rl.litigation_pending,
    {{ correction_rate('rl.litigation_corrected', 'rl.litigation_total', 'rl.litigation_pending') }}
        as litigation_correction_rate,
    v.violations,
    v.violations > 0 as has_violations,
    c.cells_repaired,
    (r.status = 'repaired' or c.cells_repaired > 0) as is_repaired,
    c.cells_missing,
    (c.cells_missing = 0 and r.status <> 'incomplete') as is_complete
from {{ ref('stg_silver__reports') }} as r
inner join {{ ref('int_report_applications') }} as a on a.report_id = r.report_id
inner join {{ ref('int_report_review_litigation') }} as rl on rl.report_id = r.report_id
inner join {{ ref('int_report_violations') }} as v on v.report_id = r.report_id
inner join {{ ref('int_report_cell_counts') }} as c on c.report_id = r.report_id
left join {{ ref('dim_jurisdiction') }} as d on d.admin_code = r.admin_code
