#!/usr/bin/env bash
# Benchmarks taskpool against its peers in one run and writes BENCHMARKS.md.
#
#   bench/run.sh            the full run (about 10 to 15 minutes)
#   bench/run.sh --quick    fewer rounds, smaller counts, no PostgreSQL, no ProcessPoolExecutor, and
#                           the jar is rebuilt only if src/ or pom.xml changed (under two minutes
#                           on a quiet machine)
#
# Builds target/taskpool.jar, starts it with a fresh store in a temporary directory on
# 127.0.0.1:18580/18581 with one worker per processor, and drives it from separate processes over
# loopback: hey for the single submissions, bench/figures.py (Python, standard library) for the
# rest. Then runs the peers in PEERS_DIR (default ../shared/peers from the repository root:
# Celery prefork + Redis, multiprocessing.Pool, ProcessPoolExecutor) in the same run, so that each
# figure can be read as a ratio to its peer measured under the same conditions; figure 8 runs
# bench/cluster.sh (two replicas on one PostgreSQL). Prints one JSON line per figure and keeps
# them in target/bench/results.jsonl. Installs hey and the peers' Debian packages with apt-get
# when they are missing. Peer figures are reported as unavailable when PEERS_DIR does not exist.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=false
[ "${1:-}" = --quick ] && quick=true
peers=${PEERS_DIR:-$root/../shared/peers}
workers=${WORKERS:-$(nproc)}
out=$root/target/bench
port=18580
management=18581
mkdir -p "$out"
: >"$out/results.jsonl"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$SECONDS
log() { echo "[bench $((SECONDS - t0))s] $*" >&2; }
record() { tee -a "$out/results.jsonl"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v hey >/dev/null || missing+=(hey)
if [ -d "$peers" ]; then
  /usr/bin/python3 -c 'import celery, redis' 2>/dev/null || missing+=(python3-celery python3-redis)
  command -v redis-server >/dev/null || missing+=(redis-server)
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# The jar: --quick reuses it when nothing under src/ or pom.xml changed since the last build here.
stamp=$out/jar.stamp
if ! $quick || [ ! -f "$stamp" ] || [ -n "$(find src pom.xml -newer "$stamp" -print -quit)" ]; then
  log "building target/taskpool.jar"
  ./mvnw -B -q -o package -DskipTests >&2 || ./mvnw -B -q package -DskipTests >&2
  touch "$stamp"
fi

if $quick; then
  rounds=2 tasks=512 batch=5000 batch_rounds=2 latency=150 cpu_tasks=8 cpu_rounds=1 cancels=3 queued=20000 submits=512 list=50
  peer_env=(BENCH_N=1000 BENCH_LAT_N=200 BENCH_CPU_TASKS=4 BENCH_REVOKE_TRIALS=1)
  peer_scripts="celery_prefork multiprocessing_pool" # ProcessPoolExecutor is no figure's peer
else
  rounds=3 tasks=2016 batch=100000 batch_rounds=2 latency=500 cpu_tasks=16 cpu_rounds=2 cancels=5 queued=100000 submits=2016 list=300
  peer_env=(BENCH_CPU_TASKS=16)
  peer_scripts="celery_prefork multiprocessing_pool process_pool_executor"
fi

# The peers first, on an otherwise idle pair of cores (no service running yet).
if [ -d "$peers" ]; then
  for script in $peer_scripts; do
    log "peer $script"
    (cd "$peers" && env "${peer_env[@]}" timeout 150 /usr/bin/python3 "$script.py" 2>"$out/$script.log" \
      | tail -n 1 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"figure":"peer_'"$script"'", **d}))' \
      | record) || log "peer $script failed: see $out/$script.log"
  done
  log "peer Pool.map over $batch items"
  /usr/bin/python3 bench/pool_map.py "$peers" "$batch" 3 | record || log "peer Pool.map failed"
