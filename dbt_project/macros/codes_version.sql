{#- A fingerprint of the whole codes table (every column, every row, in a fixed order), as a
    scalar subquery. Incremental models that read codes store it on each row: a codes change
    (a new category, a relabelled item) makes every stored row stale, so the next run
    recomputes them all without a --full-refresh. -#}
{% macro codes_version() -%}
    (
        select md5(coalesce(string_agg(codes_row, chr(10) order by codes_row), ''))
        from (select cast(to_json(c) as varchar) as codes_row from {{ ref('stg_silver__codes') }} as c)
    )
{%- endmacro %}
