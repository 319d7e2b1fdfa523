#!/usr/bin/env bash
# Installs the DuckDB clients analysts have (1.1.3, the oldest 1.x a current DBeaver or notebook
# is likely to carry, and 1.5.6) into their own venvs under .venv-clients/, for the test that
# opens the published file with them. Run by test.sh before the tests, never by a test itself,
# so that the tests need no network. Idempotent and quick when they are there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for version in ${OGI_OLD_DUCKDB:-1.1.3 1.5.6}; do
  venv=.venv-clients/duckdb-$version
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import duckdb" 2>/dev/null; then
    .venv/bin/uv venv --quiet --python "${PYTHON:-python3.11}" "$venv"
    .venv/bin/uv pip install --quiet --python "$venv/bin/python" "duckdb==$version"
  fi
done
