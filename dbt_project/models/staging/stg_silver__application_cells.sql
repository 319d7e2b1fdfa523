select
    report_id,
    "row" as row_code,
    "column" as column_code,
    value,
    printed,
    repair_rules,
    (not printed and value is not null) as is_repaired
from {{ source('silver', 'application_cells') }}
