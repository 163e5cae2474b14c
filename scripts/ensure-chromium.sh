#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download cannot work offline). Install it when missing. With CI set, a Chromium that
# cannot be installed is an error: CI runs the browser tests, it never skips them.
set -euo pipefail
installed() {
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$c" ] && [ -x "$c" ]; then return 0; fi
  done
  return 1
}
missing() {
  if [ -n "${CI:-}" ]; then
    echo "[browser] $1; CI is set, so the browser tests may not be skipped" >&2
    exit 1
  fi
  echo "[browser] $1; browser tests will be skipped" >&2
  exit 0
}
installed && exit 0
command -v apt-get >/dev/null 2>&1 || missing "Chromium not found and no apt-get"
echo "[browser] installing Debian's chromium for the browser tests" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
{ $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
  && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
  || missing "installing Debian's chromium failed"
installed || missing "chromium was installed but is not at /usr/bin/chromium"
