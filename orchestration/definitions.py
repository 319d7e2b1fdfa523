"""The one Definitions of the code location: everything under `orchestration/defs/`.

Each concern (ingest, dbt, quality, publish) adds its files there and is picked up here
without edits to this module.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
