#!/usr/bin/env bash
# Measures a batch against single tasks, the same way for both: items per second from the first
# byte sent until the last item is terminal, for ITEMS no-op tasks (default 100,000) as one batch
# and for SINGLES no-op tasks (default 5,000) submitted one per request by 32 concurrent clients.
# Also the time to store the batch (the POST's answer) and the service's heap: the peak sampled
# every 50 ms while the batch is sent and stored, under a fixed -Xmx (SERVICE_HEAP, default 512m).
# Prints one JSON line per figure. Uses target/taskpool.jar (./mvnw package first), a fresh store
# in a temporary directory, and ports 18180/18181 on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$PWD/target/taskpool.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw package" >&2; exit 1; }
workers=${WORKERS:-2}
items=${ITEMS:-100000}
singles=${SINGLES:-5000}
heap=${SERVICE_HEAP:-512m}
port=18180
management=18181
dir=$(mktemp -d)
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

(cd "$dir" && exec java -Xmx"$heap" -jar "$jar" --server.port=$port --management.server.port=$management \
  --taskpool.workers.count="$workers" >service.log 2>&1) &
pid=$!
until curl -sf "localhost:$management/actuator/health/readiness" >/dev/null; do sleep 0.1; done

python3 - "$port" "$management" "$items" "$singles" "$workers" <<'PY'
import http.client, json, sys, threading, time
port, management, items, singles, workers = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def call(method, path, body=None, target=port, headers=None):
    conn = http.client.HTTPConnection("localhost", target, timeout=120)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data

def heap_mib():
    status, data = call("GET", "/actuator/prometheus", target=management)
    if status != 200:
        return None
    used = sum(float(line.rsplit(" ", 1)[1]) for line in data.decode().splitlines()
               if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line)
    return round(used / 1048576, 1)

def emit(figure, **values):
    print(json.dumps({"figure": figure, **values}), flush=True)

# One batch of no-op items.
body = json.dumps({"type": "noop", "inputs": [{"i": i} for i in range(items)]}).encode()
peak, sampling = [0.0], [True]
def sample():
    while sampling[0]:
        value = heap_mib()
        if value is not None:
            peak[0] = max(peak[0], value)
        time.sleep(0.05)
before = heap_mib()
sampler = threading.Thread(target=sample)
sampler.start()
start = time.perf_counter()
status, data = call("POST", "/api/v1/batches", body, headers={"Content-Type": "application/json"})
stored = time.perf_counter()
sampling[0] = False
sampler.join()
assert status == 202, (status, data[:300])
batch = json.loads(data)["id"]
emit("batch_submit_ms", value=round((stored - start) * 1000), items=items, body_bytes=len(body),
     heap_before_mib=before, heap_peak_mib=peak[0])
while True:
    status, data = call("GET", f"/api/v1/batches/{batch}?waitMs=30000")
    state = json.loads(data)
    if state["state"] != "RUNNING":
        break
done = time.perf_counter()
assert state["counts"]["succeeded"] == items, state
emit("batch_items_per_s", value=round(items / (done - start)), items=items, workers=workers,
     chunk_size=state["chunkSize"], seconds=round(done - start, 2), heap_mib=heap_mib())

# The same kind of work, one task per request.
ids, lock, next_index = [], threading.Lock(), [0]
def client():
    conn = http.client.HTTPConnection("localhost", port, timeout=60)
    payload = json.dumps({"type": "noop", "input": {}})
    while True:
        with lock:
            if next_index[0] >= singles:
                break
            next_index[0] += 1
        conn.request("POST", "/api/v1/tasks", payload, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        assert response.status == 202, (response.status, data[:300])
        with lock:
            ids.append(json.loads(data)["id"])
    conn.close()
start = time.perf_counter()
threads = [threading.Thread(target=client) for _ in range(32)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
submitted = time.perf_counter()
for task in ids:
    while True:
        status, data = call("GET", f"/api/v1/tasks/{task}?waitMs=30000")
        if json.loads(data)["state"] not in ("QUEUED", "RUNNING"):
            break
done = time.perf_counter()
emit("single_items_per_s", value=round(singles / (done - start)), items=singles, clients=32, workers=workers,
     submit_per_s=round(singles / (submitted - start)), seconds=round(done - start, 2), heap_mib=heap_mib())
PY
