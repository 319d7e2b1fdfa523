{#- The model is the roll-up of a finer model: for every key, each measure equals the sum of
    that measure over the finer model's rows, `count_column` equals the number of those rows,
    and each of `flag_counts` (column: boolean column of the finer model) equals how many of
    those rows have the flag. Keys match NULL to NULL. Returns the keys where anything
    differs, or that exist on one side only. -#}
{% test rolls_up_to(model, detail, keys, measures, count_column=none, flag_counts={}) %}
{%- set compared = measures + ([count_column] if count_column else []) + (flag_counts.keys() | list) -%}
with detail as (
    select
        {{ keys | join(', ') }},
        {% if count_column %}count(*) as {{ count_column }},{% endif %}
        {% for column, flag in flag_counts.items() %}count(*) filter (where {{ flag }}) as {{ column }},{% endfor %}
        {% for m in measures %}sum({{ m }}) as {{ m }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ detail }}
    group by {{ keys | join(', ') }}
),

rollup as (
    select {{ (keys + compared) | join(', ') }}
    from {{ model }}
)

select
    {% for k in keys %}coalesce(d.{{ k }}, r.{{ k }}) as {{ k }},{% endfor %}
    d.{{ keys[0] }} is null and r.{{ keys[0] }} is not null as only_in_rollup
from detail as d
full outer join rollup as r
    on {% for k in keys %}d.{{ k }} is not distinct from r.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
where false
    {% for m in compared %}
    or d.{{ m }} is distinct from r.{{ m }}
    {% endfor %}
{% endtest %}
