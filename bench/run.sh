#!/usr/bin/env bash
# Throughput and p99 latency of GET /users/ea3a81/connections/8fce3b (valid SERVER token)
# against sandbank on the default scenario, and against a bare hyper server returning the same
# bytes, under the same load on the same machine. Targets alternate round by round; the report
# gives the median of each and the ratio sandbank / baseline.
#
# Usage: bench/run.sh [ROUNDS] [SECONDS] [CONNECTIONS]   (defaults 5, 10, 64)
# Installs wrk from the distribution's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-10}
connections=${3:-64}
# With two or more CPUs, the servers run on one CPU and the load generator on another, so the
# load generator never steals the server's CPU and both targets get identical conditions.
cpus=$(nproc)
if [ "$cpus" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  server_pin="taskset -c 1"; load_pin="taskset -c 0"; threads=${WRK_THREADS:-1}
else
  server_pin=""; load_pin=""; threads=${WRK_THREADS:-2}
fi
out=bench/results
mkdir -p "$out"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null && $sudo_cmd apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin sandbank --example baseline

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# First line of a process's stdout, waiting up to 10 s.
first_line() {
  for _ in $(seq 100); do
    [ -s "$1" ] && { head -n1 "$1"; return; }
    sleep 0.1
  done
  echo "no start-up line in $1" >&2; exit 1
}

$server_pin target/release/sandbank serve --log-level warn --basiq-addr 127.0.0.1:0 --meld-addr 127.0.0.1:0 >"$out/sandbank.out" 2>&1 &
pids+=($!)
sandbank=$(first_line "$out/sandbank.out" | awk '{print $4}')

token=$(curl -sf -X POST "$sandbank/token" \
  -H 'Authorization: Basic c2FuZGJhbms6c2FuZGJveA==' -H 'basiq-version: 3.0' \
  -H 'Content-Type: application/x-www-form-urlencoded' -d scope=SERVER_ACCESS |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
path=/users/ea3a81/connections/8fce3b
curl -sf "$sandbank$path" -H "Authorization: Bearer $token" -o "$out/body.json"

$server_pin target/release/examples/baseline 127.0.0.1:0 "$out/body.json" >"$out/baseline.out" 2>&1 &
pids+=($!)
baseline=$(first_line "$out/baseline.out" | awk '{print $4}')

# Both must serve the same bytes.
curl -sf "$baseline$path" -o "$out/baseline-body.json"
cmp -s "$out/body.json" "$out/baseline-body.json" || { echo "bodies differ" >&2; exit 1; }

run() { # name url round
  $load_pin wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
    -H "Authorization: Bearer $token" -H 'Accept: application/json' "$2$path" >"$out/$1-$3.txt"
}
echo "wrk -t$threads -c$connections -d${seconds}s; server pinned: ${server_pin:-no}" >"$out/setup.txt"
for r in $(seq "$rounds"); do
  run sandbank "$sandbank" "$r"
  run baseline "$baseline" "$r"
done

python3 - "$out" "$rounds" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
def parse(name):
    rps, p99 = [], []
    for r in range(1, rounds + 1):
        text = open(f"{out}/{name}-{r}.txt").read()
        if re.search(r"Non-2xx|Socket errors", text):
            sys.exit(f"{name} round {r}: errors during the run:\n{text}")
        rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)))
        m = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
        p99.append(ms(m.group(1), m.group(2)))
    return statistics.median(rps), statistics.median(p99)
s_rps, s_p99 = parse("sandbank")
b_rps, b_p99 = parse("baseline")
print(f"rounds: {rounds}, median of each ({open(f'{out}/setup.txt').read().strip()})")
print(f"sandbank   {s_rps:10.0f} req/s   p99 {s_p99:7.2f} ms")
print(f"baseline   {b_rps:10.0f} req/s   p99 {b_p99:7.2f} ms")
print(f"throughput ratio (sandbank / baseline): {s_rps / b_rps:.2f}")
print(f"p99 ratio (baseline / sandbank):        {b_p99 / s_p99:.2f}")
PY
