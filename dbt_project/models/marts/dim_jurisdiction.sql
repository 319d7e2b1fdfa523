-- The divisions as staged, one row per GB/T 2260 unit to county level (columns: _marts__models.yml).
select *
from {{ ref('stg_silver__divisions') }}