else
  log "no peers at $peers: peer figures unavailable"
  echo '{"figure":"peers_unavailable","peers_dir":"'"$peers"'"}' | record
fi

dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
# Starts the service from the jar (or, given a class-data archive, from the extracted jar with it)
# with a fresh store in $1; sets pid, and ready_ms to the milliseconds until it reported ready.
start_service() { # directory [archive]
  local started_ns jar=$root/target/taskpool.jar cds=()
  if [ -n "${2:-}" ]; then
    jar=$extracted/taskpool.jar
    cds=(-XX:SharedArchiveFile="$2" -Xlog:cds=off -Xlog:class+path=off)
  fi
  mkdir -p "$1"
  started_ns=$(date +%s%N)
  (cd "$1" && exec java -Xmx512m "${cds[@]}" -jar "$jar" \
    --server.address=127.0.0.1 --server.port=$port --management.server.port=$management \
    --taskpool.workers.count="$workers" --taskpool.queue.capacity=1000000 >service.log 2>&1) &
  pid=$!
  until curl -sf "127.0.0.1:$management/actuator/health/readiness" >/dev/null; do
    kill -0 $pid 2>/dev/null || { cat "$1/service.log" >&2; exit 1; }
    sleep 0.02
  done
  ready_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
}

extracted=$dir/extracted
if ! $quick; then
  # Start-up as the image runs it: the jar extracted, with a class-data archive of a training run
  # (the Dockerfile does the same), against the plain executable jar.
  log "start-up: executable jar, then extracted jar with a class-data archive"
  java -Djarmode=tools -jar "$root/target/taskpool.jar" extract --destination "$extracted" >/dev/null
  (cd "$dir" && java -XX:ArchiveClassesAtExit="$dir/app.jsa" -Dspring.context.exit=onRefresh \
    -jar "$extracted/taskpool.jar" --taskpool.workers.count=1 >training.log 2>&1)
  jar_ms=() cds_ms=()
  for round in 1 2 3; do
    start_service "$dir/start-jar-$round"; jar_ms+=("$ready_ms"); kill $pid; wait $pid 2>/dev/null || true
    start_service "$dir/start-cds-$round" "$dir/app.jsa"; cds_ms+=("$ready_ms"); kill $pid; wait $pid 2>/dev/null || true
  done
  pid=
  echo "{\"figure\":\"0_startup_ms\",\"fresh_store\":true,\"workers\":$workers,\"jar\":[$(IFS=,; echo "${jar_ms[*]}")],\"cds\":[$(IFS=,; echo "${cds_ms[*]}")]}" | record
fi

log "starting the service ($workers workers, fresh store in $dir)"
start_service "$dir/service"
$quick && echo "{\"figure\":\"0_startup_ms\",\"fresh_store\":true,\"workers\":$workers,\"jar\":[$ready_ms],\"cds\":[]}" | record
log "figures 1-7"
python3 bench/figures.py --port $port --management $management --pid $pid --workers "$workers" \
  --rounds $rounds --tasks $tasks --batch-items $batch --batch-rounds $batch_rounds --latency-n $latency --cpu-tasks $cpu_tasks \
  --cpu-rounds $cpu_rounds --cancel-trials $cancels --queued $queued --scale-submits $submits --list-n $list | record
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
pid=

if $quick; then
  echo '{"figure":"8_postgres_skipped","why":"--quick"}' | record
else
  log "figure 8: PostgreSQL, one and two replicas; figure 7 on PostgreSQL"
  TASKS=2000 WORKERS="$workers" bench/cluster.sh | sed 's/"figure": "postgres_noop_tasks_per_s"/"figure": "8_postgres_noop_tasks_per_s"/' | record \
    || log "figure 8 failed"
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
python3 bench/report.py "$out/results.jsonl" BENCHMARKS.md \
  --started "$started" --seconds $((SECONDS - t0)) --quick "$quick" --workers "$workers" \
  --load-start "$load_start" --load-end "$load_end"
log "done: BENCHMARKS.md"
