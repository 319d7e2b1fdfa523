#!/usr/bin/env bash
# The main command: installs what is needed, then loads data/raw/ (the bundled sample reports,
# or whatever landed there) through bronze, silver and the marts once, headless, and prints a
# summary. Extra arguments go to `ogi run` (e.g. --data-dir /elsewhere).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
export DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
exec .venv/bin/ogi run "$@"
