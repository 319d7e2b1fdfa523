{#- A rate: NULL when nothing is in the denominator, never a division by zero or a fake 0.
    A negative denominator (a broken report whose pending cases exceed its total) is no
    denominator either. -#}
{% macro ratio(numerator, denominator) -%}
    (case when ({{ denominator }}) > 0 then cast({{ numerator }} as double) / ({{ denominator }}) end)
{%- endmacro %}
