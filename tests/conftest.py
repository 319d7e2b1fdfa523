"""Shared test settings: hypothesis profiles and the seeds folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# "ogi" (the default) keeps the property files to well under a minute on 2 cores and draws the
# same examples on every run, so CI fails or passes on the code, not on luck; run
# `pytest --hypothesis-profile=thorough tests/test_properties.py` for thousands of fresh examples.
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ogi", max_examples=40, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=3000, **_common)


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ogi")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return Path(__file__).resolve().parent / "fixtures" / "seeds"
