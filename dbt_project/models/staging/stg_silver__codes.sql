select
    "table" as table_name,
    kind,
    code,
    label,
    template,
    category,
    ordinal
from {{ source('silver', 'codes') }}
