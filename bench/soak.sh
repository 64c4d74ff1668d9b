#!/usr/bin/env bash
# Soak: REQUESTS mixed requests (default 1,000,000) over both vendors against a release build of
# sandbank on the default scenario, every status and envelope checked, the server's resident
# memory sampled at start, middle and end (bench/soak.rs). Exits non-zero on any unexpected
# answer.
#
# Usage: bench/soak.sh [REQUESTS] [CONNECTIONS]   (defaults 1000000, 8)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000000}
connections=${2:-8}
out=bench/results
mkdir -p "$out"
cargo build --release --quiet --bin sandbank --example soak
target/release/sandbank serve --log-level warn --basiq-addr 127.0.0.1:0 --meld-addr 127.0.0.1:0 >"$out/soak-server.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ "$(wc -l <"$out/soak-server.out")" -ge 2 ] && break
  sleep 0.1
done
basiq=$(awk '/^basiq listening/ {print $4}' "$out/soak-server.out")
meld=$(awk '/^meld listening/ {print $4}' "$out/soak-server.out")
[ -n "$basiq" ] && [ -n "$meld" ] || { echo "the server did not start" >&2; cat "$out/soak-server.out" >&2; exit 1; }
target/release/examples/soak "$basiq" "$meld" "$pid" "$requests" "$connections"
