"""Running the suites of expectations/ with GX Core 1.x on pandas frames, and Data Docs.

GX is imported lazily (it takes seconds) and only ever sees pandas DataFrames: GX has no
polars data source, and DuckDB through SQLAlchemy fails every expectation in GX 1.24
(docs/quality.md). The context is ephemeral but configured from the project's own
expectations/gx/great_expectations.yml: suites are read from the repository, validation
results and Data Docs are written under the data directory, nothing else is persisted.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from transforms.lake.settings import REPO_ROOT, DataPaths
from transforms.quality.data_docs import finish

GX_PROJECT = REPO_ROOT / "expectations" / "gx"
SUITES = GX_PROJECT / "expectations"
# Bounded on purpose: the full lists of failures come from the polars frames, not from GX.
PARTIAL_UNEXPECTED = 20

_lock = threading.Lock()


def preload() -> threading.Thread:
    """Import GX in a background thread, for a process that will validate a little later.

    The import costs seconds of Python; a load spends its first seconds landing files and
    waiting on parser processes, so the import is done by the time the first suite runs.
    """

    def load() -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        try:
            import great_expectations  # noqa: F401
        except Exception:  # noqa: BLE001  (the suite's own import will raise it where it is seen)
            pass

    thread = threading.Thread(target=load, name="gx-preload", daemon=True)
    thread.start()
    return thread


def quality_dir(paths: DataPaths) -> Path:
    return paths.data_docs.parent


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITES.glob("*.json"))


def suite_stamp(name: str) -> str:
    """The suite as stored: an incremental ledger validated against another one is void."""
    import hashlib

    return hashlib.sha256((SUITES / f"{name}.json").read_bytes()).hexdigest()


def _project_config(paths: DataPaths) -> dict[str, Any]:
    text = (GX_PROJECT / "great_expectations.yml").read_text(encoding="utf-8")
    text = text.replace("${OGI_QUALITY_DIR}", str(quality_dir(paths)))
    config = yaml.safe_load(text)
    for store in config["stores"].values():
        backend = store["store_backend"]
        base = backend.get("base_directory")
        if base and not os.path.isabs(base):
            backend["base_directory"] = str(GX_PROJECT / base)
    # Data Docs live where DataPaths says, whatever the yml's folder layout.
    config["data_docs_sites"]["local_site"]["store_backend"]["base_directory"] = str(paths.data_docs)
    return config


@dataclass
class ExpectationOutcome:
    """One expectation's verdict, trimmed to what the checks and findings need."""

    expectation: str  # e.g. expect_column_pair_values_to_be_equal(a1_lhs, a1_rhs)
    type: str
    column: str | None
    meta: dict[str, Any]
    success: bool
    element_count: int | None
    unexpected_count: int | None
    partial_unexpected_index_list: list[dict[str, Any]]
    exception: str | None

    @property
    def check(self) -> str:
        return str(self.meta.get("check") or self.expectation)


@dataclass
class SuiteRun:
    suite: str
    asset: str
    success: bool
    row_count: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    result_id: Any = None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @classmethod
    def combine(cls, runs: Sequence["SuiteRun"]) -> "SuiteRun":
        """One suite validated part by part, as one run: counts summed, failed if any part failed."""
        if len(runs) == 1:
            return runs[0]
        outcomes = []
        for same in zip(*(r.outcomes for r in runs), strict=True):
            first = same[0]
            counts = [o.unexpected_count for o in same if o.unexpected_count is not None]
            outcomes.append(
                ExpectationOutcome(
                    expectation=first.expectation,
                    type=first.type,
                    column=first.column,
                    meta=first.meta,
                    success=all(o.success for o in same),
                    element_count=sum(o.element_count or 0 for o in same),
                    unexpected_count=sum(counts) if counts else None,
                    partial_unexpected_index_list=[i for o in same for i in o.partial_unexpected_index_list][:PARTIAL_UNEXPECTED],
                    exception=next((o.exception for o in same if o.exception), None),
                )
            )
        return cls(
            suite=runs[0].suite,
            asset=runs[0].asset,
            success=all(r.success for r in runs),
            row_count=sum(r.row_count for r in runs),
            outcomes=outcomes,
            result_id=[r.result_id for r in runs],
        )

    def outcome(self, column: str) -> ExpectationOutcome:
        matches = [o for o in self.outcomes if o.column == column]
        if len(matches) != 1:
            raise KeyError(f"{self.suite}: {len(matches)} expectations on column {column!r}")
        return matches[0]


