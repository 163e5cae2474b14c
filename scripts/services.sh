#!/usr/bin/env bash
# Private PostgreSQL and Redis for one checkout, under var/.
#
#   scripts/services.sh install   install the OS packages that are missing (PostgreSQL, Redis)
#   scripts/services.sh start     start what is configured to be private (idempotent)
#   scripts/services.sh stop      stop the private servers of this checkout
#   scripts/services.sh status
#
# A server is private only when its URL is not configured: with DATABASE_URL set we never
# start PostgreSQL, with CELERY_BROKER_URL set we never start Redis. Both listen on Unix
# sockets under var/run only (no TCP port), so two checkouts run side by side and a server
# already on the machine is never touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
RUN="$VAR/run"
PGDATA="$VAR/postgres"
REDIS_DIR="$VAR/redis"
LOG="$VAR/log"
DB_NAME="newsroom"

log() { printf '\033[1;34m[services]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[services]\033[0m %s\n' "$*" >&2; exit 1; }

want_postgres() { [ -z "${DATABASE_URL:-}" ]; }
want_redis() { [ -z "${CELERY_BROKER_URL:-}" ]; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  echo ""
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  if want_postgres; then
    local bindir; bindir=$(pg_bindir)
    if [ -z "$bindir" ]; then missing+=(postgresql postgresql-contrib); fi
    # unaccent and pg_trgm live in contrib; Debian ships them with the server package.
    if [ -n "$bindir" ] && [ ! -f "$("$bindir/pg_config" --sharedir 2>/dev/null || echo /nonexistent)/extension/unaccent.control" ]; then
      missing+=(postgresql-contrib)
    fi
  fi
  if want_redis && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
  if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get: install them, or set DATABASE_URL / CELERY_BROKER_URL"
  log "installing OS packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# PostgreSQL refuses to run as root; when we are root, the cluster belongs to the
# 'postgres' system user that Debian's package creates.
pg_user_cmd() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() {
  local bindir; bindir=$(pg_bindir)
  [ -f "$PGDATA/PG_VERSION" ] && pg_user_cmd "$bindir/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

start_postgres() {
  local bindir; bindir=$(pg_bindir)
  [ -n "$bindir" ] || die "PostgreSQL is not installed (run: scripts/services.sh install)"
  mkdir -p "$RUN" "$LOG"
  if [ "$(id -u)" -eq 0 ]; then
    # The socket directory and log must be writable by the cluster's owner.
    chown postgres: "$RUN" "$LOG"
    chmod 755 "$VAR"
  fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in var/postgres"
    mkdir -p "$PGDATA"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA"
    pg_user_cmd "$bindir/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$LOG/initdb.log" 2>&1 || { cat "$LOG/initdb.log" >&2; die "initdb failed"; }
    cat >>"$PGDATA/postgresql.conf" <<EOF

# --- newsroom private cluster ---
listen_addresses = ''
unix_socket_directories = '$RUN'
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 512MB
jit = off
random_page_cost = 1.1
max_connections = 200
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
  fi
  if pg_running; then return 0; fi
  log "starting private PostgreSQL (socket in var/run)"
  pg_user_cmd "$bindir/pg_ctl" -D "$PGDATA" -l "$LOG/postgres.log" -w -t 60 start >/dev/null \
    || { tail -n 20 "$LOG/postgres.log" >&2; die "PostgreSQL did not start"; }
  if ! "$bindir/psql" -h "$RUN" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1; then
    "$bindir/createdb" -h "$RUN" -U postgres "$DB_NAME"
  fi
}

stop_postgres() {
  local bindir; bindir=$(pg_bindir)
  if [ -n "$bindir" ] && pg_running; then
    log "stopping private PostgreSQL"
    pg_user_cmd "$bindir/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
  fi
}

redis_running() {
  [ -S "$RUN/redis.sock" ] && redis-cli -s "$RUN/redis.sock" ping >/dev/null 2>&1
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || die "Redis is not installed (run: scripts/services.sh install)"
  mkdir -p "$RUN" "$REDIS_DIR" "$LOG"
  if redis_running; then return 0; fi
  log "starting private Redis (socket var/run/redis.sock)"
  # noeviction: a broker must never drop queued messages under memory pressure.
  # appendonly: queued tagging survives a Redis restart.
  redis-server --port 0 --unixsocket "$RUN/redis.sock" --unixsocketperm 770 \
    --daemonize yes --pidfile "$RUN/redis.pid" --dir "$REDIS_DIR" --logfile "$LOG/redis.log" \
    --save "" --appendonly yes --maxmemory-policy noeviction
  for _ in $(seq 1 50); do redis_running && return 0; sleep 0.1; done
  tail -n 20 "$LOG/redis.log" >&2
  die "Redis did not start"
}

stop_redis() {
  if redis_running; then
    log "stopping private Redis"
    redis-cli -s "$RUN/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
  install) install_packages ;;
  start)
    install_packages
    if want_postgres; then start_postgres; fi
    if want_redis; then start_redis; fi
    ;;
  stop)
    if want_postgres; then stop_postgres; fi
    if want_redis; then stop_redis; fi
    ;;
  status)
    if want_postgres; then pg_running && echo "postgres: running (private)" || echo "postgres: stopped (private)"; else echo "postgres: external (DATABASE_URL)"; fi
    if want_redis; then redis_running && echo "redis: running (private)" || echo "redis: stopped (private)"; else echo "redis: external (CELERY_BROKER_URL)"; fi
    ;;
  running)
    # exit 0 when every private server this checkout needs is up
    if want_postgres && ! pg_running; then exit 1; fi
    if want_redis && ! redis_running; then exit 1; fi
    ;;
  *) die "usage: $0 install|start|stop|status|running" ;;
esac
