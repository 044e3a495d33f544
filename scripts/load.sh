#!/usr/bin/env bash
# End-to-end load run: the real binary, a simulated conference streamed through gRPC ingest,
# measured by `udaconnect simulate --report` (acknowledged fixes/s, time until every
# acknowledged fix is stored, detection latency from ingest ack to contact event, contact
# query percentiles). Figures go in docs/benchmarks.md.
#
#   scripts/load.sh embedded      one process, embedded log + SQLite:
#                                   1. as fast as it accepts   2. at $LOAD_DETECT_RATE fixes/s
#   scripts/load.sh distributed   separate processes over Kafka (tansu) + PostgreSQL/PostGIS
#                                 (both installed and started by scripts/kafka.sh and
#                                 scripts/postgres.sh): ingest+persons, writer, connections,
#                                 detector; then raw COPY of the same rows into a table with
#                                 the same indexes, same run, and the ratio
#   scripts/load.sh all           both (default)
#
# Environment: LOAD_ATTENDEES (default 1000), LOAD_DAYS (1; one day is ~360 fixes per
# attendee), LOAD_DETECT_RATE (20000), LOAD_QUERY_RATE (20), LOAD_STREAMS (4),
# LOAD_LATENESS_S (the detector's --detector-lateness-s; default: twice the fix time one tenth
# of a second of sending covers at LOAD_DETECT_RATE), LOAD_WRITER_IN_FLIGHT (the writer's
# --writer-in-flight; several values, e.g. "1 3", run the distributed part once each, in one
# run; the COPY comparison uses the last), LOAD_DETECTOR (1; 0 leaves the detector out of the
# distributed run, which then measures the ingest path alone), LOAD_WRITER_BATCH (the
# writer's --writer-batch, 10000), LOAD_BIN (a udaconnect binary to measure instead of building
# the release one, e.g. one built with --no-default-features: the system allocator),
# LOAD_DISTRIBUTED_RATE (fixes/s of the distributed runs; 0, the default, is as fast as
# ingest accepts, for throughput; e.g. 20000 for detection latency), LOAD_COMPARE (1; 0 skips
# the writer-alone and raw COPY comparisons after the distributed runs), LOAD_STORE_NICE (0; a
# niceness for the writer and every PostgreSQL process in the distributed runs: on one
# machine, the storage path then yields the CPU to the detection path, as separate nodes or
# CPU requests would give each its own), LOAD_DETECTOR_ARGS (more flags for the detector
# process only, e.g. "--kafka-property fetch.wait.max.ms=100"), LOAD_CONNECTIONS_ARGS (the
# same for the connections process: its read model and the contact feeds).
#
# Time is compressed: at 20,000 fixes/s, 1,000 attendees with a fix every 240 s, one second
# of sending covers 4,800 s of conference. The simulator sends a tenth of a second's worth at a
# time, split over the partitions, so fixes reach the detector interleaved over ~480 s of fix
# time, not the few hundred milliseconds of a live conference; the detector's lateness is set
# to cover that (at real time the default 30 s covers any partition skew).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"
case "$mode" in embedded|distributed|all) ;; *) echo "usage: $0 [embedded|distributed|all]" >&2; exit 2;; esac

ATTENDEES="${LOAD_ATTENDEES:-1000}"
DAYS="${LOAD_DAYS:-1}"
DETECT_RATE="${LOAD_DETECT_RATE:-20000}"
QUERY_RATE="${LOAD_QUERY_RATE:-20}"
STREAMS="${LOAD_STREAMS:-4}"
WRITER_IN_FLIGHT="${LOAD_WRITER_IN_FLIGHT:-3}"
DETECTOR="${LOAD_DETECTOR:-1}"
DISTRIBUTED_RATE="${LOAD_DISTRIBUTED_RATE:-0}"
WRITER_BATCH="${LOAD_WRITER_BATCH:-10000}"
COMPARE="${LOAD_COMPARE:-1}"
STORE_NICE="${LOAD_STORE_NICE:-0}"
LATENESS_S="${LOAD_LATENESS_S:-$(( 2 * DETECT_RATE / 10 * 240 / ATTENDEES ))}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

say() { printf '\n### %s\n' "$*"; }
die() { echo "load.sh: error: $*" >&2; exit 1; }

