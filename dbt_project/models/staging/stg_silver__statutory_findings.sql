select
    report_id,
    rule as rule_id,
    "table" as table_name,
    "where" as scope,
    lhs,
    rhs,
    basis,
    expectation,
    validated_at
from {{ source('silver', 'statutory_findings') }}
