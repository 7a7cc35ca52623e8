#!/usr/bin/env python3
"""Drives one running taskpool service over loopback and prints one JSON line per figure.

Standard library only. bench/run.sh starts the service and calls this once; the figures are
described in README.md ("Benchmark against the peers") and in BENCHMARKS.md. Every figure that
is repeated reports its rounds and their min/median/max, because a single number on a shared
machine says little.
"""
import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import threading
import time

NOOP = json.dumps({"type": "noop", "input": {}})
# One series per label set; a Prometheus line is `name{labels} value [timestamp]`.
COMMITS = re.compile(r"^taskpool_store_commits_total(?:\{.*\})?[ \t]+(\S+)", re.MULTILINE)


class Service:
    def __init__(self, port, management, pid):
        self.port, self.management, self.pid = port, management, pid
        self.local = threading.local()

    def connection(self, port=None):
        port = port or self.port
        cache = self.local.__dict__.setdefault("connections", {})
        if port not in cache:
            cache[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        return cache[port]

    def call(self, method, path, body=None, port=None):
        for attempt in (1, 2):
            conn = self.connection(port)
            try:
                headers = {"Content-Type": "application/json"} if body is not None else {}
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                data = response.read()
                return response.status, data
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self.local.connections.pop(port or self.port, None)
                if attempt == 2:
                    raise

    def json(self, method, path, body=None, expect=(200, 202)):
        status, data = self.call(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data)

    def submit(self, type_, input_, wait_ms=0):
        body = json.dumps({"type": type_, "input": input_})
        return self.json("POST", f"/api/v1/tasks?waitMs={wait_ms}", body)

    def wait(self, task_id, states=("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT")):
        while True:
            task = self.json("GET", f"/api/v1/tasks/{task_id}?waitMs=30000")
            if task["state"] in states:
                return task

    def wait_state(self, task_id, state, deadline_s=60):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            task = self.json("GET", f"/api/v1/tasks/{task_id}")
            if task["state"] == state:
                return task
            time.sleep(0.002)
        raise RuntimeError(f"task {task_id} not {state} within {deadline_s} s")

    def unfinished(self):
        """True while any task is queued or running (one cheap page of each)."""
        for state in ("QUEUED", "RUNNING"):
            if self.json("GET", f"/api/v1/tasks?state={state}&limit=1")["items"]:
                return True
        return False

    def drain(self, deadline_s=600):
        end = time.monotonic() + deadline_s
        while self.unfinished():
            if time.monotonic() > end:
                raise RuntimeError("tasks still unfinished")
            time.sleep(0.002)
        return time.perf_counter()

    def workers(self):
        return self.json("GET", "/api/v1/workers")

    def heap_mib(self):
        status, data = self.call("GET", "/actuator/prometheus", port=self.management)
        used = sum(float(line.rsplit(" ", 1)[1]) for line in data.decode().splitlines()
                   if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line)
        return round(used / 1048576, 1)

    def commits(self):
        """Durable commits since start-up, summed over the counter's series; None when the service
        does not expose taskpool_store_commits_total (a build from before it)."""
        status, data = self.call("GET", "/actuator/prometheus", port=self.management)
        values = [float(m.group(1)) for m in COMMITS.finditer(data.decode())] if status == 200 else []
        return sum(values) if values else None

    def heap_after_full_gc_mib(self):
        subprocess.run(["jcmd", str(self.pid), "GC.run"], check=True, capture_output=True)
        return self.heap_mib()


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None


def private_kib(pid):
    """Memory only this process holds (its private pages, from smaps_rollup): what one more worker
    costs. RSS also counts the pages of libjvm.so and the class-data archive, shared by every JVM."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return sum(int(line.split()[1]) for line in rollup
                       if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except FileNotFoundError:
        return None


def cpu_seconds(pid):
    """The process's own CPU time, user and system (fields 14 and 15 of /proc/<pid>/stat). A child's
    time is added to its parent's only once reaped, so the workers' CPU is not in the service's."""
    with open(f"/proc/{pid}/stat") as stat:
        # Field 2, the command, is in brackets and may hold spaces: count from the last bracket,
        # after which field 3 comes first.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Cost:
    """What the service spent between this object's making and per(): its CPU and durable commits.

    The commit counter is read over HTTP, which costs the service some CPU; it is read before the
    CPU at the start and after it at the end, so that neither reading is counted."""

    def __init__(self, service):
        self.service = service
        self.commits = service.commits()
        self.cpu = cpu_seconds(service.pid)

    def per(self, units):
        """(service CPU ms, durable commits) per unit of work since the start; commits None when
        the service has no commit counter."""
        cpu = cpu_seconds(self.service.pid)
        commits = self.service.commits()
        cpu_ms = round((cpu - self.cpu) * 1000 / units, 3)
        if commits is None or self.commits is None:
            return cpu_ms, None
        return cpu_ms, round((commits - self.commits) / units, 3)


def spread(values):
    """min/median/max of the rounds that were measured; None when none was (a counter the service
    does not have)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"min": min(values), "median": round(statistics.median(values), 3), "max": max(values),
            "rounds": values}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def emit(figure, **values):
    print(json.dumps({"figure": figure, **values}), flush=True)


def hey(service, n, clients, path="/api/v1/tasks"):
    """Submits n no-op tasks with hey; returns (start, end, requests/s, status counts).

    hey gives each client n / clients requests, so n should be a multiple of clients."""
    command = ["hey", "-n", str(n), "-c", str(clients), "-m", "POST", "-T", "application/json",
               "-d", NOOP, f"http://127.0.0.1:{service.port}{path}"]
    start = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    end = time.perf_counter()
    statuses = {m.group(1): int(m.group(2)) for m in re.finditer(r"\[(\d{3})\]\s+(\d+) responses", out)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return start, end, rate, statuses


def figure_throughput(service, args, rss_samples):
    """1. No-op tasks, one per request, 32 clients, until the last one finished."""
    rates, submit_rates, cpu_ms, commits = [], [], [], []
    sampling = [True]

    def sample():
        while sampling[0]:
            rss_samples.append(rss_kib(service.pid))
            time.sleep(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Warm-up: the JIT and the connection pools. A cold service spends its first few thousand
    # requests compiling (over 100 s of C2 CPU in all), which a 200-task warm-up left to the first
    # measured round; two rounds' worth gets most of it done first.
    hey(service, 2 * args.tasks, 32)
    service.drain()
    for _ in range(args.rounds):
        # From just before hey starts until the drain is done. The drain's polling is in the CPU
        # figure but in no commit count: its GETs write nothing.
        cost = Cost(service)
        start, submitted, rate, statuses = hey(service, args.tasks, 32)
        if statuses.get("202") != args.tasks:
            raise RuntimeError(f"hey answers: {statuses}")
        done = service.drain()
        cpu, commit = cost.per(args.tasks)
        rates.append(round(args.tasks / (done - start)))
        submit_rates.append(round(rate))
        cpu_ms.append(cpu)
        commits.append(commit)
    sampling[0] = False
    emit("1_noop_throughput_tasks_per_s", tasks=args.tasks, clients=32, workers=args.workers,
         **spread(rates), submit_per_s=spread(submit_rates), service_cpu_ms_per_task=spread(cpu_ms),
         commits_per_task=spread(commits))


def figure_batch(service, args):
    """2. One batch of no-op items, from the first byte until the batch is finished."""
    body = json.dumps({"type": "noop", "inputs": [{} for _ in range(args.batch_items)]})
    rates, stored_ms, cpu_ms, commits = [], [], [], []
    for _ in range(args.batch_rounds):
        cost = Cost(service)
        start = time.perf_counter()
        batch = service.json("POST", "/api/v1/batches", body)
        stored_ms.append(round((time.perf_counter() - start) * 1000))
        while batch["state"] == "RUNNING":
            batch = service.json("GET", f"/api/v1/batches/{batch['id']}?waitMs=30000")
        done = time.perf_counter()
        cpu, commit = cost.per(args.batch_items)
        if batch["counts"]["succeeded"] != args.batch_items:
            raise RuntimeError(f"batch ended {batch}")
        rates.append(round(args.batch_items / (done - start)))
        cpu_ms.append(cpu)
        commits.append(commit)
    emit("2_batch_items_per_s", items=args.batch_items, workers=args.workers,
         chunk_size=batch.get("chunkSize"), **spread(rates), submit_ms=spread(stored_ms),
         service_cpu_ms_per_item=spread(cpu_ms), commits_per_item=spread(commits))


def figure_batch_cancel(service, args):
    """2b. Cancel of a batch whose items are all queued: every worker holds a sleep task, so none
    of the items can start. Timed from the cancel's POST until the batch is CANCELLED."""
    body = json.dumps({"type": "noop", "inputs": [{} for _ in range(args.batch_items)]})
    times, settle_ms = [], []
    for _ in range(args.batch_rounds):
        sleepers = [service.submit("sleep", {"ms": 600_000})["id"] for _ in range(args.workers)]
        for task_id in sleepers:
            service.wait_state(task_id, "RUNNING")
        submitted = time.perf_counter()
        batch = service.json("POST", "/api/v1/batches", body)
        # A stored batch is queued at once, but the service may still be busy with it in the
        # background (today: writing its items out as tasks). A batch that waits behind busy
        # workers is long past that, so the cancel is timed only once the service is quiet.
        wait_quiet(service)
        settle_ms.append(round((time.perf_counter() - submitted) * 1000))
        batch = service.json("GET", f"/api/v1/batches/{batch['id']}")
        if batch["state"] != "RUNNING" or batch["counts"]["queued"] != args.batch_items:
            raise RuntimeError(f"batch not all queued before its cancel: {batch}")
        start = time.perf_counter()
        batch = service.json("POST", f"/api/v1/batches/{batch['id']}/cancel")
        times.append(round((wait_batch_state(service, batch, "CANCELLED") - start) * 1000, 1))
        for task_id in sleepers:
            service.json("POST", f"/api/v1/tasks/{task_id}/cancel")
        service.drain()
    emit("2b_batch_cancel_ms", items=args.batch_items, workers=args.workers,
         how="POST .../cancel until GET shows CANCELLED, every item queued behind busy workers",
         **spread(times), quiet_after_submit_ms=spread(settle_ms))


def wait_batch_state(service, batch, state, deadline_s=300):
    """The moment a batch (as last answered) is seen in the given state, polled every 2 ms. Not a
    long poll: that answers up to its own re-count interval late, which would be counted here."""
    end = time.monotonic() + deadline_s
    while batch["state"] != state:
        if batch["state"] != "RUNNING":
            raise RuntimeError(f"batch ended {batch['state']}, not {state}: {batch}")
        if time.monotonic() > end:
            raise RuntimeError(f"batch {batch['id']} not {state} within {deadline_s} s")
        time.sleep(0.002)
        batch = service.json("GET", f"/api/v1/batches/{batch['id']}")
    return time.perf_counter()


def wait_quiet(service, window_s=0.25, busy_share=0.08, deadline_s=300):
    """Until the service has used less than busy_share of one processor over a whole window: its
    work in the background is done. Its own CPU, so other processes on the machine do not delay
    this. A quarter second is 25 ticks of the usual 100 Hz clock, so 8 % is 2 ticks: one tick of
    housekeeping passes for quiet."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        before = cpu_seconds(service.pid)
        time.sleep(window_s)
        if cpu_seconds(service.pid) - before < busy_share * window_s:
            return
    raise RuntimeError(f"the service still busy after {deadline_s} s")


def figure_latency(service, args):
    """3. Submit one no-op task with waitMs and get it back finished, one at a time."""
    p50s, p99s, commits = [], [], []
    for _ in range(30):
        service.submit("noop", {}, wait_ms=5000)
    for _ in range(args.rounds):
        cost = Cost(service)
        times = []
        for _ in range(args.latency_n):
            start = time.perf_counter()
            task = service.submit("noop", {}, wait_ms=5000)
            times.append((time.perf_counter() - start) * 1000)
            if task["state"] != "SUCCEEDED":
                raise RuntimeError(f"not finished within waitMs: {task['state']}")
        commits.append(cost.per(args.latency_n)[1])
        p50s.append(round(percentile(times, 50), 3))
        p99s.append(round(percentile(times, 99), 3))
    emit("3_noop_round_trip_ms", n=args.latency_n, p50=spread(p50s), p99=spread(p99s),
         commits_per_task=spread(commits))


def figure_cpu(service, args):
    """4. CPU-bound tasks with 1 busy worker and with all N: speedup / N."""
    below = 20_000_000
    warm_up = [service.submit("primes.count", {"below": below})["id"] for _ in range(2 * args.workers)]
    for task_id in warm_up:  # every worker's JIT
        service.wait(task_id)
    for _ in range(2):  # the sieve's time grows about linearly with its bound
        seconds = run_seconds(service.submit("primes.count", {"below": below}, wait_ms=30000))
        below = int(below * args.cpu_task_s / seconds)
    task_s = run_seconds(service.submit("primes.count", {"below": below}, wait_ms=30000))

    def burst():
        start = time.perf_counter()
        ids = [service.submit("primes.count", {"below": below})["id"] for _ in range(args.cpu_tasks)]
        for task_id in ids:
            if service.wait(task_id)["state"] != "SUCCEEDED":
                raise RuntimeError("primes.count failed")
        return time.perf_counter() - start

    efficiencies, one, all_ = [], [], []
    for _ in range(args.cpu_rounds):
        # One worker: the other N-1 hold sleep tasks, which use no CPU, so exactly one worker
        # computes while the pool, its JVMs and the service stay what they are with N.
        sleepers = [service.submit("sleep", {"ms": 600_000})["id"] for _ in range(args.workers - 1)]
        for task_id in sleepers:
            service.wait_state(task_id, "RUNNING")
        c1 = burst()
        for task_id in sleepers:
            service.json("POST", f"/api/v1/tasks/{task_id}/cancel")
        cn = burst()
        one.append(round(c1, 3))
        all_.append(round(cn, 3))
        efficiencies.append(round(c1 / cn / args.workers, 3))
    emit("4_cpu_scaling_efficiency", tasks=args.cpu_tasks, workers=args.workers, below=below,
         task_s=round(task_s, 3), wall_s_c1=spread(one), wall_s_cn=spread(all_), **spread(efficiencies))


def run_seconds(task):
    from datetime import datetime
    started = datetime.fromisoformat(task["startedAt"].replace("Z", "+00:00"))
    finished = datetime.fromisoformat(task["finishedAt"].replace("Z", "+00:00"))
    return (finished - started).total_seconds()


def figure_cancel(service, args):
    """5. Cancel of a cooperative running task, and a killed worker's replacement."""
    cancelled, replaced = [], []
    for _ in range(args.cancel_trials):
        task_id = service.submit("sleep", {"ms": 600_000})["id"]
        service.wait_state(task_id, "RUNNING")
        start = time.perf_counter()
        task = service.json("POST", f"/api/v1/tasks/{task_id}/cancel")
        if task["state"] != "CANCELLED":
            task = service.wait_state(task_id, "CANCELLED")
        cancelled.append(round((time.perf_counter() - start) * 1000, 2))
    spare_ready = []
    with_spare = "spare" in service.workers()
    for _ in range(args.cancel_trials):
        # What a cancel past its grace does to a task that does not stop: the worker is killed
        # and replaced. Measured from SIGKILL of a busy worker until the pool is full again; with
        # the warm spare, each trial starts once a spare is ready, and also measures until the
        # next spare is.
        if with_spare:
            wait_spare_ready(service)
        task_id = service.submit("sleep", {"ms": 600_000})["id"]
        service.wait_state(task_id, "RUNNING")
        victim = worker_running(service, task_id)
        start = time.perf_counter()
        os.kill(victim, signal.SIGKILL)
        while True:
            pool = service.workers()
            if pool["idle"] == pool["size"] and all(w["pid"] != victim for w in pool["workers"]):
                break
            time.sleep(0.001)
        replaced.append(round((time.perf_counter() - start) * 1000, 1))
        if with_spare:
            wait_spare_ready(service)
            spare_ready.append(round((time.perf_counter() - start) * 1000, 1))
    emit("5_cancel_to_cancelled_ms", task="sleep (polls its cancel flag every 10 ms)", **spread(cancelled))
    emit("5_worker_replacement_ms", how="SIGKILL of a busy worker until the pool is full and idle",
         warm_spare=with_spare, next_spare_ready_ms=spread(spare_ready) if spare_ready else None,
         **spread(replaced))


def wait_spare_ready(service, timeout_s=30):
    """Until the pool's warm spare has said hello (polled every 10 ms, so as not to slow its start)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        spare = service.workers().get("spare")
        if spare and spare["state"] == "IDLE":
            return
        time.sleep(0.01)
    raise RuntimeError(f"no warm spare ready within {timeout_s} s")


def worker_running(service, task_id, timeout_s=30):
    """The pid of the worker that runs the task: a claimed task is RUNNING a moment before the
    pool has handed it to a worker."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for worker in service.workers()["workers"]:
            if worker["taskId"] == task_id:
                return worker["pid"]
        time.sleep(0.005)
    raise RuntimeError(f"no worker took task {task_id} within {timeout_s} s")


def figure_memory(service, idle_rss, rss_samples):
    """6. Resident memory of the service idle and under load, and of each idle worker."""
    pids = [w["pid"] for w in service.workers()["workers"]]
    workers = [rss_kib(pid) for pid in pids]
    private = [private_kib(pid) for pid in pids]
    emit("6_memory_mib", service_idle=round(idle_rss / 1024, 1),
         service_under_load=round(max(s for s in rss_samples if s) / 1024, 1),
         idle_workers=[round(w / 1024, 1) for w in workers if w],
         idle_worker_max=round(max(w for w in workers if w) / 1024, 1),
         idle_workers_private=[round(p / 1024, 1) for p in private if p])


def figure_scale(service, args, idle_heap):
    """7. Submissions and list pages with a deep queue, unfiltered and by each filter; the heap
    after a full GC."""
    sleepers = [service.submit("sleep", {"ms": 600_000})["id"] for _ in range(args.workers)]
    for task_id in sleepers:
        service.wait_state(task_id, "RUNNING")
    body = json.dumps({"type": "noop", "inputs": [{} for _ in range(args.queued)]})
    batch_id = service.json("POST", "/api/v1/batches", body)["id"]
    start, end, rate, statuses = hey(service, args.scale_submits, 32)
    if statuses.get("202") != args.scale_submits:
        raise RuntimeError(f"hey answers: {statuses}")

    def timed_pages(query, full_pages):
        times = []
        for _ in range(args.list_n):
            t0 = time.perf_counter()
            page = service.json("GET", f"/api/v1/tasks?{query}limit=100")
            times.append((time.perf_counter() - t0) * 1000)
            if full_pages and len(page["items"]) != 100:
                raise RuntimeError(f"short page for ?{query}")
        return {"p50": round(percentile(times, 50), 2), "p99": round(percentile(times, 99), 2)}

    times = timed_pages("", True)
    # Each filter the dashboard and clients use; the last two match a few rows among the queue.
    filters = {"state=QUEUED": ("state=QUEUED&", True), "type=noop": ("type=noop&", True),
               "batchId": (f"batchId={batch_id}&", True), "state=QUEUED&type=noop": ("state=QUEUED&type=noop&", True),
               "state=RUNNING": ("state=RUNNING&", False), "type=sleep": ("type=sleep&", False)}
    filters_ms = {name: timed_pages(query, full) for name, (query, full) in filters.items()}
    heap = service.heap_after_full_gc_mib()
    emit("7_scale", store=args.store, queued=args.queued + args.scale_submits, submit_per_s=round(rate),
         list_ms={**times, "n": args.list_n}, list_queued_ms=filters_ms["state=QUEUED"],
         filters_ms=filters_ms, filters_p99_max_ms=max(f["p99"] for f in filters_ms.values()),
         heap_after_gc_mib={"idle": idle_heap, "queued": heap})
    for task_id in sleepers:
        service.json("POST", f"/api/v1/tasks/{task_id}/cancel")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--management", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--batch-items", type=int, default=100_000)
    parser.add_argument("--batch-rounds", type=int, default=2)
    parser.add_argument("--latency-n", type=int, default=500)
    parser.add_argument("--cpu-tasks", type=int, default=16)
    parser.add_argument("--cpu-rounds", type=int, default=2)
    parser.add_argument("--cpu-task-s", type=float, default=0.5)
    parser.add_argument("--cancel-trials", type=int, default=5)
    parser.add_argument("--queued", type=int, default=100_000)
    parser.add_argument("--scale-submits", type=int, default=2000)
    parser.add_argument("--list-n", type=int, default=200)
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="figures to run; 2 includes 2b")
    parser.add_argument("--store", default="h2", help="the service's store, as figure 7 names it")
    args = parser.parse_args()
    # hey splits -n evenly over its 32 clients.
    args.tasks, args.scale_submits = args.tasks // 32 * 32, args.scale_submits // 32 * 32
    only = set(args.only.split(","))
    service = Service(args.port, args.management, args.pid)

    idle_rss = rss_kib(service.pid)
    idle_heap = service.heap_after_full_gc_mib()
    rss_samples = [idle_rss]
    if "1" in only:
        figure_throughput(service, args, rss_samples)
    if "2" in only:
        figure_batch(service, args)
    if "2" in only or "2b" in only:
        figure_batch_cancel(service, args)
    if "3" in only:
        figure_latency(service, args)
    if "4" in only:
        figure_cpu(service, args)
    if "5" in only:
        figure_cancel(service, args)
    if "6" in only:
        figure_memory(service, idle_rss, rss_samples)
    if "7" in only:
        figure_scale(service, args, idle_heap)


if __name__ == "__main__":
    main()
