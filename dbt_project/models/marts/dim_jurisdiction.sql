select
    admin_code,
    name,
    level,
    province_code,
    province,
    city_code,
    city
from {{ ref('stg_silver__divisions') }}
