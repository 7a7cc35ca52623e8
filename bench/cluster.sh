#!/usr/bin/env bash
# Measures replicas sharing one PostgreSQL: end-to-end throughput of TASKS no-op tasks (default
# 3,000) submitted one per request by 32 concurrent clients spread over the replicas, from the
# first request until the last task is terminal; first with one replica, then with two. Each
# replica has WORKERS workers (default 2). PostgreSQL runs from Maven Central binaries (the test
# dependency embedded-postgres). Prints one JSON line per figure. Uses target/taskpool.jar
# (./mvnw package first) and ports 18380-18385 and 15433 on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$PWD/target/taskpool.jar
[ -f "$jar" ] || { echo "build the jar first: ./mvnw package" >&2; exit 1; }
workers=${WORKERS:-2}
tasks=${TASKS:-3000}
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  exec 3>&- 2>/dev/null || true
  sleep 1
  rm -rf "$dir"
}
trap cleanup EXIT

./mvnw -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/cp.txt" \
  || ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/cp.txt"
mkfifo "$dir/pg.in"
java -cp "$(cat "$dir/cp.txt")" bench/StartPostgres.java 15433 "$dir/pgdata" <"$dir/pg.in" >"$dir/pg.out" 2>"$dir/pg.log" &
pids+=($!)
exec 3>"$dir/pg.in" # held open: PostgreSQL stops when this script ends
until grep -q jdbc "$dir/pg.out" 2>/dev/null; do sleep 0.2; done
url=$(grep jdbc "$dir/pg.out" | sed 's/?.*//')

start_replica() { # name port management
  mkdir -p "$dir/$1"
  (cd "$dir/$1" && exec java -Xmx512m -jar "$jar" --server.port="$2" --management.server.port="$3" \
    --spring.datasource.url="$url" --spring.datasource.username=postgres --spring.datasource.password=postgres \
    --taskpool.node-id="$1" --taskpool.workers.count="$workers" --taskpool.queue.capacity=1000000 \
    >service.log 2>&1) &
  pids+=($!)
  until curl -sf "localhost:$3/actuator/health/readiness" >/dev/null; do sleep 0.2; done
}

measure() { # replicas ports...
  python3 - "$tasks" "$workers" "$@" <<'PY'
import http.client, json, sys, threading, time
tasks, workers, replicas, ports = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), [int(p) for p in sys.argv[4:]]
ids, lock, next_index = [], threading.Lock(), [0]
def client(port):
    conn = http.client.HTTPConnection("localhost", port, timeout=60)
    payload = json.dumps({"type": "noop", "input": {}})
    while True:
        with lock:
            if next_index[0] >= tasks:
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
threads = [threading.Thread(target=client, args=(ports[i % len(ports)],)) for i in range(32)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
submitted = time.perf_counter()
conn = http.client.HTTPConnection("localhost", ports[0], timeout=60)
for task in ids:
    while True:
        conn.request("GET", f"/api/v1/tasks/{task}?waitMs=30000")
        state = json.loads(conn.getresponse().read())["state"]
        if state not in ("QUEUED", "RUNNING"):
            assert state == "SUCCEEDED", state
            break
done = time.perf_counter()
print(json.dumps({"figure": "postgres_noop_tasks_per_s", "replicas": replicas, "value": round(tasks / (done - start)),
                  "tasks": tasks, "clients": 32, "workers_per_replica": workers,
                  "submit_per_s": round(tasks / (submitted - start)), "seconds": round(done - start, 2)}), flush=True)
PY
}

start_replica replica-1 18380 18381
measure 1 18380 >/dev/null   # warm-up: JIT, connection pools, the first claims
measure 1 18380
start_replica replica-2 18382 18383
measure 2 18380 18382 >/dev/null
measure 2 18380 18382