if [[ -n "${LOAD_BIN:-}" ]]; then
  BIN="$LOAD_BIN" # e.g. a build with other features, for a side-by-side run
  say "using $BIN"
else
  say "building the release binary"
  cargo build --release --locked --bin udaconnect
  BIN="$CARGO_TARGET_DIR/release/udaconnect"
fi
WORK="$(mktemp -d /var/tmp/udaconnect-load.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# account NAME STORE-ARGS…: an organiser account `load` in that store; sets PASSWORD.
PASSWORD="load-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
account() {
  local name="$1"; shift
  echo "$PASSWORD" | "$BIN" admin create --log warn --username load --password-stdin \
    --data-dir "$WORK/$name" "$@" >/dev/null
}

# login HTTP-BASE: signs in as `load`; sets TOKEN.
login() {
  TOKEN="$(curl -fsS -X POST -u "load:$PASSWORD" "$1/api/v2/auth/login" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')" \
    || die "signing in at $1 failed"
}

# start NAME ARGS…: `udaconnect serve` in the background; waits for its banner; sets GRPC
# and HTTP.
start() {
  local name="$1"; shift
  local grpc_port; grpc_port="$(free_port)"
  ${NICE_PREFIX:-} "$BIN" serve --http-addr 127.0.0.1:0 --grpc-addr "127.0.0.1:$grpc_port" \
    --data-dir "$WORK/$name" --no-demo-data --log warn --detector-lateness-s "$LATENESS_S" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.log" &
  PIDS+=("$!")
  for _ in $(seq 1 600); do
    if grep -q '^  Health' "$WORK/$name.out" 2>/dev/null; then
      GRPC="http://127.0.0.1:$grpc_port"
      HTTP="$(sed -n 's#^  Health *\(http://[^ ]*\)/health.*#\1#p' "$WORK/$name.out" | head -n 1)"
      return
    fi
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.1
  done
  die "$name did not start within 60 s; log: $(tail -5 "$WORK/$name.log")"
}

# cpu_account START|END FIXES: where the CPU went between the two calls, per process
# (scripts/cpu.py), in µs per fix, and the throughput that bounds on this machine.
cpu_account() {
  case "$1" in
    start) rm -f "$WORK/generator.cpu"; python3 scripts/cpu.py snap "$WORK/cpu.before" ;;
    end)
      python3 scripts/cpu.py snap "$WORK/cpu.after"
      python3 scripts/cpu.py report "$WORK/cpu.before" "$WORK/cpu.after" "$2" \
        $([[ -s "$WORK/generator.cpu" ]] && echo "$WORK/generator.cpu")
      ;;
  esac
}

# simulate ARGS…: the load generator with --report, and the run's CPU account.
simulate() {
  cpu_account start
  /usr/bin/time -f '%U %S' -o "$WORK/generator.cpu" \
    "$BIN" simulate --attendees "$ATTENDEES" --days "$DAYS" --streams "$STREAMS" \
    --query-rate "$QUERY_RATE" --token "$TOKEN" --report "$@" | tee "$WORK/simulate.out"
  cpu_account end "$(sed -n 's/^ingest: *\([0-9]*\) fixes acknowledged.*/\1/p' "$WORK/simulate.out")"
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
}

# store_nice N: niceness N for the PostgreSQL that scripts/postgres.sh started (its
# postmaster and every backend, those the writer opened included).
store_nice() {
  local pid
  pid="$(head -n 1 "${UDACONNECT_TOOLS:-/var/tmp/udaconnect-tools}/pg/data/postmaster.pid")"
  # shellcheck disable=SC2046 # one pid per word
  renice -n "$1" -p "$pid" $(pgrep -P "$pid") >/dev/null
}

# database RUN: the name of distributed run RUN's database.
database() { echo "udaconnect_load_$$_$1"; }

