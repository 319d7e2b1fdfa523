{#- Per-report incremental models (delete+insert on report_id) recompute a report when silver
    holds it with a parse the model does not: new, or re-parsed (a new parsed_at). Models
    that read the codes table also recompute every row built from other codes. -#}

{#- The config of a per-report incremental model: `{{ config(**incremental_by_report()) }}`. -#}
{% macro incremental_by_report(with_codes=false) -%}
    {{ return({
        'materialized': 'incremental',
        'unique_key': 'report_id',
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'append_new_columns',
        'post_hook': '{{ delete_stale_reports(with_codes=' ~ with_codes ~ ') }}',
    }) }}
{%- endmacro %}

{#- True when the model can pick changed reports from its own rows: an incremental run on a
    table that already has the bookkeeping columns. A table built before it had them (an older
    build database) is recomputed whole once; on_schema_change adds the columns. -#}
{% macro incremental_reports_ready(with_codes=false) -%}
    {%- if not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {{ return('parsed_at' in names and (not with_codes or 'codes_version' in names)) }}
{%- endmacro %}

{#- The WHERE clause over stg_silver__reports (aliased `alias`) that keeps the reports this run
    must recompute. Every report on a first or full-refresh build. -#}
{% macro reports_to_recompute(alias, with_codes=false) -%}
    {%- if incremental_reports_ready(with_codes) -%}
    where not exists (
        select 1
        from {{ this }} as held
        where held.report_id = {{ alias }}.report_id
            and held.parsed_at is not distinct from {{ alias }}.parsed_at
            {%- if with_codes %}
            and held.codes_version = {{ codes_version() }}
            {%- endif %}
    )
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: delete+insert replaces the reports recomputed, but rows of a report that left
    silver (a re-parse sent it to quarantine), or whose re-parse yields no rows for this
    model, or that were built from other codes, are not replaced by anything. -#}
{% macro delete_stale_reports(with_codes=false) -%}
    delete from {{ this }} as held
    where not exists (
        select 1
        from {{ ref('stg_silver__reports') }} as r
        where r.report_id = held.report_id
            and r.parsed_at is not distinct from held.parsed_at
    )
    {%- if with_codes %}
        or held.codes_version <> {{ codes_version() }}
    {%- endif %}
{%- endmacro %}
