{#- The columns together identify a row; NULLs count as equal (a jurisdiction without an
    admin_code is still one jurisdiction). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as duplicates
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
