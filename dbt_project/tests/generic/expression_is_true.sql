{#- Fails on every row where the expression is not TRUE (NULL fails too: say how NULL is
    allowed in the expression itself). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where ({{ expression }}) is not true
{% endtest %}
