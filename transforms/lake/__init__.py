"""The lake: bronze (documents as landed), silver (the report model as Delta tables), the dbt source plugin and publishing."""
