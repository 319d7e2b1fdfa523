#!/usr/bin/env bash
# Creates .venv (Python 3.11) and installs exactly what requirements.lock pins, plus the
# project itself. Idempotent and quick when nothing changed; sourced by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# No network at run time: every tool's telemetry off.
export DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false

PY=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.ogi-installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ scripts/setup.sh -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  # Bytecode compiled once here: uv does not by default, and where PYTHONDONTWRITEBYTECODE is
  # set (this platform's CI) every process would compile dagster, dbt and GX from source on
  # import, seconds per process (the nightly load's start-up and GX import among them).
  .venv/bin/uv pip sync --quiet --compile-bytecode --python .venv/bin/python requirements.lock
  .venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
  touch "$stamp"
fi
