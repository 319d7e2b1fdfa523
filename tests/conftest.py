"""Shared test settings: hypothesis profiles and the seeds folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# "ogi" keeps the property files to well under a minute on 2 cores; run
# `pytest --hypothesis-profile=thorough tests/test_properties.py` for thousands of examples.
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], derandomize=False)
settings.register_profile("ogi", max_examples=40, **_common)
settings.register_profile("thorough", max_examples=3000, **_common)


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ogi")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return Path(__file__).resolve().parent / "fixtures" / "seeds"
