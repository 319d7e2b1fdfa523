"""The `paths` resource: where the data directory is, for every asset, sensor and check."""

import dagster as dg

from transforms.lake.settings import DataPaths


class DataPathsResource(dg.ConfigurableResource):
    """The data directory. Unset: `$OGI_DATA_DIR`, else the repository's `data/`."""

    data_dir: str | None = None

    def get(self) -> DataPaths:
        return DataPaths.from_env(self.data_dir)


defs = dg.Definitions(resources={"paths": DataPathsResource()})
