#!/usr/bin/env bash
# End-to-end tests of the web UI in a real browser: headless Chromium (Debian's `chromium`
# and `chromium-driver` packages) driven by playwright-core (npm, pinned by
# tests/browser/package-lock.json) against a real `udaconnect serve` (debug build, embedded
# store and log, demo data, free ports, temporary data directory; started by the tests).
#
#   scripts/browser-test.sh
#
# Installs what is missing: Chromium with apt-get (root or sudo), playwright-core with npm
# into tests/browser/node_modules. Fails loudly when Chromium, node or npm cannot be had.
# Screenshots of every view are written to docs/screenshots/ (SCREENSHOT_DIR overrides).
# The build honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium

die() { echo "browser-test.sh: error: $*" >&2; exit 1; }
say() { echo "browser-test.sh: $*" >&2; }

if [[ ! -x "$CHROMIUM" ]]; then
  say "Chromium is not installed: installing the Debian packages chromium and chromium-driver"
  command -v apt-get >/dev/null 2>&1 || die "Chromium is missing at $CHROMIUM and apt-get is not available to install it"
  sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "Chromium is missing at $CHROMIUM; installing it needs root (apt-get install chromium chromium-driver)"
    sudo="sudo"
  fi
  $sudo apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >&2 \
    || die "apt-get install chromium chromium-driver failed"
fi
[[ -x "$CHROMIUM" ]] || die "Chromium is still missing at $CHROMIUM"
say "$("$CHROMIUM" --headless --no-sandbox --version 2>/dev/null || echo 'chromium (version unknown)')"

command -v node >/dev/null 2>&1 || die "node not found (Node.js >= 20 runs the tests)"
command -v npm >/dev/null 2>&1 || die "npm not found (needed to install playwright-core)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || die "Node.js >= 20 needed, found $(node --version)"
say "installing playwright-core (tests/browser/package-lock.json)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci in tests/browser failed"

command -v cargo >/dev/null 2>&1 || die "cargo not found; install the Rust toolchain (https://rustup.rs)"
say "building the udaconnect binary (debug)"
cargo build --locked --bin udaconnect >&2 || die "cargo build failed"
target_dir="$(cargo metadata --format-version 1 --no-deps --locked \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
bin="$target_dir/debug/udaconnect"
[[ -x "$bin" ]] || die "built, but $bin is missing"

say "running the browser tests against $bin"
UDACONNECT_BIN="$bin" CHROMIUM="$CHROMIUM" SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/docs/screenshots}" \
  node --test --test-concurrency=1 --test-timeout=180000 tests/browser/ui.test.mjs
