#!/usr/bin/env bash
# Measures what a single node costs: service start-up, worker start-up, memory of idle workers,
# the time to replace a killed worker, and the round trip of a no-op task (submit and wait).
# Prints one JSON line per figure. Uses target/taskpool.jar (./mvnw package first), a fresh store
# in a temporary directory, and ports 18180/18181 on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$PWD/target/taskpool.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw package" >&2; exit 1; }
workers=${WORKERS:-4}
port=18180
management=18181
dir=$(mktemp -d)
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

now_ms() { date +%s%3N; }
start=$(now_ms)
(cd "$dir" && exec java -jar "$jar" --server.port=$port --management.server.port=$management \
  --taskpool.workers.count="$workers" --logging.level.io.taskpool.worker.WorkerPool=debug >service.log 2>&1) &
pid=$!
until curl -sf "localhost:$management/actuator/health/readiness" >/dev/null; do sleep 0.05; done
ready=$(now_ms)
echo "{\"figure\":\"service_ready_ms\",\"value\":$((ready - start)),\"workers\":$workers}"

worker_ms=$(grep -o 'ready in [0-9]* ms' "$dir/service.log" | grep -o '[0-9]*' | sort -n | tr '\n' ' ')
echo "{\"figure\":\"worker_hello_ms\",\"values\":[$(echo $worker_ms | tr ' ' ',')]}"

service_rss=$(ps -o rss= -p $pid | tr -d ' ')
worker_rss=$(ps -o rss= --ppid $pid | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
echo "{\"figure\":\"service_rss_kib\",\"value\":$service_rss}"
echo "{\"figure\":\"idle_worker_rss_kib\",\"values\":[$(echo $worker_rss | tr ' ' ',')]}"

# Replacement: from SIGKILL of an idle worker until the pool is full again, polled in-process
# every millisecond so the figure is the pool's, not the poller's.
python3 - "$port" <<'PY'
import json, os, signal, sys, time, urllib.request
port = sys.argv[1]
def pool():
    with urllib.request.urlopen(f"http://localhost:{port}/api/v1/workers") as r:
        return json.load(r)
times = []
for _ in range(5):
    victim = pool()["workers"][0]["pid"]
    start = time.perf_counter()
    os.kill(victim, signal.SIGKILL)
    while True:
        p = pool()
        if p["idle"] == p["size"] and all(w["pid"] != victim for w in p["workers"]):
            break
        time.sleep(0.001)
    times.append((time.perf_counter() - start) * 1000)
    time.sleep(0.2)
times.sort()
print(json.dumps({"figure": "worker_replacement_ms", "median": round(times[len(times) // 2], 1),
                  "min": round(times[0], 1), "max": round(times[-1], 1), "n": len(times)}))
PY

python3 - "$port" <<'PY'
import json, sys, time, urllib.request
port = sys.argv[1]
body = json.dumps({"type": "noop", "input": {}}).encode()
def once():
    req = urllib.request.Request(f"http://localhost:{port}/api/v1/tasks?waitMs=10000", data=body,
                                 headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        assert json.load(r)["state"] == "SUCCEEDED"
    return (time.perf_counter() - t) * 1000
for _ in range(50):
    once()
samples = sorted(once() for _ in range(300))
pct = lambda p: round(samples[min(len(samples) - 1, int(p * len(samples)))], 2)
print(json.dumps({"figure": "noop_round_trip_ms", "p50": pct(0.5), "p99": pct(0.99), "n": len(samples)}))
PY
