#!/usr/bin/env bash
# Start-up costs on the embedded default scenario: cold start (exec of the release binary to
# the first 200 from /__admin/health), POST /__admin/reset, and the first request of a new
# tenant under --tenant-per-key (a Meld key the scenario does not list, so the tenant's world is
# built from the scenario) against a request of a tenant that exists. Medians over ROUNDS, with
# the range.
#
# Usage: bench/startup.sh [ROUNDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
cargo build --release --quiet --bin sandbank
python3 - "$PWD/target/release/sandbank" "$rounds" <<'PY'
import http.client, socket, statistics, subprocess, sys, time

binary, rounds = sys.argv[1], int(sys.argv[2])

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def start(*extra):
    basiq, meld = free_port(), free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--log-level", "warn", "--basiq-addr", f"127.0.0.1:{basiq}",
         "--meld-addr", f"127.0.0.1:{meld}", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, basiq, meld

def healthy(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/__admin/health")
        return c.getresponse().status == 200
    except OSError:
        return False

def timed(f):
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000

def report(name, values):
    print(f"{name:44} median {statistics.median(values):7.2f} ms"
          f"   range {min(values):.2f}-{max(values):.2f} ms")

cold = []
for _ in range(rounds):
    t = time.perf_counter()
    proc, basiq, _ = start()
    while not healthy(basiq):
        time.sleep(0.0005)
    cold.append((time.perf_counter() - t) * 1000)
    proc.kill()
    proc.wait()
report("cold start (exec to first health 200)", cold)

proc, basiq, meld = start("--tenant-per-key")
try:
    while not healthy(basiq):
        time.sleep(0.001)
    admin = http.client.HTTPConnection("127.0.0.1", basiq, timeout=10)

    def reset():
        admin.request("POST", "/__admin/reset")
        r = admin.getresponse()
        r.read()
        assert r.status == 200, r.status

    reset()
    report("POST /__admin/reset", [timed(reset) for _ in range(rounds)])

    client = http.client.HTTPConnection("127.0.0.1", meld, timeout=10)

    def connections(key):
        client.request("GET", "/bank-linking/connections",
                       headers={"Authorization": f"BASIC {key}"})
        r = client.getresponse()
        r.read()
        assert r.status == 200, r.status

    first = [timed(lambda i=i: connections(f"sk_sb_bench_tenant_{i}")) for i in range(rounds)]
    again = [timed(lambda i=i: connections(f"sk_sb_bench_tenant_{i}")) for i in range(rounds)]
    report("a new tenant's first request (Meld)", first)
    report("the same tenant's next request", again)
finally:
    proc.kill()
    proc.wait()
PY
