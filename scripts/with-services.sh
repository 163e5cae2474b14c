#!/usr/bin/env bash
# Run a command with this checkout's private PostgreSQL and Redis up.
# Servers that were already running (a 'make run' in another terminal) are left running;
# servers this script started are stopped when the command ends, Ctrl-C included.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES="$ROOT/scripts/services.sh"

started=0
if ! "$SERVICES" running; then
  "$SERVICES" start
  started=1
fi
cleanup() {
  if [ "$started" -eq 1 ]; then "$SERVICES" stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

set +e
"$@"
status=$?
set -e
exit "$status"
