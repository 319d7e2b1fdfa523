-- Column lists that several staging models rename alike, written once.

-- A silver cell table (one row per report × site × term): codes renamed to <kind>_code, and
-- whether the cell was recovered by the rules rather than printed.
{% macro cell_columns(site, term, value='value') -%}
    report_id,
    "{{ site }}" as {{ site }}_code,
    "{{ term }}" as {{ term }}_code,
    {{ value }} as value,
    printed,
    repair_rules,
    (not printed and value is not null) as is_repaired
{%- endmacro %}

-- A statutory check at one place of a report (silver rule_results and statutory_findings).
{% macro check_columns() -%}
    report_id,
    rule as rule_id,
    "table" as table_name,
    "where" as scope,
    lhs,
    rhs
{%- endmacro %}

-- How a report's text was obtained (silver reports): marts filter on `extraction`
-- (pdf-ocr readings are a parse of pixels, not of text) and the table pages point a reader
-- at the PDF page to check.
{% macro provenance_columns() -%}
    media_type,
    extraction,
    cast(active_disclosure_page as integer) as active_disclosure_page,
    cast(applications_page as integer) as applications_page,
    cast(review_litigation_page as integer) as review_litigation_page
{%- endmacro %}
