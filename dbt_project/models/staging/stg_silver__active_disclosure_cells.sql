select
    {{ cell_columns('item', 'measure', value='cast(value as decimal(18, 4))') }}
from {{ source('silver', 'active_disclosure_cells') }}
