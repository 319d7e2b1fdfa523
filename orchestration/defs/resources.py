"""What every definition shares: the `paths` resource (where the data directory is) and the assets' owners."""

import dagster as dg

from transforms.lake.settings import DataPaths

# Who answers for the data: the team that runs the pipeline (Dagster shows it on every asset;
# the dbt models get the same owner in defs/dbt/defs.yaml).
OWNERS = ["team:ogi-data"]


class DataPathsResource(dg.ConfigurableResource):
    """The data directory. Unset: `$OGI_DATA_DIR`, else the repository's `data/`."""

    data_dir: str | None = None

    def get(self) -> DataPaths:
        return DataPaths.from_env(self.data_dir)


defs = dg.Definitions(resources={"paths": DataPathsResource()})
