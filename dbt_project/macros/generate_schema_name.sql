{#- Schemas named exactly as configured (`marts`, not `main_marts`): analysts type marts.outcome_rates. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
