select
    report_id,
    source as source_path,
    parser_version,
    stage,
    error,
    quarantined_at
from {{ source('silver', 'quarantine') }}
