#!/usr/bin/env bash
# Runs the Postman collection docs/postman.json with newman.
#
#   scripts/postman.sh              build the debug binary, start `udaconnect serve` (embedded
#                                   store and log, demo data) on a free port in a temporary data
#                                   directory, run the collection against it, stop the server
#   scripts/postman.sh BASE_URL     run the collection against a running gateway instead, e.g.
#                                   http://localhost:30001 (Kubernetes) or http://localhost:8080,
#                                   signing in as admin with UDACONNECT_ADMIN_PASSWORD
#
# Exits non-zero if the build, the server, any request or test, or the server's clean shutdown
# fails. newman is installed with npm (Node.js >= 16 needed) under
# ${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools}/newman on first use. The build honours
# CARGO_TARGET_DIR (and any target directory cargo is configured with).
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools}"
NEWMAN_DIR="$TOOLS/newman"
NEWMAN="$NEWMAN_DIR/node_modules/.bin/newman"
NEWMAN_VERSION="6"
START_TIMEOUT_SECS=60
STOP_TIMEOUT_SECS=20

die() { echo "postman.sh: error: $*" >&2; exit 1; }
say() { echo "postman.sh: $*" >&2; }

[[ $# -le 1 ]] || die "usage: $0 [BASE_URL]"
command -v node >/dev/null 2>&1 || die "node not found (newman needs Node.js >= 16)"
command -v npm >/dev/null 2>&1 || die "npm not found (needed to install newman)"

if [[ ! -x "$NEWMAN" ]]; then
  say "installing newman@$NEWMAN_VERSION into $NEWMAN_DIR"
  mkdir -p "$NEWMAN_DIR"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$NEWMAN_DIR" \
    "newman@$NEWMAN_VERSION" >&2 || die "npm install newman failed"
  [[ -x "$NEWMAN" ]] || die "newman installed but $NEWMAN is missing"
fi

server_pid=""
data_dir=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [[ -n "$data_dir" ]] && rm -rf "$data_dir"
  return 0
}
trap cleanup EXIT

if [[ $# -eq 1 ]]; then
  base_url="${1%/}"
else
  command -v cargo >/dev/null 2>&1 || die "cargo not found; install the Rust toolchain (https://rustup.rs)"
  say "building the udaconnect binary (debug)"
  cargo build --locked --bin udaconnect >&2 || die "cargo build failed"
  # Where cargo put it: CARGO_TARGET_DIR, a configured target-dir, or ./target.
  target_dir="$(cargo metadata --format-version 1 --no-deps --locked \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
  bin="$target_dir/debug/udaconnect"
  [[ -x "$bin" ]] || die "built, but $bin is missing"

  data_dir="$(mktemp -d "${TMPDIR:-/tmp}/udaconnect-postman.XXXXXX")"
  "$bin" serve --http-addr 127.0.0.1:0 --data-dir "$data_dir/data" \
    >"$data_dir/stdout.log" 2>"$data_dir/stderr.log" &
  server_pid=$!

  # The banner's "REST API   http://127.0.0.1:PORT/api/persons" line gives the address.
  base_url=""
  deadline=$((SECONDS + START_TIMEOUT_SECS))
  while [[ -z "$base_url" ]]; do
    base_url="$(sed -n 's#^ *REST API *\(http://[^ ]*\)/api/persons.*#\1#p' "$data_dir/stdout.log")"
    [[ -n "$base_url" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 30 "$data_dir/stderr.log" >&2 || true
      die "udaconnect serve exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$data_dir/stderr.log" >&2 || true
      die "udaconnect serve printed no REST API address within ${START_TIMEOUT_SECS}s"
    fi
    sleep 0.1
  done
  # A fresh data directory: the banner shows the first admin's generated password once.
  admin_password="$(sed -n 's#^ *Sign in *username admin, password \([^ ]*\).*#\1#p' "$data_dir/stdout.log")"
  [[ -n "$admin_password" ]] || die "the banner showed no first admin password"
  say "server pid $server_pid at $base_url (data: $data_dir/data)"
fi

status=0
"$NEWMAN" run docs/postman.json --env-var "baseUrl=$base_url" \
  --env-var "adminPassword=${admin_password:-${UDACONNECT_ADMIN_PASSWORD:-}}" \
  --timeout-request 10000 --reporters cli || status=$?

if [[ -n "$server_pid" ]]; then
  # Stop as Kubernetes would (SIGTERM) and expect a clean, prompt exit.
  kill -TERM "$server_pid"
  deadline=$((SECONDS + STOP_TIMEOUT_SECS))
  while kill -0 "$server_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$server_pid" 2>/dev/null; then
    say "server did not stop within ${STOP_TIMEOUT_SECS}s of SIGTERM"
    status=1
  else
    server_status=0
    wait "$server_pid" || server_status=$?
    server_pid=""
    if ((server_status != 0)); then
      tail -n 30 "$data_dir/stderr.log" >&2 || true
      say "server exited with status $server_status"
      status=1
    fi
  fi
fi

if ((status == 0)); then
  say "all requests and tests passed"
else
  say "FAILED (status $status)"
fi
exit "$status"
