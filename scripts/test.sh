#!/usr/bin/env bash
# Install everything the test suite needs and run it: the README's test command and CI's.
# System packages come from Debian (Chromium for the real-browser tests; no downloaded browsers).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
python3 -m pip install -q -e ".[test]"
exec python3 -m pytest "$@"
