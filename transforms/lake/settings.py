"""Where the data lives. The one place paths are built; Dagster's resource and the CLI use it.

Everything sits under one data directory (`data/` in the repository by default, or
`$OGI_DATA_DIR`), so a test or a benchmark points the whole platform elsewhere with one
variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @classmethod
    def from_env(cls, root: str | os.PathLike[str] | None = None) -> "DataPaths":
        chosen = root or os.environ.get("OGI_DATA_DIR") or REPO_ROOT / "data"
        return cls(Path(chosen).resolve())

    @property
    def raw(self) -> Path:
        """The landing folder: raw report files as they arrive."""
        return self.root / "raw"

    @property
    def bronze(self) -> Path:
        return self.root / "lake" / "bronze"

    @property
    def silver(self) -> Path:
        return self.root / "lake" / "silver"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def build_database(self) -> Path:
        """Where dbt builds; never opened by analysts."""
        return self.warehouse / "build" / "ogi.duckdb"

    @property
    def published_database(self) -> Path:
        """What analysts open, replaced atomically after a green build."""
        return self.warehouse / "ogi.duckdb"

    @property
    def data_docs(self) -> Path:
        return self.root / "quality" / "data_docs"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def silver_table(self, name: str) -> Path:
        return self.silver / name

    def bronze_table(self, name: str) -> Path:
        return self.bronze / name


# `ogi docs` (and `ogi ui`, which starts it) serves Data Docs and dbt docs over HTTP: a browser
# refuses file:// links from the Dagster UI's http page. Links in asset metadata point here.
DOCS_PORT = 3001


def docs_url(page: str = "") -> str:
    """The address of a docs page as `ogi docs` serves it ($OGI_DOCS_URL when it runs elsewhere)."""
    base = os.environ.get("OGI_DOCS_URL") or f"http://127.0.0.1:{DOCS_PORT}"
    return f"{base.rstrip('/')}/{page.lstrip('/')}"


DATA_DOCS_PAGE = "data-docs/index.html"
FINDINGS_PAGE = "data-docs/findings.html"
DBT_DOCS_PAGE = "dbt/"
