{#- A null-safe count total (missing cells add nothing; completeness is reported apart), kept
    BIGINT: DuckDB widens sums of BIGINT to HUGEINT, which many SQL clients cannot display. -#}
{% macro total(expression, condition=none) -%}
    cast(coalesce(sum({{ expression }}){% if condition %} filter (where {{ condition }}){% endif %}, 0) as bigint)
{%- endmacro %}
