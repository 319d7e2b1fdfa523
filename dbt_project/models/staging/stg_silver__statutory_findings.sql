select
    {{ check_columns() }},
    basis,
    expectation,
    validated_at
from {{ source('silver', 'statutory_findings') }}