# deployment RUN: a fresh database, topic prefix and `load` account for distributed run RUN;
# sets STORE and common (the flags every process of the run gets).
deployment() {
  local db; db="$(database "$1")"
  "$PSQL" -X -q "$UDACONNECT_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  STORE="${UDACONNECT_TEST_POSTGRES%/*}/$db"
  common=(--store "$STORE" --bus "$BUS" --topic-prefix "load$$-$1." --auth-key-file "$WORK/auth.key")
  account "distributed-$1" --store "$STORE"
}

# front RUN: connections, then persons+ingest+gateway (the gateway signs in, and needs
# connections); sets CONNECTIONS, INGEST, GATEWAY and signs in (TOKEN).
front() {
  start "connections-$1" --target connections "${common[@]}" ${LOAD_CONNECTIONS_ARGS:-}; CONNECTIONS="$GRPC"
  start "persons-ingest-$1" --target persons,ingest,gateway --connections-url "$CONNECTIONS" "${common[@]}"
  INGEST="$GRPC"; GATEWAY="$HTTP"
  login "$GATEWAY"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "conference: $ATTENDEES attendees, $DAYS day(s), a fix every 240 s ± 25 % per attendee; detector lateness $LATENESS_S s"

if [[ "$mode" == embedded || "$mode" == all ]]; then
  say "embedded, one process: as fast as ingest accepts"
  account embedded-max
  start embedded-max
  login "$HTTP"
  simulate --ingest-url "$GRPC" --rate 0
  stop_all

  say "embedded, one process: $DETECT_RATE fixes/s (detection latency)"
  account embedded-rate
  start embedded-rate
  login "$HTTP"
  simulate --ingest-url "$GRPC" --rate "$DETECT_RATE"
  stop_all
fi

if [[ "$mode" == distributed || "$mode" == all ]]; then
  say "starting Kafka (tansu) and PostgreSQL + PostGIS"
  kafka_env="$(scripts/kafka.sh start)" || die "the Kafka broker did not come up"
  pg_env="$(scripts/postgres.sh start)" || die "PostgreSQL + PostGIS did not come up"
  eval "$kafka_env"; eval "$pg_env"
  PSQL="$(ls /usr/lib/postgresql/*/bin/psql | head -n 1)"
  BUS="kafka://$KAFKA_BROKERS"
  "$BIN" auth-key --out "$WORK/auth.key" >/dev/null
  run=0
  for in_flight in $WRITER_IN_FLIGHT; do
    run=$((run + 1))
    deployment "$run"
    say "distributed: ingest+persons(+gateway for sign-in) | writer (--writer-in-flight $in_flight) | connections$( ((DETECTOR)) && echo ' | detector'), over Kafka + PostGIS"
    front "$run"
    NICE_PREFIX="nice -n $STORE_NICE" start "writer-$run" --target writer --writer-in-flight "$in_flight" --writer-batch "$WRITER_BATCH" "${common[@]}"
    [[ "$STORE_NICE" == 0 ]] || store_nice "$STORE_NICE"
    if [[ "$DETECTOR" == 1 ]]; then
      start "detector-$run" --target detector "${common[@]}" ${LOAD_DETECTOR_ARGS:-}; DETECTOR_HTTP="$HTTP"
      # Measure detection once the detector has joined its group (a few seconds on tansu, as
      # on Kafka with its initial rebalance delay), not the backlog of its start-up.
      for _ in $(seq 1 300); do
        curl -fsS "$DETECTOR_HTTP/metrics" | grep -qE '^udaconnect_detector_assigned_partitions [1-9]' && break
        sleep 0.1
      done
    fi
    simulate --ingest-url "$INGEST" --connections-url "$CONNECTIONS" --rate "$DISTRIBUTED_RATE" | tee "$WORK/distributed-$run.txt"
    if [[ "$DETECTOR" == 1 ]]; then
      # The detector's own share of the detection latency: ingest ack -> episode appended.
      curl -fsS "$DETECTOR_HTTP/metrics" >"$WORK/detector.metrics" || true
      python3 scripts/histogram.py udaconnect_detector_latency_seconds \
        "detector's share (ingest ack -> started event appended to the contacts topic)" <"$WORK/detector.metrics" || true
      python3 scripts/histogram.py udaconnect_detector_poll_lag_seconds "detector: ingest ack -> polled (oldest fix of each batch)" <"$WORK/detector.metrics" || true
      python3 scripts/histogram.py udaconnect_detector_match_duration_seconds "detector: matching one batch" <"$WORK/detector.metrics" || true
      python3 scripts/histogram.py udaconnect_detector_append_duration_seconds "detector: appending one batch's events" <"$WORK/detector.metrics" || true
    fi
    stop_all
    [[ "$STORE_NICE" == 0 ]] || store_nice 0
    grep '^stored:' "$WORK/distributed-$run.txt" | sed "s/^/writer in flight $in_flight: /" >>"$WORK/stored-lines.txt" || true
    [[ "$run" == 1 ]] || "$PSQL" -X -q "$UDACONNECT_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $(database $((run - 1))) WITH (FORCE)" >/dev/null || true
  done
  last_run="$run"
  if [[ "$COMPARE" != 1 ]]; then exit 0; fi

  say "distributed, the writer's stage alone: the fixes first go to Kafka with no writer running, then a writer (--writer-in-flight $in_flight) stores the backlog"
  run=$((run + 1))
  deployment "$run"
  # The front as in the runs above; its read model catches up with the backlog before the
  # writer starts.
  front "$run"
  "$BIN" simulate --attendees "$ATTENDEES" --days "$DAYS" --streams "$STREAMS" --token "$TOKEN" \
    --ingest-url "$INGEST" --rate 0 | tee "$WORK/drain.txt"
  backlog="$(sed -n 's/^simulated [0-9]* attendees and \([0-9]*\) fixes.*/\1/p' "$WORK/drain.txt")"
  [[ -n "$backlog" ]] || die "the drain run's simulation printed no count"
  sleep 3 # the read model catches up with the backlog
  cpu_account start
  start "writer-$run" --target writer --writer-in-flight "$in_flight" --writer-batch "$WRITER_BATCH" "${common[@]}"
  # Timed from the first stored fix (joining the group takes a few seconds on tansu) to the
  # last, read off the writer's own counter (cheap; a count(*) poll would load PostgreSQL),
  # by one process polling every 50 ms (a curl per poll cost a fifth of a core).
  DRAIN_LINE="$(python3 - "$HTTP/metrics" "$backlog" <<'EOF'
import re, sys, time, urllib.request
url, backlog = sys.argv[1], int(sys.argv[2])
def stored():
    with urllib.request.urlopen(url, timeout=5) as page:
        m = re.search(rb"^udaconnect_writer_fixes_stored_total ([0-9]+)", page.read(), re.M)
    return int(m.group(1)) if m else 0
deadline, first = time.monotonic() + 300, None
while True:
    n, now = stored(), time.monotonic()
    if first is None and n > 0:
        first, t0 = n, now
    if n >= backlog:
        break
    if now > deadline:
        sys.exit(f"the writer stored {n} of {backlog} within 300 s")
    time.sleep(0.05)
k = backlog - first
print(f"writer alone: {k} fixes from Kafka stored in {now - t0:.2f} s after its first batch ({k / max(now - t0, 1e-9):.0f} fixes/s, including nothing of its start-up)")
EOF
)" || die "the writer's stage alone did not finish"
  curl -fsS "$HTTP/metrics" | grep -E '^udaconnect_writer_(batch_duration_seconds_(sum|count)|fixes_stored_total)' || true
  echo "$DRAIN_LINE"
  cpu_account end "$backlog"
  stop_all
  "$PSQL" -X -q "$UDACONNECT_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $(database "$run") WITH (FORCE)" >/dev/null || true
  # The COPY below works on the last measured run's rows.
  db="$(database "$last_run")"
  STORE="${UDACONNECT_TEST_POSTGRES%/*}/$db"

  say "raw COPY of the same rows into a table with the same indexes (same run)"
  rows="$("$PSQL" -X -q -t -A "$STORE" -c "SELECT count(*) FROM location")"
  # Client-side COPY (psql \copy = COPY … FROM STDIN), as a bulk loader sends it.
  "$PSQL" -X -q "$STORE" \
    -c "\\copy (SELECT * FROM location ORDER BY id) TO '$WORK/location.copy'" \
    -c "CREATE TABLE location_copy (LIKE location INCLUDING ALL)" >/dev/null
  cpu_account start
  t0="$(date +%s.%N)"
  "$PSQL" -X -q "$STORE" -c "\\copy location_copy FROM '$WORK/location.copy'" >/dev/null
  t1="$(date +%s.%N)"
  echo "(psql and its backend have exited: the COPY's CPU is under \"other\")"
  cpu_account end "$rows"
  # LIKE … INCLUDING ALL copies indexes, not triggers or foreign keys. The same again into
  # a table that checks person ids as `location` does (migration 0004's statement trigger,
  # what the writer's COPY pays), and into one with the per-row foreign key it replaced.
  # (A binary from before migration 0004, given as LOAD_BIN, has no check function: that
  # table then goes without, and its figure is the raw COPY's again.)
  "$PSQL" -X -q "$STORE" -c "CREATE TABLE location_copy_check (LIKE location INCLUDING ALL)" >/dev/null
  "$PSQL" -X -q "$STORE" -c "CREATE TRIGGER location_copy_check AFTER INSERT ON location_copy_check REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION location_person_check()" >/dev/null \
    || echo "(no location_person_check in this schema: a binary from before migration 0004)"
  "$PSQL" -X -q "$STORE" -c "CREATE TABLE location_copy_fk (LIKE location INCLUDING ALL)" \
    -c "ALTER TABLE location_copy_fk ADD FOREIGN KEY (person_id) REFERENCES person (id)" >/dev/null
  c0="$(date +%s.%N)"
  "$PSQL" -X -q "$STORE" -c "\\copy location_copy_check FROM '$WORK/location.copy'" >/dev/null
  c1="$(date +%s.%N)"
  f0="$(date +%s.%N)"
  "$PSQL" -X -q "$STORE" -c "\\copy location_copy_fk FROM '$WORK/location.copy'" >/dev/null
  f1="$(date +%s.%N)"
  indexes="$("$PSQL" -X -q -t -A "$STORE" -c "SELECT string_agg(indexdef, '; ') FROM pg_indexes WHERE tablename = 'location_copy'")"
  stored_line="$(grep '^stored:' "$WORK/distributed-$last_run.txt" || true)"
  echo "stored, per writer setting:"; cat "$WORK/stored-lines.txt" 2>/dev/null || true
  python3 - "$rows" "$t0" "$t1" "$stored_line" "$indexes" "$DRAIN_LINE" "$DISTRIBUTED_RATE" "$f0" "$f1" "$c0" "$c1" <<'EOF'
