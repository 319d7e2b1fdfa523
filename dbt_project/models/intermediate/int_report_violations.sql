-- The parser's failed checks per report and rule (silver.rule_results), and the
-- expectations' own findings (silver.statutory_findings, empty until GX has run).
with failed as (
    select report_id, rule_id from {{ ref('stg_silver__rule_results') }} where not held
),

findings as (
    select report_id, count(*) as statutory_findings
    from {{ ref('stg_silver__statutory_findings') }}
    group by report_id
)

select
    r.report_id,
    count(f.report_id) as violations,
    count(f.report_id) filter (where f.rule_id = 'A1') as violations_a1,
    count(f.report_id) filter (where f.rule_id = 'A2') as violations_a2,
    count(f.report_id) filter (where f.rule_id = 'A3') as violations_a3,
    count(f.report_id) filter (where f.rule_id = 'R1') as violations_r1,
    count(f.report_id) filter (where f.rule_id = 'N1') as violations_n1,
    count(f.report_id) filter (where f.rule_id = 'T1') as violations_t1,
    coalesce(any_value(g.statutory_findings), 0) as statutory_findings
from {{ ref('stg_silver__reports') }} as r
left join failed as f on f.report_id = r.report_id
left join findings as g on g.report_id = r.report_id
group by r.report_id
