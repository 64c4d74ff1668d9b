#!/usr/bin/env bash
# Scale: how long sandbank takes to load scenarios/crowd.toml (10,000 Basiq users, 1,000,000
# transactions), the memory it then holds, and the latency of filtered, paged transaction lists
# for random users of it. The baseline, measured in the same run, is the embedded default
# scenario (two users) answering the same kinds of requests.
#
# Usage: bench/scale.sh [ROUNDS] [REQUESTS]   (defaults 5 loads, 2000 requests per target)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
requests=${2:-2000}
out=bench/results/scale
mkdir -p "$out"
cargo build --release --quiet --bin sandbank

pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; }
trap cleanup EXIT

# start SCENARIO-ARGS...: starts the server; sets $secs (to its first answer) and $url.
start() {
  local log="$out/serve.out" t0
  url=""
  : >"$log"
  t0=$(date +%s.%N)
  target/release/sandbank serve --log-level warn --basiq-addr 127.0.0.1:0 --meld-addr 127.0.0.1:0 "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    url=$(awk '/^basiq listening on/ {print $4; exit}' "$log")
    if [ -n "$url" ] && curl -sf -o /dev/null "$url/__admin/health"; then
      secs=$(echo "$(date +%s.%N) - $t0" | bc)
      return
    fi
    sleep 0.01
  done
  echo "server did not start: $(cat "$log")" >&2
  exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
hwm_mib() { awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }

: >"$out/loads.txt"
for r in $(seq "$rounds"); do
  start
  echo "default $secs $(rss_mib)" >>"$out/loads.txt"
  stop
  start --scenario scenarios/crowd.toml
  echo "crowd $secs $(rss_mib)" >>"$out/loads.txt"
  stop
done

# Latency: one keep-alive connection, requests one after another.
start
python3 bench/lists.py "$url" "$requests" >"$out/default-latency.txt"
stop
start --scenario scenarios/crowd.toml
python3 bench/lists.py "$url" "$requests" >"$out/crowd-latency.txt"
echo "crowd rss-after $(rss_mib) peak $(hwm_mib)" >>"$out/loads.txt"
stop

python3 - "$out" <<'PY'
import statistics, sys
out = sys.argv[1]
loads = {"default": [], "crowd": []}
rss = {"default": [], "crowd": []}
after = ""
for line in open(f"{out}/loads.txt"):
    f = line.split()
    if f[1] == "rss-after":
        after = f"; after the latency run {f[2]} MiB (peak {f[4]} MiB)"
        continue
    loads[f[0]].append(float(f[1])); rss[f[0]].append(int(f[2]))
lat = {k: [float(x) for x in open(f"{out}/{k}-latency.txt")] for k in ("default", "crowd")}
def p(xs, q): xs = sorted(xs); return xs[min(len(xs) - 1, int(q * len(xs)))]
ld, lc = statistics.median(loads["default"]), statistics.median(loads["crowd"])
print(f"load to first answer (median of {len(loads['crowd'])}): crowd {lc:.2f} s, default {ld:.2f} s")
print(f"resident memory after load (median): crowd {statistics.median(rss['crowd']):.0f} MiB, "
      f"default {statistics.median(rss['default']):.0f} MiB{after}")
for k in ("crowd", "default"):
    print(f"filtered paged lists, {k}: p50 {p(lat[k], .5):.2f} ms, p90 {p(lat[k], .9):.2f} ms, "
          f"p99 {p(lat[k], .99):.2f} ms ({len(lat[k])} requests)")
print(f"p50 ratio crowd / default: {p(lat['crowd'], .5) / p(lat['default'], .5):.2f}")
PY
