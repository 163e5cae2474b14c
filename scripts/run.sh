#!/usr/bin/env bash
# 'make run': migrate, load the demo archive into an empty database, then run the web
# server, a Celery worker and the scheduler in the foreground (honcho, Procfile) until Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
export PORT="${PORT:-8000}"
# The spool folder agencies drop files into (docs/ingest.md#spool-folder); off outside make run.
export INGEST_SPOOL_DIR="${INGEST_SPOOL_DIR:-$ROOT/var/spool}"

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_demo --if-empty
echo
echo "  Newsroom is up: http://127.0.0.1:${PORT}/  (admin: http://127.0.0.1:${PORT}/admin/)"
echo "  Files dropped into $INGEST_SPOOL_DIR are imported by the worker (admin: Spool files)."
echo "  Create an editor account in another terminal: .venv/bin/python manage.py createsuperuser"
echo
exec "$ROOT/.venv/bin/honcho" --no-colour -f "$ROOT/Procfile" -d "$ROOT" start
