#!/usr/bin/env bash
# The test command of the README: every unit, integration and end-to-end test of the
# workspace. End-to-end tests spawn the real `udaconnect` binary on port 0 with temporary
# data directories, so nothing needs to be running beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install the Rust toolchain (https://rustup.rs)" >&2
  exit 1
fi

cargo test --workspace --locked "$@"
