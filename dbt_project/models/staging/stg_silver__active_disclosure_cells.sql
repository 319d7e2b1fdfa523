select
    report_id,
    item as item_code,
    measure as measure_code,
    cast(value as decimal(18, 4)) as value,
    printed,
    repair_rules,
    (not printed and value is not null) as is_repaired
from {{ source('silver', 'active_disclosure_cells') }}
