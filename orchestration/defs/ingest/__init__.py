"""Raw files to bronze and silver Delta tables, on a schedule and on arrival."""