def _describe(config: Any) -> tuple[str, str | None]:
    kwargs = config.kwargs
    cols = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    return f"{config.type}({', '.join(cols)})", kwargs.get("column") or kwargs.get("column_A")


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def to_pandas(frame: pl.DataFrame) -> Any:
    """Exact integers (Arrow-backed, nullable) and dictionary-encoded strings for GX."""
    categorical = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns([pl.col(c).cast(pl.Categorical) for c in categorical]).to_pandas(
        use_pyarrow_extension_array=True
    )


class Validator:
    """One ephemeral GX context per run: validates frames, then builds Data Docs once."""

    def __init__(self, paths: DataPaths):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx

        self._gx = gx
        self.paths = paths
        quality_dir(paths).mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="ephemeral", project_config=_project_config(paths))
        self._source = self.context.data_sources.add_pandas("ogi")
        self._result_ids: list[Any] = []

    def validate(
        self,
        suite_name: str,
        asset_name: str,
        frame: pl.DataFrame,
        index_columns: Sequence[str] = ("report_id",),
        parameters: Mapping[str, Any] | None = None,
        complete: bool = False,
    ) -> SuiteRun:
        """Validate `frame` against the suite stored in expectations/ (not a copy of it).

        `complete`: GX lists every unexpected row with its index columns, which Data Docs
        show; only for frames with few failures (the caller knows how many).
        """
        gx = self._gx
        suite = self.context.suites.get(suite_name)
        try:
            asset = self._source.get_asset(asset_name)
        except LookupError:
            asset = self._source.add_dataframe_asset(asset_name)
        batch = asset.add_batch_definition_whole_dataframe(f"{asset_name}:{suite_name}:{len(self._result_ids)}")
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite_name}@{asset_name}:{len(self._result_ids)}", data=batch, suite=suite)
        )
        checkpoint = self.context.checkpoints.add(
            gx.Checkpoint(
                name=f"ogi:{suite_name}@{asset_name}:{len(self._result_ids)}",
                validation_definitions=[definition],
                result_format={
                    "result_format": "COMPLETE" if complete else "SUMMARY",
                    "partial_unexpected_count": PARTIAL_UNEXPECTED,
                    "unexpected_index_column_names": [c for c in index_columns if c in frame.columns],
                },
            )
        )
        result = checkpoint.run(
            batch_parameters={"dataframe": to_pandas(frame)}, expectation_parameters=dict(parameters or {})
        )
        (result_id, validation), = result.run_results.items()
        self._result_ids.append(result_id)
        outcomes = []
        for r in validation.results:
            name, column = _describe(r.expectation_config)
            res = r.result or {}
            info = r.exception_info or {}
            raised = info.get("raised_exception") if isinstance(info, dict) else None
            outcomes.append(
                ExpectationOutcome(
                    expectation=name,
                    type=r.expectation_config.type,
                    column=column,
                    meta=dict(r.expectation_config.meta or {}),
                    success=bool(r.success),
                    element_count=res.get("element_count"),
                    unexpected_count=res.get("unexpected_count"),
                    partial_unexpected_index_list=[
                        {k: _plain(v) for k, v in row.items()} for row in res.get("partial_unexpected_index_list") or []
                    ],
                    exception=info.get("exception_message") if raised else None,
                )
            )
        return SuiteRun(
            suite=suite_name,
            asset=asset_name,
            success=bool(validation.success),
            row_count=frame.height,
            outcomes=outcomes,
            result_id=result_id,
        )

    def build_docs(self) -> Path:
        """Render this run's validations and the index; serialised across processes."""
        lock = quality_dir(self.paths) / ".data_docs.lock"
        with _lock, open(lock, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

                # The suites' own pages too: the index links every suite, and without them those links 404.
                suites = [ExpectationSuiteIdentifier(name=name) for name in suite_names()]
                self.context.build_data_docs(resource_identifiers=[*self._result_ids, *suites])
                finish(self.paths)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return self.paths.data_docs / "index.html"
