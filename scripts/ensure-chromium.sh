#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download cannot work offline). Install it when missing.
set -euo pipefail
for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$c" ] && [ -x "$c" ]; then exit 0; fi
done
command -v apt-get >/dev/null 2>&1 || { echo "[browser] Chromium not found and no apt-get; browser tests will be skipped" >&2; exit 0; }
echo "[browser] installing Debian's chromium for the browser tests" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
