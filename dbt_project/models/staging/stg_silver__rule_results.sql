select
    report_id,
    rule as rule_id,
    "table" as table_name,
    "where" as scope,
    lhs,
    rhs,
    held,
    basis
from {{ source('silver', 'rule_results') }}
