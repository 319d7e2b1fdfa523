-- One row per jurisdiction × year, summing every report of that jurisdiction and year; the
-- rates are recomputed from the sums (a rate of sums, not an average of rates).
with summed as (
    select
        jurisdiction,
        admin_code,
        year,
        count(*) as reports,
        {{ total("received") }} as received,
        {{ total("carried_over") }} as carried_over,
        {{ total("processed") }} as processed,
        {{ total("carried_forward") }} as carried_forward,
        {{ total("granted") }} as granted,
        {{ total("partially_granted") }} as partially_granted,
        {{ total("denied") }} as denied,
        {{ total("unable") }} as unable,
        {{ total("rejected") }} as rejected,
        {{ total("other_handled") }} as other_handled,
        {{ total("review_total") }} as review_total,
        {{ total("review_corrected") }} as review_corrected,
        {{ total("review_pending") }} as review_pending,
        {{ total("litigation_total") }} as litigation_total,
        {{ total("litigation_corrected") }} as litigation_corrected,
        {{ total("litigation_pending") }} as litigation_pending,
        count(*) filter (where has_violations) as reports_with_violations,
        count(*) filter (where is_repaired) as reports_repaired
    from {{ ref('report_outcomes') }}
    group by jurisdiction, admin_code, year
)

select
    s.jurisdiction,
    s.admin_code,
    d.province,
    d.city,
    s.year,
    s.reports,
    s.received,
    s.carried_over,
    s.processed,
    s.carried_forward,
    s.granted,
    s.partially_granted,
    s.denied,
    s.unable,
    s.rejected,
    s.other_handled,
    {{ ratio('s.granted', 's.processed') }} as grant_rate,
    {{ ratio('s.granted + s.partially_granted', 's.processed') }} as disclosure_rate,
    {{ ratio('s.denied', 's.processed') }} as denial_rate,
    {{ ratio('s.unable', 's.processed') }} as unable_rate,
    {{ ratio('s.rejected', 's.processed') }} as rejected_rate,
    {{ ratio('s.other_handled', 's.processed') }} as other_rate,
    s.review_total,
    s.review_corrected,
    {{ correction_rate('s.review_corrected', 's.review_total', 's.review_pending') }} as review_correction_rate,
    s.litigation_total,
    s.litigation_corrected,
    {{ correction_rate('s.litigation_corrected', 's.litigation_total', 's.litigation_pending') }}
        as litigation_correction_rate,
    s.reports_with_violations,
    s.reports_repaired
from summed as s
left join {{ ref('dim_jurisdiction') }} as d on d.admin_code = s.admin_code
