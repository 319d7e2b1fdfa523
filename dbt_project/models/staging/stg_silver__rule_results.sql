select
    {{ check_columns() }},
    held,
    basis
from {{ source('silver', 'rule_results') }}
