#!/usr/bin/env bash
# Install everything the test suite needs and run it: the README's test command and CI's.
# System packages come from Debian: Chromium for the real-browser tests (no downloaded browsers) and
# QGIS + python3-qgis for the export checks, libjs-bootstrap5 for the benchmark's baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
# real QGIS for the export checks, driven by Debian's /usr/bin/python3
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || need+=(qgis python3-qgis)
# Bootstrap 5, one of the assets a plain folium map links: the benchmark's naive baseline inlines it
[ -f /usr/share/javascript/bootstrap5/js/bootstrap.bundle.min.js ] || need+=(libjs-bootstrap5)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
python3 -m pip install -q -e ".[test]"
exec python3 -m pytest "$@"