import re, sys
rows, t0, t1, stored, indexes, drain = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
fixed_rate = int(sys.argv[7]) != 0
copy_rate = rows / (t1 - t0)
fk_rate = rows / (float(sys.argv[9]) - float(sys.argv[8]))
check_rate = rows / (float(sys.argv[11]) - float(sys.argv[10]))
print(f"COPY: {rows} rows in {t1 - t0:.2f} s ({copy_rate:.0f} rows/s) into a table with: {indexes}")
print(f"COPY with location's person check as well (per statement, as the writer's COPY): {check_rate:.0f} rows/s ({100 * check_rate / copy_rate:.0f} % of the COPY above)")
print(f"COPY with a per-row foreign key to person instead (the schema before migration 0004): {fk_rate:.0f} rows/s ({100 * fk_rate / copy_rate:.0f} % of the COPY above)")
m = re.search(r"\(([0-9]+) fixes/s from first send to stored\)", stored)
if m and fixed_rate:
    print("end to end at a fixed rate: no throughput ratio (LOAD_DISTRIBUTED_RATE=0 measures it)")
elif m:
    rate = int(m.group(1))
    print(f"distributed ingest (gRPC ack -> Kafka -> writer -> PostGIS) / COPY: {rate} / {copy_rate:.0f} = {100 * rate / copy_rate:.0f} %")
else:
    print("distributed ingest did not store every fix in time: no ratio")
    sys.exit(1)
d = re.search(r"\(([0-9]+) fixes/s, including", drain)
if d:
    print(f"the writer's stage alone (Kafka backlog -> writer -> PostGIS) / COPY: {d.group(1)} / {copy_rate:.0f} = {100 * int(d.group(1)) / copy_rate:.0f} %")
    print(f"the writer's stage alone / COPY with the person check: {d.group(1)} / {check_rate:.0f} = {100 * int(d.group(1)) / check_rate:.0f} %")
EOF
  "$PSQL" -X -q "$UDACONNECT_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
fi
