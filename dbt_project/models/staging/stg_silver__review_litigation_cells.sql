select
    report_id,
    "group" as group_code,
    "column" as column_code,
    value,
    printed,
    repair_rules,
    (not printed and value is not null) as is_repaired
from {{ source('silver', 'review_litigation_cells') }}
