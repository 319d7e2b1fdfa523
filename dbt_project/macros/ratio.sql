{#- A rate: NULL when nothing was in the denominator, never a division by zero or a fake 0. -#}
{% macro ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}
