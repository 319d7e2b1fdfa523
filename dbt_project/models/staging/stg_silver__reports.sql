select
    report_id,
    source as source_path,
    parser_version,
    status,
    error,
    cast(year as integer) as year,
    template,
    coalesce(applications_template, template) as applications_template,
    body,
    jurisdiction,
    parent_jurisdictions,
    admin_code,
    published_on,
    layout,
    encoding,
    parsed_at,
    {{ provenance_columns() }}
from {{ source('silver', 'reports') }}
