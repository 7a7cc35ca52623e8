#!/usr/bin/env bash
# Measures replicas sharing one PostgreSQL: end-to-end throughput of TASKS no-op tasks (default
# 3,000) submitted one per request by 32 concurrent clients spread over the replicas, from the
# first request until the last task is terminal; first with one replica, then with two. Each
# replica has WORKERS workers (default 2). PostgreSQL runs from Maven Central binaries (the test
# dependency embedded-postgres). Then figure 7 of bench/figures.py (list pages with a deep queue)
# on that PostgreSQL. Prints one JSON line per figure. Uses target/taskpool.jar
# (./mvnw package first; JAR=... for another build) and ports 18380-18385 and 15433 on loopback.
# PostgreSQL runs with its production defaults for durability: each commit waits for its WAL flush.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${JAR:-$PWD/target/taskpool.jar}
[ -f "$jar" ] || { echo "build the jar first: ./mvnw package" >&2; exit 1; }
workers=${WORKERS:-2}
tasks=${TASKS:-3000}
dir=$(mktemp -d)
pids=()
cleanup() {
  # The replicas first; then PostgreSQL stops by itself once its input closes. Killed outright,
  # its server would linger on the port for a minute and fail the next run's start.
  for p in "${pids[@]:1}"; do kill -9 "$p" 2>/dev/null || true; done
  exec 3>&- 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.1; done
  kill -9 "${pids[0]}" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

./mvnw -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/cp.txt" \
  || ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/cp.txt"
mkfifo "$dir/pg.in"
java -cp "$(cat "$dir/cp.txt")" bench/StartPostgres.java 15433 "$dir/pgdata" <"$dir/pg.in" >"$dir/pg.out" 2>"$dir/pg.log" &
pids+=($!)
exec 3>"$dir/pg.in" # held open: PostgreSQL stops when this script ends
until grep -q jdbc "$dir/pg.out" 2>/dev/null; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "PostgreSQL did not start:" >&2; tail -5 "$dir/pg.log" >&2; exit 1; }
  sleep 0.2
done
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
  REPLICA_PIDS="${pids[*]:1}" python3 - "$tasks" "$workers" "$@" <<'PY'
import http.client, json, os, sys, threading, time
tasks, workers, replicas, ports = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), [int(p) for p in sys.argv[4:]]
replica_pids = [int(p) for p in os.environ["REPLICA_PIDS"].split()]
ids, lock, next_index = [], threading.Lock(), [0]
def commits():
    """Durable commits of every replica so far (each one waited for its WAL flush)."""
    total = 0.0
    for port in ports:
        conn = http.client.HTTPConnection("localhost", port + 1, timeout=10)
        conn.request("GET", "/actuator/prometheus")
        for line in conn.getresponse().read().decode().splitlines():
            if line.startswith("taskpool_store_commits_total"):
                total += float(line.rsplit(" ", 1)[1])
        conn.close()
    return total
def cpu_seconds():
    """User and system CPU of the replicas (their workers are processes of their own, not counted)."""
    ticks = 0
    for pid in replica_pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
commits_before, cpu_before = commits(), cpu_seconds()
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
                  "submit_per_s": round(tasks / (submitted - start)), "seconds": round(done - start, 2),
                  "commits_per_task": round((commits() - commits_before) / tasks, 3),
                  "service_cpu_ms_per_task": round((cpu_seconds() - cpu_before) * 1000 / tasks, 3)}), flush=True)
PY
}

start_replica replica-1 18380 18381
measure 1 18380 >/dev/null   # warm-up: JIT, connection pools, the first claims
measure 1 18380
start_replica replica-2 18382 18383
measure 2 18380 18382 >/dev/null
measure 2 18380 18382

# Figure 7 on PostgreSQL: list pages by each filter with QUEUED (default 100,000) queued behind
# sleeping workers (every worker of both replicas holds one), through replica-1.
if [ "${QUEUED:-100000}" -gt 0 ]; then
  python3 bench/figures.py --port 18380 --management 18381 --pid "${pids[1]}" --workers $((2 * workers)) \
    --only 7 --store postgresql --queued "${QUEUED:-100000}" --scale-submits 2000 --list-n 200
fi
