"""Pure transformations of the ogi lakehouse: raw report bytes -> canonical report model -> silver rows.

No Dagster imports here: orchestration/ wires these functions into assets.
"""
