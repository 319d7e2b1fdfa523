#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; no browser download), and CJK
# fonts so that screenshots show the reports' Chinese. Installed with apt when missing.
set -euo pipefail
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
  else
    echo "scripts/browser.sh: chromium or fonts-noto-cjk missing and not root: apt-get install chromium fonts-noto-cjk" >&2
  fi
fi
