select
    {{ cell_columns('group', 'column') }}
from {{ source('silver', 'review_litigation_cells') }}
