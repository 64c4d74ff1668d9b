#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind (the same for the same binary and
# inputs whatever else the machine does): the seed GET (GET /users/ea3a81/connections/8fce3b
# with a valid token) against sandbank and against the bare hyper server of bench/baseline.rs
# serving the same bytes, plus Meld's GET /bank-linking/connections/{id} and a filtered Basiq
# transactions page. Each target serves WARMUP requests uncounted, then REQUESTS counted on one
# keep-alive connection; the report gives instructions per request, the ratio to the baseline
# and the top inclusive costs of sandbank's request path.
#
# Usage: bench/instructions.sh [REQUESTS] [WARMUP]   (defaults 20000, 2000)
# Installs valgrind from the distribution's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-20000}
warmup=${2:-2000}
out=bench/results/instructions
mkdir -p "$out"
if ! command -v valgrind >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null && $sudo_cmd apt-get install -y -qq valgrind >/dev/null
fi
cargo build --release --quiet --bin sandbank --example baseline

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# First line of a file, waiting up to 60 s (valgrind starts slowly).
first_line() {
  for _ in $(seq 600); do
    [ -s "$1" ] && grep -q listening "$1" && { grep -m1 listening "$1"; return; }
    sleep 0.1
  done
  echo "no start-up line in $1" >&2; exit 1
}

# drive URL PATH HEADER N: N GETs of PATH on one keep-alive connection, each answered 200.
drive() {
  python3 - "$@" <<'PY'
import http.client, sys, urllib.parse
url, path, header, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlparse(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
h = dict([header.split(": ", 1)]) if header else {}
for _ in range(n):
    c.request("GET", path, headers=h); r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
}

# measure NAME SERVER URL PATH [HEADER]: counted instructions per request of SERVER (whose
# callgrind pid is in SERVER.pid) answering GET PATH at URL, recorded as NAME.
measure() {
  local name=$1 server=$2 url=$3 path=$4 header=${5:-}
  local pid; pid=$(cat "$out/$server.pid")
  drive "$url" "$path" "$header" "$warmup"
  callgrind_control -z "$pid" >/dev/null 2>&1 2>&1
  callgrind_control -i on "$pid" >/dev/null 2>&1
  drive "$url" "$path" "$header" "$requests"
  callgrind_control -i off "$pid" >/dev/null 2>&1
  rm -f "$out/$name".callgrind.*
  callgrind_control -d "$name" "$pid" >/dev/null 2>&1
  sleep 1
  local file; file=$(ls -t "$out"/callgrind.out.* 2>/dev/null | head -1)
  mv "$file" "$out/$name.callgrind"
  local total; total=$(grep -m1 '^totals:' "$out/$name.callgrind" | awk '{print $2}')
  echo "$name $total" >>"$out/totals.txt"
}

rm -f "$out"/totals.txt "$out"/callgrind.out.*
start() { # NAME COMMAND...
  local name=$1; shift
  (cd "$out" && exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$PWD/callgrind.out.%p" "$@" >"$name.log" 2>&1) &
  pids+=($!)
  echo $! >"$out/$name.pid"
}

start sandbank "$PWD/target/release/sandbank" serve --log-level warn --basiq-addr 127.0.0.1:0 --meld-addr 127.0.0.1:0
basiq=$(first_line "$out/sandbank.log" | awk '/basiq listening/ {print $4}')
meld=$(grep -m1 'meld listening' "$out/sandbank.log" | awk '{print $4}')
token=$(curl -sf -X POST "$basiq/token" \
  -H 'Authorization: Basic c2FuZGJhbms6c2FuZGJveA==' -H 'basiq-version: 3.0' \
  -H 'Content-Type: application/x-www-form-urlencoded' -d scope=SERVER_ACCESS |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
seed=/users/ea3a81/connections/8fce3b
curl -sf "$basiq$seed" -H "Authorization: Bearer $token" -o "$out/body.json"

start baseline "$PWD/target/release/examples/baseline" 127.0.0.1:0 "$PWD/$out/body.json"
baseline=$(first_line "$out/baseline.log" | awk '{print $4}')

# The baseline gets the same request, token included, so both parse the same bytes.
measure baseline baseline "$baseline" "$seed" "Authorization: Bearer $token"
measure seed sandbank "$basiq" "$seed" "Authorization: Bearer $token"
measure meld sandbank "$meld" /bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o "Authorization: BASIC sk_sb_sandbank"
measure transactions sandbank "$basiq" "/users/ea3a81/transactions?filter=transaction.status.eq('posted')&limit=20" "Authorization: Bearer $token"

python3 - "$out/totals.txt" "$requests" <<'PY'
import sys
totals = dict(line.split() for line in open(sys.argv[1]))
n = int(sys.argv[2])
base = int(totals["baseline"]) / n
print(f"instructions per request over {n} requests (callgrind, after warm-up):")
for name, label in [("baseline", "bare hyper, same bytes"), ("seed", "sandbank, seed GET"),
                    ("meld", "sandbank, Meld GET connection"), ("transactions", "sandbank, filtered transactions page")]:
    per = int(totals[name]) / n
    print(f"  {label:38} {per:10.0f}   {per / base:5.2f}x baseline")
PY
echo "top inclusive costs of the seed GET:"
callgrind_annotate --inclusive=yes "$out/seed.callgrind" 2>/dev/null | grep -E '^ *[0-9,]+ ' | awk 'NR <= 25'
