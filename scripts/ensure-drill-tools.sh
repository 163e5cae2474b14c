#!/usr/bin/env bash
# The multi-host drill (entities/tests/test_multihost_drill.py) makes network namespaces with
# iproute2 (ip, ss) and reaches the test database over TCP through socat. Install them when
# missing. Without root the drill is skipped (namespaces need it); with CI set, tools that
# cannot be installed as root are an error: CI runs the drill, it never skips it for that.
set -euo pipefail
need=()
command -v ip >/dev/null 2>&1 && command -v ss >/dev/null 2>&1 || need+=(iproute2)
command -v socat >/dev/null 2>&1 || need+=(socat)
[ "${#need[@]}" -eq 0 ] && exit 0
skip() {
  if [ -n "${CI:-}" ] && [ "$(id -u)" -eq 0 ]; then
    echo "[drill] $1; CI is set, so the multi-host drill may not be skipped" >&2
    exit 1
  fi
  echo "[drill] $1; the multi-host drill will be skipped" >&2
  exit 0
}
[ "$(id -u)" -eq 0 ] || skip "missing ${need[*]} and not root"
command -v apt-get >/dev/null 2>&1 || skip "missing ${need[*]} and no apt-get"
echo "[drill] installing ${need[*]} for the multi-host drill" >&2
{ env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
  && env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } \
  || skip "installing ${need[*]} failed"
