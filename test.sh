#!/usr/bin/env bash
# Installs what is needed, then runs every test (unit, property, and end to end:
# real Delta tables, dbt build, GX validations, Dagster materializations).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
# The older DuckDB clients that tests/test_publish.py opens the published file with.
scripts/old_clients.sh
# Debian's Chromium for tests/test_browser.py.
scripts/browser.sh
exec .venv/bin/python -m pytest -n 2 "$@"
