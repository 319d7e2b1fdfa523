{#- A rate: NULL when nothing is in the denominator, never a division by zero or a fake 0.
    A negative denominator (a broken report whose pending cases exceed its total) is no
    denominator either. -#}
{% macro ratio(numerator, denominator) -%}
    (case when ({{ denominator }}) > 0 then cast({{ numerator }} as double) / ({{ denominator }}) end)
{%- endmacro %}

{#- The share of decided review or litigation cases in which the body was corrected (纠正):
    pending (尚未审结) cases are not decided yet, so they leave the denominator. One
    definition for the per-report, per-jurisdiction and per-group marts. -#}
{% macro correction_rate(corrected, total, pending) -%}
    {{ ratio(corrected, total ~ ' - ' ~ pending) }}
{%- endmacro %}
