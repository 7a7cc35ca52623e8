package io.taskpool.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskpool.task.PoolStatus;
import io.taskpool.task.Task;
import io.taskpool.task.TaskFailure;
import io.taskpool.task.TaskOutcome;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskService;
import io.taskpool.task.TaskType;
import io.taskpool.task.WorkerGateway;
import io.taskpool.task.WorkerState;
import io.taskpool.worker.PoolEvent.Assign;
import io.taskpool.worker.PoolEvent.CancelRequested;
import io.taskpool.worker.PoolEvent.FrameReceived;
import io.taskpool.worker.PoolEvent.ProcessExited;
import io.taskpool.worker.PoolEvent.RestartRequested;
import io.taskpool.worker.PoolEvent.Stop;
import io.taskpool.worker.PoolEvent.StreamBroken;
import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.FrameCodec;
import io.taskpool.worker.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The supervisor of the worker processes. One thread ({@code worker-supervisor}) owns every
 * slot: it starts workers, hands them tasks, reads their frames, enforces timeouts, cancels and
 * heartbeats, and replaces workers that die. Other threads only post {@link PoolEvent}s, so the
 * pool logic needs no locks. See {@code package-info.java} for the data flow.
 */
public final class WorkerPool implements WorkerGateway, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    /** The supervisor wakes at least this often to check deadlines. */
    private static final long MAX_IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Progress is written to the store at most this often per task. */
    private static final long PROGRESS_WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * A task's log lines are written to the store at most this often, and once more when it ends.
     * A trade-off: a client reading the log lags by up to this, and a chatty task costs at most
     * four writes a second.
     */
    private static final long LOG_WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** First pause before restarting a worker that failed to start; doubles up to the configured maximum. */
    private static final long FIRST_RESTART_BACKOFF_MILLIS = 100;
    /** How long a worker whose stdout turned to garbage may take to die on its own. */
    private static final long DYING_WORDS_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /**
     * How long a worker may leave a frame unfinished before it counts as a protocol violation. A
     * frame is written with one write of at most a few MiB, which the pipe carries in milliseconds;
     * a worker stuck half-way would otherwise be noticed only by the heartbeat timeout, and
     * reported as unresponsive.
     */
    private static final long UNFINISHED_FRAME_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long a stopping worker may take to exit before it is killed. */
    private static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Outcomes gathered in one round of events before they go to the writer. */
    private static final int MAX_OUTCOMES_PER_HANDOVER = 256;
    /** The id of the warm spare's slot, which is not one of the pool's slots (those count from 1). */
    private static final int SPARE_ID = 0;
    /** How long a cancel that found no task waits for that task to be assigned here. */
    private static final long UNMATCHED_CANCEL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final WorkerProperties properties;
    private final Duration cancelGrace;
    private volatile Duration drainTimeout = Duration.ofSeconds(30);
    private final Timer workerStart;
    /** Whether no claimed work waits for a worker; kept by the supervisor for the drain. */
    private volatile boolean pendingEmpty = true;
    private final Supplier<TaskService> taskService;
    private final WorkerClassPath classPath;
    private final WorkerLauncher launcher;
    private final FrameCodec codec;
    private final MeterRegistry meters;
    private final Clock clock;
    private final int size;

    private final BlockingQueue<PoolEvent> events = new LinkedBlockingQueue<>();
    /**
     * IDLE slots, kept by the supervisor at every state change; the dispatcher reads it to know how
     * many tasks it may claim. The supervisor is its only writer.
     */
    private final AtomicInteger idleWorkers = new AtomicInteger();
    private final CountDownLatch firstHello = new CountDownLatch(1);
    private volatile List<TaskType> taskTypes = List.of();
    private volatile PoolStatus status;
    private volatile boolean running;
    private volatile String lastStartFailure;
    private Thread supervisor;
    /** Written once by start(), after the supervisor runs: volatile so the supervisor sees it. */
    private volatile Dispatcher dispatcher;
    private TaskService tasks;
    private OutcomeWriter writer;

    // ---- owned by the supervisor thread ----
    private final List<WorkerSlot> slots = new ArrayList<>();
    /**
     * The warm spare (taskpool.workers.warm-spare), or null: a worker started and said hello in
     * reserve, outside the pool's slots and never given work. When a worker exits, the spare's
     * process moves into that slot at once and a new spare starts.
     */
    private final WorkerSlot spare;
    /** {@link #slots} and the {@link #spare} if there is one: every process the supervisor watches. */
    private List<WorkerSlot> supervised = List.of();
    /** Claimed work (a task, or a chunk) waiting for a worker to become idle. */
    private final Deque<List<Task>> pending = new ArrayDeque<>();
    /**
     * Outcomes of this round of events, handed to the {@link OutcomeWriter} when the round ends
     * (or when {@link #MAX_OUTCOMES_PER_HANDOVER} have gathered).
     */
    private final List<TaskOutcome> outcomes = new ArrayList<>();
    private final Map<String, Long> restartsByReason = new TreeMap<>();
    private final LeftoverProcesses leftovers = new LeftoverProcesses();
    /**
     * Cancels that found no task here, by the time they arrived: a task claimed just before its
     * cancel may reach the supervisor after it. Forgotten after {@link #UNMATCHED_CANCEL_NANOS}.
     */
    private final Map<UUID, Long> unmatchedCancels = new HashMap<>();
    /** Slots still to be replaced by the rolling restart, in order; one is replaced at a time. */
    private final Deque<WorkerSlot> restartQueue = new ArrayDeque<>();
    /** The slot the rolling restart is replacing now, or null. */
    private WorkerSlot restarting;
    /** The generation of the process the rolling restart is replacing in {@link #restarting}. */
    private long restartingGeneration;
    /** Log lines of running tasks not yet written to the store, by task id. */
    private final Map<UUID, PendingLog> logs = new HashMap<>();
    private long restarts;
    private long nextGeneration = 1;
    private long nextRequestId = 1;
    private boolean ready;
    private boolean stopping;
    private CompletableFuture<Void> stopped;

    public WorkerPool(WorkerProperties properties, Map<String, ProgramProperties> programs, Duration cancelGrace,
            int maxFrameBytes, long maxResultBytes, Supplier<TaskService> taskService, MeterRegistry meters,
            Clock clock) {
        this.properties = properties;
        this.cancelGrace = cancelGrace;
        this.taskService = taskService;
        this.meters = meters;
        this.clock = clock;
        this.size = properties.effectiveCount();
        this.codec = new FrameCodec(maxFrameBytes);
        this.classPath = WorkerClassPath.resolve(properties.classPath(), properties.pluginsDir());
        this.launcher = new WorkerLauncher(properties, programs, classPath, maxFrameBytes, maxResultBytes);
        this.status = PoolStatus.empty(size);
        this.spare = properties.warmSpare() ? new WorkerSlot(SPARE_ID) : null;
        for (WorkerState state : WorkerState.values()) {
            Gauge.builder("taskpool.workers", () -> count(state)).tag("state", state.name())
                    .description("Worker processes by state").register(meters);
        }
        Gauge.builder("taskpool.tasks.running", () -> status.busy())
                .description("Tasks running on this node's workers").register(meters);
        this.workerStart = Timer.builder("taskpool.workers.start")
                .description("From launching a worker JVM until its hello").register(meters);
    }

    /**
     * Whether the supervisor thread is alive (or the pool is not running). Without it no worker
     * is watched or replaced and nothing recovers by itself: the one condition for liveness.
     */
    public boolean supervising() {
        Thread thread = supervisor;
        return !running || thread == null || thread.isAlive();
    }

    // ---- WorkerGateway ----

    @Override
    public void taskQueued() {
        Dispatcher current = dispatcher;
        if (current != null) {
            current.wakeUp();
        }
    }

    @Override
    public void cancelRunning(UUID id) {
        events.add(new CancelRequested(id));
    }

    @Override
    public List<TaskType> taskTypes() {
        return taskTypes;
    }

    @Override
    public int capacity() {
        return size;
    }

    /** The pool as of the supervisor's last round. */
    @Override
    public PoolStatus status() {
        return status;
    }

    /**
     * Starts a rolling restart and returns at once: every worker is replaced, one at a time, an
     * idle one at once and a busy one when its current work is done, so queued work keeps
     * running. New workers see the plug-in jars as they are now, and their task types replace
     * the pool's.
     */
    @Override
    public void restart() {
        events.add(new RestartRequested());
    }

    // ---- lifecycle ----

    /**
     * Re-queues what the last run of this node left behind, starts the workers and waits for the
     * first to say hello, so the task types are known before the API takes requests.
     */
    @Override
    public void start() {
        if (supervisor != null) {
            // Slots, class path and latches belong to one life of the pool; a second one would
            // drop its workers' events. Fail loudly rather than run without workers.
            throw new IllegalStateException("the worker pool cannot be started again after it stopped;"
                    + " restart the service");
        }
        tasks = taskService.get();
        tasks.recoverInterruptedTasks();
        writer = new OutcomeWriter(tasks::finished, tasks::started);
        writer.start();
        running = true;
        log.info("Starting {} workers: {}", size, String.join(" ", launcher.command()));
        supervisor = new Thread(this::supervise, "worker-supervisor");
        supervisor.start();
        try {
            if (!firstHello.await(properties.startTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                stop();
                throw new IllegalStateException("no worker started within " + properties.startTimeout()
                        + " (taskpool.workers.start-timeout); last failure: " + lastStartFailure
                        + "; check taskpool.workers.jvm-options and taskpool.workers.class-path");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting workers", e);
        }
        dispatcher = new Dispatcher(tasks, idleWorkers::get, work -> events.add(new Assign(work)));
        dispatcher.start();
    }

    /**
     * Drains, then stops: no more work is claimed, running work gets up to the drain timeout to
     * finish, then the workers are killed and what they still ran goes back to the queue without
     * counting an attempt (the task did not fail; the service stopped).
     */
    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (dispatcher != null) {
            dispatcher.stop();
        }
        drain();
        CompletableFuture<Void> done = new CompletableFuture<>();
        events.add(new Stop(done));
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("Workers did not all exit within 10s of shutdown; they exit on their own when they see"
                    + " the service's end of their stdin");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            supervisor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.stop(Duration.ofSeconds(5));
        if (tasks != null) {
            tasks.requeueAfterOrderlyStop();
        }
        classPath.close();
        leftovers.close();
    }

    /** Waits, up to the drain timeout, until no worker has work (claimed work not yet sent included). */
    private void drain() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        PoolStatus now = status;
        if (now.busy() > 0) {
            log.info("Draining: waiting up to {} for {} running tasks (taskpool.shutdown.drain-timeout)",
                    drainTimeout, now.busy());
        }
        while (System.nanoTime() - deadline < 0 && (status.busy() > 0 || !pendingEmpty)) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (status.busy() > 0) {
            log.warn("Drain timeout: {} tasks still running are stopped and re-queued", status.busy());
        }
    }

    /** How long {@link #stop()} lets running work finish; set once, before the pool stops. */
    public void drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Never paused with its context: it cannot be started again (see {@link #start()}). */
    @Override
    public boolean isPauseable() {
        return false;
    }

    /** Starts before the web server takes requests and stops after it has stopped taking them. */
    @Override
    public int getPhase() {
        return 0;
    }

    // ---- the supervisor thread ----

    private void supervise() {
        for (int i = 1; i <= size; i++) {
            WorkerSlot slot = new WorkerSlot(i);
            slots.add(slot);
        }
        List<WorkerSlot> all = new ArrayList<>(slots);
        if (spare != null) {
            all.add(spare);
        }
        supervised = List.copyOf(all);
        slots.forEach(this::launch);
        publishStatus();
        while (stopped == null || supervised.stream().anyMatch(s -> s.process != null)) {
            try {
                PoolEvent event = events.poll(nanosToNextDeadline(), TimeUnit.NANOSECONDS);
                while (event != null) {
                    handleSafely(event);
                    if (outcomes.size() >= MAX_OUTCOMES_PER_HANDOVER) {
                        guarded("outcomes", this::writeOutcomes);
                    }
                    event = events.poll();
                }
                guarded("deadline checks", () -> checkDeadlines(System.nanoTime()));
                guarded("rolling restart", this::advanceRestart);
                guarded("logs", () -> writeDueLogs(System.nanoTime()));
                guarded("outcomes", this::writeOutcomes);
                guarded("status", this::publishStatus);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (stopped != null) {
            stopped.complete(null);
        }
    }

    private void handleSafely(PoolEvent event) {
        guarded(event.getClass().getSimpleName(), () -> handle(event));
    }

    /** Nothing may end the supervisor thread: without it no task would run or time out. */
    private static void guarded(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            log.error("Supervisor failed in {}; carrying on", what, e);
        }
    }

    private void fail(Task task, TaskFailure failure) {
        writeLastLog(task);
        outcomes.add(TaskOutcome.failed(task, failure));
    }

    private void succeed(Task task, String resultJson) {
        writeLastLog(task);
        outcomes.add(TaskOutcome.succeeded(task, resultJson));
    }

    private void writeOutcomes() {
        if (!outcomes.isEmpty()) {
            writer.write(List.copyOf(outcomes));
            outcomes.clear();
        }
    }

    private void handle(PoolEvent event) {
        if (event instanceof Assign assign) {
            try {
                onAssign(assign.tasks());
            } finally {
                // After the slot is BUSY: the dispatcher never sees more room than there is.
                dispatcher.assigned();
            }
        } else if (event instanceof FrameReceived received) {
            WorkerSlot slot = current(received.slot(), received.generation());
            if (slot != null) {
                slot.lastSeenNanos = System.nanoTime();
                onFrame(slot, received.frame());
            }
        } else if (event instanceof StreamBroken broken) {
            WorkerSlot slot = current(broken.slot(), broken.generation());
            if (slot != null) {
                onStreamBroken(slot, broken.reason());
            }
        } else if (event instanceof ProcessExited exited) {
            WorkerSlot slot = current(exited.slot(), exited.generation());
            if (slot != null) {
                onExit(slot, exited.exitCode(), exited.stderrTail());
            }
        } else if (event instanceof CancelRequested cancel) {
            onCancel(cancel.taskId());
        } else if (event instanceof RestartRequested) {
            onRestartRequested();
        } else if (event instanceof Stop stop) {
            onStop(stop.done());
        }
    }

    /**
     * The slot whose process is the given one, or null if that process is gone. A process keeps
     * the slot id it started with, which is the spare's id for a spare that took a slot since: so
     * the id is only the first place to look.
     */
    private WorkerSlot current(int slotId, long generation) {
        WorkerSlot first = slotId == SPARE_ID ? spare : slots.get(slotId - 1);
        if (first != null && first.process != null && first.process.generation() == generation) {
            return first;
        }
        for (WorkerSlot slot : supervised) {
            if (slot.process != null && slot.process.generation() == generation) {
                return slot;
            }
        }
        return null;
    }

    // ---- starting and replacing ----

    private void launch(WorkerSlot slot) {
        slot.reset();
        moveTo(slot, WorkerState.STARTING);
        slot.startedAt = clock.instant();
        slot.startedNanos = System.nanoTime();
        slot.lastSeenNanos = slot.startedNanos;
        try {
            slot.process = WorkerProcess.start(launcher, slot.id, nextGeneration++, codec, events::add);
        } catch (IOException e) {
            slot.process = null;
            startFailed(slot, "could not start the worker JVM: " + e.getMessage());
        }
    }

    private void startFailed(WorkerSlot slot, String reason) {
        slot.failedStarts++;
        lastStartFailure = reason;
        long backoff = Math.min(properties.maxRestartBackoff().toMillis(),
                FIRST_RESTART_BACKOFF_MILLIS << Math.min(20, slot.failedStarts - 1));
        slot.restartAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
        moveTo(slot, WorkerState.STARTING);
        countRestart(RestartReason.START_FAILURE);
        log.warn("worker-{} failed to start ({} in a row): {}; retrying in {} ms", slot.id, slot.failedStarts,
                reason, backoff);
    }

    private void onHello(WorkerSlot slot, Frame.Hello hello) {
        if (slot.state != WorkerState.STARTING) {
            brokeProtocol(slot, "hello sent twice");
            return;
        }
        workerStart.record(System.nanoTime() - slot.startedNanos, TimeUnit.NANOSECONDS);
        if (hello.protocolVersion() != Frame.PROTOCOL_VERSION) {
            brokeProtocol(slot, "worker speaks protocol version " + hello.protocolVersion() + ", expected "
                    + Frame.PROTOCOL_VERSION);
            return;
        }
        slot.announced = hello.types().stream()
                .map(t -> new TaskType(t.type(), t.description(), t.inputSchema())).toList();
        slot.types = slot.announced.stream().map(TaskType::type).collect(Collectors.toSet());
        slot.failedStarts = 0;
        log.debug("worker-{} (pid {}) ready in {} ms", slot.id, hello.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slot.startedNanos));
        if (slot == spare) {
            // Its task types count once it takes a slot: until then no slot could run a type only it offers.
            moveTo(slot, WorkerState.IDLE);
            return;
        }
        offerTypesOf(slot);
        firstHello.countDown();
        becomeIdle(slot);
        if (!ready && slots.stream().allMatch(s -> s.state == WorkerState.IDLE || s.state == WorkerState.BUSY)) {
            ready = true;
            log.info("All {} workers are up", size);
            if (spare != null && spare.process == null && !stopping) {
                // Only now: at start-up the pool's own workers come first.
                launch(spare);
            }
        }
    }

    /** The newest worker knows best: after a rolling restart it has seen the plug-ins as they are now. */
    private void offerTypesOf(WorkerSlot slot) {
        if (slot.announced.equals(taskTypes)) {
            return;
        }
        List<TaskType> before = taskTypes;
        taskTypes = slot.announced;
        if (before.isEmpty()) {
            log.info("Workers offer task types {}", slot.types.stream().sorted().toList());
        } else {
            log.info("worker-{} offers other task types than the pool had; the pool now offers {}", slot.id,
                    slot.types.stream().sorted().toList());
        }
        tasks.taskTypesAnnounced(taskTypes);
    }

    /**
     * Moves the spare's process into the slot, if the spare has said hello, and starts a new
     * spare. The process is the same as a freshly started worker: it has run nothing.
     */
    private boolean takeSpare(WorkerSlot slot) {
        if (spare == null || spare.process == null || spare.state != WorkerState.IDLE || stopping) {
            return false;
        }
        slot.reset();
        slot.process = spare.process;
        slot.types = spare.types;
        slot.announced = spare.announced;
        slot.startedAt = spare.startedAt;
        slot.startedNanos = spare.startedNanos;
        slot.lastSeenNanos = spare.lastSeenNanos;
        moveTo(slot, WorkerState.STARTING);
        log.debug("worker-{} is now the spare's process (pid {})", slot.id, slot.process.pid());
        spare.process = null;
        launch(spare);
        offerTypesOf(slot);
        becomeIdle(slot);
        return true;
    }

    private void becomeIdle(WorkerSlot slot) {
        slot.assignment = null;
        if (slot == restarting && slot.process.generation() == restartingGeneration) {
            stopForRestart(slot);
            return;
        }
        List<Task> next = stopping ? null : pollPendingFor(slot);
        if (next != null) {
            run(slot, next);
            return;
        }
        moveTo(slot, WorkerState.IDLE);
        Dispatcher current = dispatcher;
        if (current != null) {
            current.wakeUp();
        }
    }

    /** The oldest claimed work of a type this worker offers, taken off the pending list; or null. */
    private List<Task> pollPendingFor(WorkerSlot slot) {
        for (var it = pending.iterator(); it.hasNext(); ) {
            List<Task> work = it.next();
            if (slot.types.contains(work.get(0).type())) {
                it.remove();
                return work;
            }
        }
        return null;
    }

    /** Every state change of a slot goes through here, so the idle count is always exact. */
    private void moveTo(WorkerSlot slot, WorkerState state) {
        if (slot == spare) {
            slot.state = state; // in reserve: not a worker the dispatcher may count on
            return;
        }
        if (slot.state == WorkerState.IDLE && state != WorkerState.IDLE) {
            idleWorkers.decrementAndGet();
        } else if (slot.state != WorkerState.IDLE && state == WorkerState.IDLE) {
            idleWorkers.incrementAndGet();
        }
        slot.state = state;
    }

    private void onExit(WorkerSlot slot, int exitCode, String stderrTail) {
        if (slot.process != null) {
            // However it died: killed from outside, its programs may live on, no longer its descendants.
            leftovers.killMarkedWith(slot.process.token());
        }
        releaseChunk(slot);
        RestartReason reason = slot.stopReason;
        if (reason == null && slot.state == WorkerState.STARTING) {
            slot.process = null;
            startFailed(slot, "exited with " + describeExit(exitCode) + " before saying hello"
                    + (stderrTail.isEmpty() ? "" : "; stderr: " + lastLines(stderrTail, 5)));
            return;
        }
        if (slot == spare) {
            onSpareExit(exitCode, reason, stderrTail);
            return;
        }
        if (reason == null && slot.brokenReason != null && exitCode == 0) {
            // Garbage, then a clean exit: the protocol was broken, nothing crashed.
            Assignment assignment = slot.assignment;
            slot.assignment = null;
            if (assignment != null) {
                fail(assignment.task, new TaskFailure.ProtocolViolation(slot.brokenReason));
            }
            reason = RestartReason.PROTOCOL_ERROR;
        }
        if (reason == null) {
            reason = crashed(slot, exitCode, stderrTail);
        }
        slot.process = null;
        if (stopping) {
            moveTo(slot, WorkerState.STOPPING);
            return;
        }
        countRestart(reason);
        if (!takeSpare(slot)) {
            launch(slot);
        }
    }

    /**
     * The spare ran nothing, so its end charges no task; another one starts. Its own crash is a
     * restart like any worker's, counted with its reason; a spare the pool stopped itself is not.
     */
    private void onSpareExit(int exitCode, RestartReason reason, String stderrTail) {
        spare.process = null;
        if (stopping) {
            moveTo(spare, WorkerState.STOPPING);
            return;
        }
        if (reason == null) {
            log.warn("The spare worker exited with {}; starting another", describeExit(exitCode));
            countRestart(RestartReason.ofExit(exitCode == 3 && stderrTail.contains("OutOfMemoryError")));
        }
        launch(spare);
    }

    /** The worker died on its own: charge its task (if any) and say what happens next. */
    private RestartReason crashed(WorkerSlot slot, int exitCode, String stderrTail) {
        boolean outOfMemory = exitCode == 3 && stderrTail.contains("OutOfMemoryError");
        Assignment assignment = slot.assignment;
        if (assignment == null) {
            log.warn("worker-{} exited while idle with {}; starting a replacement", slot.id, describeExit(exitCode));
            return RestartReason.ofExit(outOfMemory);
        }
        Path report = WorkerLauncher.fatalErrorReport(slot.process.pid());
        String how = Files.exists(report)
                ? "the worker JVM crashed (" + describeExit(exitCode) + ") while running the task; fatal error report: "
                        + report
                : "the worker process exited with " + describeExit(exitCode) + " while running the task";
        TaskFailure failure = outOfMemory
                ? new TaskFailure.OutOfMemory(properties.maxHeap().toMegabytes() + "MB", stderrTail)
                : new TaskFailure.WorkerCrashed(how, stderrTail);
        log.warn("worker-{} exited with {} while running task {}; the task failed with {}; starting a replacement",
                slot.id, describeExit(exitCode), assignment.task.id(), failure.code());
        slot.assignment = null;
        fail(assignment.task, failure);
        return RestartReason.ofExit(outOfMemory);
    }

    static String describeExit(int exitCode) {
        if (exitCode > 128 && exitCode < 128 + 65) {
            int signal = exitCode - 128;
            String name = switch (signal) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                case 1 -> "SIGHUP";
                default -> "signal " + signal;
            };
            return "signal " + signal + " (" + name + ")";
        }
        return "exit code " + exitCode;
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    // ---- running tasks ----

    private void onAssign(List<Task> claimed) {
        if (stopping) {
            guarded("unclaim", () -> tasks.unclaim(claimed.stream().map(Task::id).toList()));
            return;
        }
        List<Task> work = new ArrayList<>(claimed.size());
        for (Task task : claimed) {
            if (unmatchedCancels.remove(task.id()) != null) {
                fail(task, new TaskFailure.Cancelled("cancelled before it reached a worker"));
            } else {
                work.add(task);
            }
        }
        if (work.isEmpty()) {
            return;
        }
        String type = work.get(0).type();
        if (taskTypes.stream().noneMatch(t -> t.type().equals(type))) {
            // Queued before its plug-in left the workers' class path: no worker can run it now.
            for (Task task : work) {
                fail(task, new TaskFailure.TaskError("UnknownTaskType", "no worker offers task type '" + type
                        + "' any more (its plug-in was removed before the task ran)", null));
            }
            return;
        }
        for (WorkerSlot slot : slots) {
            if (slot.state == WorkerState.IDLE && slot.types.contains(type)) {
                run(slot, work);
                return;
            }
        }
        // Busy, or (during a rolling restart) an older worker that does not know the type yet.
        pending.add(work);
    }

    /**
     * Sends a task, or a chunk of a batch's items, to an idle worker in one go. The worker runs
     * them one after the other; the timeout of each counts from its own start.
     */
    private void run(WorkerSlot slot, List<Task> work) {
        List<Task> sent = new ArrayList<>(work.size());
        for (Task task : work) {
            Assignment assignment = new Assignment(task, nextRequestId++);
            try {
                slot.process.send(new Frame.Run(assignment.requestId, task.id().toString(), task.type(),
                        task.inputJson()));
            } catch (ProtocolException tooLarge) {
                // The API bounds inputs below the frame size; this guards the worker all the same.
                fail(task, new TaskFailure.TaskError("InputTooLarge", "the task's input does not fit in a worker"
                        + " frame: " + tooLarge.getMessage(), null));
                continue;
            }
            sent.add(task);
            if (slot.assignment == null) {
                assignment.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(task.timeoutMs());
                slot.assignment = assignment;
            } else {
                slot.queued.add(assignment);
            }
        }
        if (slot.assignment == null) {
            becomeIdle(slot);
            return;
        }
        moveTo(slot, WorkerState.BUSY);
        long pid = slot.process.pid();
        writer.started(List.copyOf(sent), pid);
    }

    /**
     * A worker died or was killed with items of its chunk not started: they go back to the queue
     * with their attempt unchanged (they never ran), for any worker to take.
     */
    private void releaseChunk(WorkerSlot slot) {
        slot.skipped.clear();
        if (slot.queued.isEmpty()) {
            return;
        }
        List<UUID> notStarted = slot.queued.stream().map(a -> a.task.id()).toList();
        slot.queued.clear();
        guarded("unclaim", () -> tasks.unclaim(notStarted));
    }

    private void onFrame(WorkerSlot slot, Frame frame) {
        if (frame instanceof Frame.Heartbeat) {
            return;
        }
        if (frame instanceof Frame.Hello hello) {
            onHello(slot, hello);
            return;
        }
        Assignment assignment = slot.assignment;
        long requestId = requestIdOf(frame);
        if (slot.skipped.contains(requestId)) {
            // A chunk item cancelled before it started: its outcome is recorded; the worker's
            // acknowledgement of the cancel is all that comes.
            if (frame instanceof Frame.Result || frame instanceof Frame.Failed) {
                slot.skipped.remove(requestId);
            }
            return;
        }
        if (assignment == null || assignment.requestId != requestId) {
            if (slot.state == WorkerState.STOPPING) {
                return; // a late frame from a worker we are killing
            }
            brokeProtocol(slot, frame.getClass().getSimpleName() + " for request " + requestId
                    + " that the worker is not running");
            return;
        }
        if (frame instanceof Frame.Ack) {
            // The timeout counts from the moment the handler starts, on the monotonic clock.
            long now = System.nanoTime();
            assignment.deadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(assignment.task.timeoutMs());
        } else if (frame instanceof Frame.Progress progress) {
            long now = System.nanoTime();
            if (now - assignment.progressWrittenNanos >= PROGRESS_WRITE_INTERVAL_NANOS) {
                assignment.progressWrittenNanos = now;
                tasks.progressed(assignment.task, new TaskProgress(progress.fraction(), progress.message()));
            }
        } else if (frame instanceof Frame.Log line) {
            onLog(assignment.task, line.text());
        } else if (frame instanceof Frame.Result result) {
            if (!ResultCheck.isJson(result.resultJson())) {
                brokeProtocol(slot, "a result that is not valid JSON");
                return;
            }
            succeed(assignment.task, result.resultJson());
            finishTask(slot);
        } else if (frame instanceof Frame.Failed failed) {
            fail(assignment.task, failureOf(failed));
            finishTask(slot);
        } else {
            brokeProtocol(slot, "workers never send " + frame.getClass().getSimpleName());
        }
    }

    private static long requestIdOf(Frame frame) {
        if (frame instanceof Frame.Ack ack) {
            return ack.requestId();
        }
        if (frame instanceof Frame.Progress progress) {
            return progress.requestId();
        }
        if (frame instanceof Frame.Result result) {
            return result.requestId();
        }
        if (frame instanceof Frame.Failed failed) {
            return failed.requestId();
        }
        if (frame instanceof Frame.Log line) {
            return line.requestId();
        }
        return -1;
    }

    private static TaskFailure failureOf(Frame.Failed failed) {
        return switch (failed.kind()) {
            case CANCELLED -> new TaskFailure.Cancelled("cancelled while running; the handler stopped");
            case RESULT_TOO_LARGE -> new TaskFailure.ResultTooLarge(failed.message()
                    + " (taskpool.tasks.max-result)");
            case TASK_ERROR -> new TaskFailure.TaskError(failed.errorType(), failed.message(), failed.stackTrace());
        };
    }

    /** The current task ended: the next of its chunk starts, or the worker is free (or recycled). */
    private void finishTask(WorkerSlot slot) {
        slot.tasksCompleted++;
        Assignment next = slot.queued.poll();
        if (next != null) {
            // Its Ack restarts the clock; until then it counts from now, not from the chunk's dispatch.
            next.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(next.task.timeoutMs());
            slot.assignment = next;
            return;
        }
        slot.assignment = null;
        if (properties.maxTasksPerWorker() > 0 && slot.tasksCompleted >= properties.maxTasksPerWorker()) {
            shutDown(slot, RestartReason.RECYCLE);
            return;
        }
        becomeIdle(slot);
    }

    /** Asks a worker with no work left to exit; its exit (counted under {@code reason}) brings a replacement. */
    private void shutDown(WorkerSlot slot, RestartReason reason) {
        moveTo(slot, WorkerState.STOPPING);
        slot.stopReason = reason;
        slot.stopDeadlineNanos = System.nanoTime() + STOP_GRACE_NANOS;
        try {
            slot.process.send(new Frame.Shutdown());
        } catch (ProtocolException impossible) {
            slot.process.killTree();
        }
    }

    // ---- rolling restart ----

    /**
     * Queues every worker for replacement. A worker already queued stays once in the queue; the
     * one being replaced now is queued again, since it may have started before the request.
     */
    private void onRestartRequested() {
        if (stopping) {
            return;
        }
        for (WorkerSlot slot : slots) {
            if (!restartQueue.contains(slot)) {
                restartQueue.add(slot);
            }
        }
        if (spare != null && spare.process != null && spare.state != WorkerState.STOPPING) {
            // Started before the restart, it may not see the plug-ins as they are now: a new one will.
            shutDown(spare, RestartReason.RESTART);
        }
        log.info("Rolling restart of {} workers requested; replacing them one at a time, busy ones after their"
                + " current work", restartQueue.size());
        advanceRestart();
    }

    /**
     * Moves the rolling restart on: once the slot being replaced has a new process that said
     * hello, the next queued slot is stopped (at once if idle, after its work if busy). A slot
     * without a process, or stopping anyway, gets a new process by itself and is skipped.
     */
    private void advanceRestart() {
        if (restarting != null) {
            boolean replaced = restarting.process != null && restarting.process.generation() != restartingGeneration
                    && (restarting.state == WorkerState.IDLE || restarting.state == WorkerState.BUSY);
            if (!replaced) {
                return;
            }
            restarting = null;
            if (restartQueue.isEmpty()) {
                log.info("Rolling restart complete: every worker has been replaced");
            }
        }
        while (restarting == null && !restartQueue.isEmpty() && !stopping) {
            WorkerSlot slot = restartQueue.poll();
            if (slot.process == null || slot.state == WorkerState.STOPPING) {
                continue;
            }
            restarting = slot;
            restartingGeneration = slot.process.generation();
            if (slot.state == WorkerState.IDLE) {
                stopForRestart(slot);
            } else {
                // BUSY: it finishes its current task or chunk, then becomeIdle stops it.
                // STARTING: once it has said hello, becomeIdle stops it like an idle one.
                log.info("worker-{} will be restarted when its current work is done", slot.id);
            }
        }
    }

    private void stopForRestart(WorkerSlot slot) {
        log.info("Restarting worker-{} (pid {}) for the rolling restart", slot.id, slot.process.pid());
        shutDown(slot, RestartReason.RESTART);
    }

    /**
     * The worker's stdout stopped being frames. A JVM that crashes natively prints its fatal-error
     * banner there before it dies, so the worker gets {@link #DYING_WORDS_NANOS} to exit: if it
     * does, with a failure status, it crashed; if it lives on, it broke the protocol.
     */
    private void onStreamBroken(WorkerSlot slot, String reason) {
        if (slot.state == WorkerState.STOPPING || slot.brokenReason != null) {
            return;
        }
        slot.brokenReason = reason;
        slot.brokenDeadlineNanos = System.nanoTime() + DYING_WORDS_NANOS;
    }

    /** Kills a worker that broke the protocol; its task fails with WORKER_PROTOCOL_ERROR. */
    private void brokeProtocol(WorkerSlot slot, String reason) {
        if (slot.state == WorkerState.STOPPING) {
            return; // being killed already; what it writes now no longer matters
        }
        if (slot.state == WorkerState.STARTING) {
            // Garbage before hello (a plug-in printing from a static initializer, say) is a failed
            // start: its exit goes through the start-failure path, with back-off.
            log.warn("worker-{} wrote something that is not a frame before saying hello ({}); killing it", slot.id,
                    reason);
            slot.brokenReason = null;
            slot.process.killTree();
            return;
        }
        log.warn("worker-{} wrote something that is not a frame ({}); killing and replacing it", slot.id, reason);
        Assignment assignment = slot.assignment;
        kill(slot, RestartReason.PROTOCOL_ERROR);
        if (assignment != null) {
            fail(assignment.task, new TaskFailure.ProtocolViolation(reason));
        }
    }

    private void onCancel(UUID taskId) {
        for (List<Task> work : pending) {
            for (Task task : work) {
                if (task.id().equals(taskId)) {
                    work.remove(task);
                    if (work.isEmpty()) {
                        pending.remove(work);
                    }
                    fail(task, new TaskFailure.Cancelled("cancelled before it reached a worker"));
                    return;
                }
            }
        }
        for (WorkerSlot slot : slots) {
            for (Assignment queued : slot.queued) {
                if (queued.task.id().equals(taskId)) {
                    // Not started yet: the worker skips it, and its slot goes on with the chunk.
                    slot.queued.remove(queued);
                    slot.skipped.add(queued.requestId);
                    try {
                        slot.process.send(new Frame.Cancel(queued.requestId));
                    } catch (ProtocolException impossible) {
                        // A cancel frame is a few bytes.
                    }
                    fail(queued.task, new TaskFailure.Cancelled("cancelled before it started"));
                    return;
                }
            }
        }
        for (WorkerSlot slot : slots) {
            Assignment assignment = slot.assignment;
            if (assignment != null && assignment.task.id().equals(taskId) && assignment.cancelDeadlineNanos == 0) {
                assignment.cancelDeadlineNanos = System.nanoTime() + Math.max(1, cancelGrace.toNanos());
                try {
                    slot.process.send(new Frame.Cancel(assignment.requestId));
                } catch (ProtocolException impossible) {
                    // A cancel frame is a few bytes; the deadline kills the worker if it came to this.
                }
                return;
            }
        }
        unmatchedCancels.put(taskId, System.nanoTime());
    }

    /** Kills a worker for a reason of ours; its task's outcome has been recorded already. */
    private void kill(WorkerSlot slot, RestartReason reason) {
        slot.assignment = null;
        slot.stopDeadlineNanos = System.nanoTime() + STOP_GRACE_NANOS;
        moveTo(slot, WorkerState.STOPPING);
        if (slot.stopReason == null) {
            slot.stopReason = reason;
        }
        slot.process.killTree();
    }

    // ---- task logs ----

    /**
     * Keeps a line for the task's log, bounded to what the store keeps anyway (the oldest text
     * goes first), and writes it at once unless the last write was less than
     * {@link #LOG_WRITE_INTERVAL_NANOS} ago; {@link #writeDueLogs} writes the rest later.
     */
    private void onLog(Task task, String line) {
        PendingLog pending = logs.computeIfAbsent(task.id(), id -> new PendingLog(task));
        StringBuilder text = pending.text;
        text.append(line == null ? "" : line).append('\n');
        int max = tasks.maxLogChars();
        if (text.length() > max) {
            text.delete(0, text.length() - max);
        }
        long now = System.nanoTime();
        if (now - pending.writtenNanos >= LOG_WRITE_INTERVAL_NANOS) {
            writeLog(pending, now);
        }
    }

    void writeDueLogs(long now) {
        for (PendingLog pending : List.copyOf(logs.values())) {
            if (pending.text.length() > 0 && now - pending.writtenNanos >= LOG_WRITE_INTERVAL_NANOS) {
                writeLog(pending, now);
            }
        }
    }

    /** The task ended: the rest of its log is written before its outcome, so a finished task's log is whole. */
    private void writeLastLog(Task task) {
        PendingLog pending = logs.remove(task.id());
        if (pending != null) {
            writeLog(pending, System.nanoTime());
        }
    }

    private void writeLog(PendingLog pending, long now) {
        pending.writtenNanos = now;
        if (pending.text.length() == 0) {
            return;
        }
        String text = pending.text.toString();
        pending.text.setLength(0);
        try {
            if (!tasks.logged(pending.task, text)) {
                logs.remove(pending.task.id()); // no longer running at this attempt (cancelled, recovered)
            }
        } catch (RuntimeException e) {
            log.warn("Could not write {} characters of the log of task {}; they are dropped and later lines are"
                    + " written as they come: {}", text.length(), pending.task.id(), e.getMessage());
        }
    }

    // ---- deadlines ----

    private long nanosToNextDeadline() {
        long now = System.nanoTime();
        long next = now + MAX_IDLE_WAIT_NANOS;
        for (WorkerSlot slot : supervised) {
            Assignment assignment = slot.assignment;
            if (assignment != null) {
                next = Math.min(next, assignment.deadlineNanos);
                if (assignment.cancelDeadlineNanos != 0) {
                    next = Math.min(next, assignment.cancelDeadlineNanos);
                }
            }
            if (slot.process == null && slot.restartAtNanos != 0) {
                next = Math.min(next, slot.restartAtNanos);
            }
            if (slot.brokenReason != null) {
                next = Math.min(next, slot.brokenDeadlineNanos);
            }
        }
        for (PendingLog pending : logs.values()) {
            if (pending.text.length() > 0) {
                next = Math.min(next, pending.writtenNanos + LOG_WRITE_INTERVAL_NANOS);
            }
        }
        return Math.max(0, next - now);
    }

    void checkDeadlines(long now) {
        unmatchedCancels.values().removeIf(at -> now - at > UNMATCHED_CANCEL_NANOS);
        for (WorkerSlot slot : supervised) {
            if (slot.process == null) {
                if (!stopping && slot.restartAtNanos != 0 && now - slot.restartAtNanos >= 0) {
                    launch(slot);
                }
                continue;
            }
            if (slot.brokenReason != null && slot.state != WorkerState.STOPPING
                    && now - slot.brokenDeadlineNanos >= 0) {
                brokeProtocol(slot, slot.brokenReason);
                continue;
            }
            if (slot.brokenReason == null && slot.state != WorkerState.STOPPING
                    && slot.process.unfinishedFrameFor(now) > UNFINISHED_FRAME_NANOS) {
                brokeProtocol(slot, "a frame left unfinished for "
                        + TimeUnit.NANOSECONDS.toSeconds(UNFINISHED_FRAME_NANOS) + " s");
                continue;
            }
            if (slot.state == WorkerState.STOPPING && slot.stopDeadlineNanos != 0 && now - slot.stopDeadlineNanos >= 0) {
                log.warn("worker-{} (pid {}) did not exit within {} s of being stopped; killing it", slot.id,
                        slot.process.pid(), TimeUnit.NANOSECONDS.toSeconds(STOP_GRACE_NANOS));
                slot.stopDeadlineNanos = now + STOP_GRACE_NANOS;
                slot.process.killTree();
                continue;
            }
            Assignment assignment = slot.assignment;
            if (assignment != null && now - assignment.deadlineNanos >= 0) {
                log.warn("Task {} exceeded its timeout of {} ms; killing worker-{} (pid {}) and starting a replacement",
                        assignment.task.id(), assignment.task.timeoutMs(), slot.id, slot.process.pid());
                kill(slot, RestartReason.TIMEOUT);
                fail(assignment.task, new TaskFailure.TimedOut(assignment.task.timeoutMs()));
            } else if (assignment != null && assignment.cancelDeadlineNanos != 0
                    && now - assignment.cancelDeadlineNanos >= 0) {
                log.info("Task {} did not stop within the cancel grace of {}; killing worker-{} (pid {})",
                        assignment.task.id(), cancelGrace, slot.id, slot.process.pid());
                kill(slot, RestartReason.CANCEL);
                fail(assignment.task, new TaskFailure.Cancelled(
                        "cancelled while running; the worker did not stop within the grace period and was killed"));
            } else if (slot.state == WorkerState.STARTING
                    && now - slot.startedNanos > properties.startTimeout().toNanos()) {
                log.warn("worker-{} did not say hello within {}; killing it", slot.id, properties.startTimeout());
                slot.process.killTree(); // its exit is handled as a failed start
            } else if ((slot.state == WorkerState.IDLE || slot.state == WorkerState.BUSY)
                    && now - slot.lastSeenNanos > properties.heartbeatTimeout().toNanos()) {
                log.warn("worker-{} (pid {}) sent no heartbeat for {}; killing and replacing it", slot.id,
                        slot.process.pid(), properties.heartbeatTimeout());
                kill(slot, RestartReason.UNRESPONSIVE);
                if (assignment != null) {
                    fail(assignment.task, new TaskFailure.WorkerCrashed("the worker stopped responding (no"
                            + " heartbeat for " + properties.heartbeatTimeout().toMillis() + " ms) and was killed", null));
                }
            }
        }
    }

    // ---- stopping ----

    private void onStop(CompletableFuture<Void> done) {
        stopping = true;
        stopped = done;
        List<UUID> notStarted = pending.stream().flatMap(List::stream).map(Task::id).toList();
        pending.clear();
        for (WorkerSlot slot : supervised) {
            slot.restartAtNanos = 0;
            if (slot.process != null) {
                if (slot.stopReason == null) {
                    slot.stopReason = RestartReason.SHUTDOWN;
                }
                moveTo(slot, WorkerState.STOPPING);
                // Its task stays RUNNING in the store; recovery re-queues it for another attempt.
                slot.assignment = null;
                slot.process.killTree();
            }
        }
        guarded("unclaim", () -> tasks.unclaim(notStarted));
        // The tasks stay RUNNING for recovery to re-queue; what they logged so far is kept.
        guarded("logs", () -> List.copyOf(logs.values()).forEach(pending -> writeLog(pending, System.nanoTime())));
        logs.clear();
    }

    // ---- status ----

    private void countRestart(RestartReason reason) {
        restarts++;
        restartsByReason.merge(reason.tag(), 1L, Long::sum);
        Counter.builder("taskpool.workers.restarts").tag("reason", reason.tag())
                .description("Worker processes replaced, by reason").register(meters).increment();
    }

    private void publishStatus() {
        List<PoolStatus.Worker> workers = new ArrayList<>(slots.size());
        int busy = 0;
        int idle = 0;
        int failing = 0;
        for (WorkerSlot slot : slots) {
            busy += slot.state == WorkerState.BUSY ? 1 : 0;
            idle += slot.state == WorkerState.IDLE ? 1 : 0;
            failing = Math.max(failing, slot.failedStarts);
            workers.add(statusOf(slot));
        }
        PoolStatus.Worker spareStatus = spare == null || spare.process == null ? null : statusOf(spare);
        status = new PoolStatus(size, busy, idle, restarts, Map.copyOf(restartsByReason), ready, failing,
                lastStartFailure, List.copyOf(workers), spareStatus);
        pendingEmpty = pending.isEmpty();
    }

    private static PoolStatus.Worker statusOf(WorkerSlot slot) {
        Assignment assignment = slot.assignment;
        return new PoolStatus.Worker(slot.id, slot.process == null ? null : slot.process.pid(), slot.state,
                assignment == null ? null : assignment.task.id(),
                assignment == null ? null : assignment.task.startedAt(), slot.tasksCompleted, slot.startedAt);
    }

    private double count(WorkerState state) {
        return status.workers().stream().filter(w -> w.state() == state).count();
    }

    /** One slot of the pool: the current process in it and what it is doing. */
    private static final class WorkerSlot {
        final int id;
        WorkerProcess process;
        WorkerState state = WorkerState.STARTING;
        Assignment assignment;
        /** The rest of the current chunk, sent to the worker, not started yet. */
        final Deque<Assignment> queued = new ArrayDeque<>();
        /** Request ids of chunk items cancelled before they started, which the worker will skip. */
        final Set<Long> skipped = new HashSet<>();
        RestartReason stopReason;
        /** The task types this slot's process announced; empty until its hello. */
        Set<String> types = Set.of();
        /** The same as its hello described them. */
        List<TaskType> announced = List.of();
        long tasksCompleted;
        Instant startedAt;
        long startedNanos;
        long lastSeenNanos;
        int failedStarts;
        long restartAtNanos;
        long stopDeadlineNanos;
        String brokenReason;
        long brokenDeadlineNanos;

        WorkerSlot(int id) {
            this.id = id;
        }

        /** A new process takes the slot; the failure count stays, to keep the back-off growing. */
        void reset() {
            process = null;
            types = Set.of();
            announced = List.of();
            assignment = null;
            stopReason = null;
            tasksCompleted = 0;
            restartAtNanos = 0;
            stopDeadlineNanos = 0;
            brokenReason = null;
            brokenDeadlineNanos = 0;
        }
    }

    /** Lines a running task logged that are not in the store yet. */
    private static final class PendingLog {
        final Task task;
        final StringBuilder text = new StringBuilder();
        long writtenNanos = System.nanoTime() - LOG_WRITE_INTERVAL_NANOS;

        PendingLog(Task task) {
            this.task = task;
            if (task.attempt() > 1) {
                text.append("--- attempt ").append(task.attempt()).append(" ---\n");
            }
        }
    }

    /** A task handed to a worker. */
    private static final class Assignment {
        final Task task;
        final long requestId;
        long deadlineNanos;
        long cancelDeadlineNanos;
        long progressWrittenNanos;

        Assignment(Task task, long requestId) {
            this.task = task;
            this.requestId = requestId;
        }
    }
}
