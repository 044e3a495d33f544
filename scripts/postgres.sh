#!/usr/bin/env bash
# A private, throw-away PostgreSQL 15 + PostGIS cluster for the PostgreSQL store's tests.
#
#   scripts/postgres.sh start    install PostgreSQL 15 + PostGIS 3 if missing (apt), start the
#                                cluster ($PGPORT_WANTED, else the port it had last time if
#                                free, else a free one), wait until it accepts
#                                connections, check that `CREATE EXTENSION postgis` works, print
#                                UDACONNECT_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/postgres.sh stop     stop it
#   scripts/postgres.sh status   print the URL if it runs, exit 1 otherwise
#
# Then (stdout is only the URL line; progress goes to stderr):
#   pg="$(scripts/postgres.sh start)" && export "$pg"
#   cargo test -p udaconnect-store --locked -- --ignored postgres
#
# The cluster lives in ${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools}/pg (data/, socket/, log,
# port), trusts every local connection and runs with fsync=off: for tests only. A PostgreSQL
# already running on the machine (e.g. Debian's on 5432) is left alone.
set -euo pipefail

TOOLS="${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools}"
STATE="$TOOLS/pg"
DATA="$STATE/data"
SOCK="$STATE/socket"
LOG="$STATE/postgres.log"
BIN="/usr/lib/postgresql/15/bin"
POSTGIS_CONTROL="/usr/share/postgresql/15/extension/postgis.control"
READY_TIMEOUT_SECS=60

die() { echo "postgres.sh: error: $*" >&2; exit 1; }
say() { echo "postgres.sh: $*" >&2; }

# Runs a command as the cluster's owner: `postgres` when we are root (initdb refuses root).
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install() {
  if [[ -x "$BIN/initdb" && -x "$BIN/pg_ctl" && -f "$POSTGIS_CONTROL" ]]; then return; fi
  [[ "$(id -u)" == 0 ]] || die "PostgreSQL 15 + PostGIS missing and not root: apt-get install -y postgresql-15 postgresql-15-postgis-3"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install PostgreSQL 15 and PostGIS 3 by hand"
  say "installing postgresql-15 postgresql-15-postgis-3 (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null \
    || die "apt-get install postgresql-15 postgresql-15-postgis-3 failed"
  [[ -f "$POSTGIS_CONTROL" ]] || die "PostGIS installed but $POSTGIS_CONTROL is missing"
}

free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    accepts "$port" || { echo "$port"; return; }
  done
  die "no free port found"
}

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() { [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

url() { echo "UDACONNECT_TEST_POSTGRES=postgres://postgres@127.0.0.1:$1/postgres"; }

psql_at() {
  local port="$1"; shift
  PGOPTIONS="-c client_min_messages=warning" \
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

# `CREATE EXTENSION postgis` in a scratch database, which is dropped again.
check_postgis() {
  local port="$1" db="udaconnect_postgis_check"
  psql_at "$port" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" \
    || die "cannot create a database on port $port; log: $LOG"
  local version
  version="$(psql_at "$port" -d "$db" -t -A -c "CREATE EXTENSION postgis" -c "SELECT postgis_lib_version()")" \
    || { psql_at "$port" -d postgres -c "DROP DATABASE IF EXISTS $db" || true; die "CREATE EXTENSION postgis failed on port $port"; }
  psql_at "$port" -d postgres -c "DROP DATABASE $db" || die "cannot drop $db"
  say "PostGIS $version works"
}

start() {
  install
  mkdir -p "$STATE"
  chmod 755 "$TOOLS" "$STATE"
  if running; then
    local port; port="$(cat "$STATE/port")"
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" \
      || die "cluster in $DATA runs but 127.0.0.1:$port does not accept connections; log: $LOG"
    say "already running (data: $DATA, log: $LOG)"
    check_postgis "$port"
    url "$port"
    return
  fi
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    rm -rf "$DATA"
    mkdir -p "$DATA"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$DATA"
    say "initdb into $DATA"
    as_owner "$BIN/initdb" -D "$DATA" --auth=trust --username=postgres --encoding=UTF8 \
      --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
      || { cat "$STATE/initdb.log" >&2; die "initdb failed"; }
  fi
  # The wanted port, else the previous one if still free (exported URLs stay valid), else any.
  local port="${PGPORT_WANTED:-}" previous
  previous="$(cat "$STATE/port" 2>/dev/null || true)"
  if [[ -z "$port" && "$previous" =~ ^[0-9]+$ ]] && ! accepts "$previous"; then port="$previous"; fi
  [[ -n "$port" ]] || port="$(free_port)"
  [[ "$port" =~ ^[0-9]+$ ]] || die "PGPORT_WANTED must be a port number, got '$port'"
  accepts "$port" && die "port $port is already in use"
  mkdir -p "$SOCK"
  touch "$LOG"
  [[ "$(id -u)" == 0 ]] && chown postgres: "$SOCK" "$LOG"
  echo "$port" >"$STATE/port"
  as_owner "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t "$READY_TIMEOUT_SECS" \
    -o "-p $port -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" \
    >/dev/null || { tail -n 20 "$LOG" >&2 || true; die "pg_ctl start failed; log: $LOG"; }
  local deadline=$((SECONDS + READY_TIMEOUT_SECS))
  until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$LOG" >&2 || true
      stop >/dev/null 2>&1 || true
      die "PostgreSQL did not accept connections on 127.0.0.1:$port within ${READY_TIMEOUT_SECS}s; log: $LOG"
    fi
    sleep 0.2
  done
  say "PostgreSQL running on 127.0.0.1:$port (data: $DATA, log: $LOG)"
  check_postgis "$port"
  url "$port"
}

stop() {
  if running; then
    as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null || die "pg_ctl stop failed; log: $LOG"
    say "stopped"
  else
    say "not running"
  fi
}

status() {
  running || { say "not running"; return 1; }
  url "$(cat "$STATE/port")"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start | stop | status" >&2; exit 2 ;;
esac
