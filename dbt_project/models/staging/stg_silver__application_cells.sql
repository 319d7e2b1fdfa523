select
    {{ cell_columns('row', 'column') }}
from {{ source('silver', 'application_cells') }}
