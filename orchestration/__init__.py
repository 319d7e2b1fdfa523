"""Dagster wiring of the ogi platform: a dg project whose definitions live under `defs/`."""
