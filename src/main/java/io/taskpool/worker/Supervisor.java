package io.taskpool.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskpool.task.PoolStatus;
import io.taskpool.task.Task;
import io.taskpool.task.TaskFailure;
import io.taskpool.task.TaskOutcome;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskType;
import io.taskpool.task.WorkerState;
import io.taskpool.worker.PoolEvent.Assign;
import io.taskpool.worker.PoolEvent.CancelRequested;
import io.taskpool.worker.PoolEvent.FrameReceived;
import io.taskpool.worker.PoolEvent.ProcessExited;
import io.taskpool.worker.PoolEvent.RestartRequested;
import io.taskpool.worker.PoolEvent.Stop;
import io.taskpool.worker.PoolEvent.StreamBroken;
import io.taskpool.worker.protocol.Frame;
import io.taskpool.worker.protocol.ProtocolException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the pool's slots and every decision about them: which worker runs what, when a worker
 * is replaced, and what its death costs its task. It handles {@link PoolEvent}s in order on one
 * thread and keeps no locks; other threads only post events and read what it publishes (the
 * status, the task types, the idle count). Time comes from an injected monotonic clock, so tests
 * drive it with events and a fake clock, without processes.
 *
 * <p>It is the pool's longest class because the decisions share the slots: a crash, a timeout, a
 * cancel and a rolling restart each change a slot's process, its task and what runs next, and
 * reading them side by side is what keeps them consistent. What can stand alone does:
 * {@link WorkerSlot}, {@link PendingWork}, {@link TaskLogs}, {@link RollingRestart},
 * {@link ExitDiagnosis}.
 */
final class Supervisor {

    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** The supervisor wakes at least this often to check deadlines. */
    private static final long MAX_IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Progress is written to the store at most this often per task. */
    private static final long PROGRESS_WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
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
    static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Outcomes gathered in one round of events before they go to the recorder. */
    private static final int MAX_OUTCOMES_PER_HANDOVER = 256;
    /** How long a cancel that found no task waits for that task to be assigned here. */
    private static final long UNMATCHED_CANCEL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final WorkerProperties properties;
    private final Duration cancelGrace;
    private final WorkerProcesses processes;
    private final TaskRecorder recorder;
    private final MeterRegistry meters;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Timer workerStart;
    private final int size;

    // ---- read by other threads ----
    private final BlockingQueue<PoolEvent> events = new LinkedBlockingQueue<>();
    /** IDLE slots: how many tasks the dispatcher may claim. The supervisor is its only writer. */
    private final AtomicInteger idleWorkers = new AtomicInteger();
    private final CountDownLatch firstHello = new CountDownLatch(1);
    private volatile List<TaskType> taskTypes = List.of();
    private volatile PoolStatus status;
    private volatile String lastStartFailure;
    /** Whether no claimed work waits for a worker; read by the drain. */
    private volatile boolean pendingEmpty = true;
    /** Set once, after the first hello; null in tests that drive the supervisor alone. */
    private volatile Dispatcher dispatcher;

    // ---- owned by the supervisor thread ----
    private final List<WorkerSlot> slots = new ArrayList<>();
    /**
     * The warm spare (taskpool.workers.warm-spare), or null: a worker started and said hello in
     * reserve, outside the pool's slots and never given work. When a worker exits, the spare's
     * process moves into that slot at once and a new spare starts.
     */
    private final WorkerSlot spare;
    /** {@link #slots} and the {@link #spare} if there is one: every process the supervisor watches. */
    private final List<WorkerSlot> supervised;
    private final PendingWork pending = new PendingWork();
    /**
     * Outcomes of this round of events, handed to the recorder when the round ends (or when
     * {@link #MAX_OUTCOMES_PER_HANDOVER} have gathered).
     */
    private final List<TaskOutcome> outcomes = new ArrayList<>();
    private final Map<String, Long> restartsByReason = new TreeMap<>();
    /**
     * Cancels that found no task here, by the time they arrived: a task claimed just before its
     * cancel may reach the supervisor after it. Forgotten after {@link #UNMATCHED_CANCEL_NANOS}.
     */
    private final Map<UUID, Long> unmatchedCancels = new HashMap<>();
    private final RollingRestart rollingRestart = new RollingRestart();
    private final TaskLogs logs;
    private long restarts;
    private long nextGeneration = 1;
    private long nextRequestId = 1;
    private boolean ready;
    private boolean stopping;
    private CompletableFuture<Void> stopped;

    Supervisor(WorkerProperties properties, Duration cancelGrace, WorkerProcesses processes, TaskRecorder recorder,
            MeterRegistry meters, Clock clock, LongSupplier nanoTime) {
        this.properties = properties;
        this.cancelGrace = cancelGrace;
        this.processes = processes;
        this.recorder = recorder;
        this.meters = meters;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.size = properties.effectiveCount();
        this.logs = new TaskLogs(recorder);
        this.status = PoolStatus.empty(size);
        this.workerStart = Timer.builder("taskpool.workers.start")
                .description("From launching a worker JVM until its hello").register(meters);
        for (int i = 1; i <= size; i++) {
            slots.add(new WorkerSlot(i));
        }
        this.spare = properties.warmSpare() ? new WorkerSlot(WorkerSlot.SPARE_ID) : null;
        List<WorkerSlot> all = new ArrayList<>(slots);
        if (spare != null) {
            all.add(spare);
        }
        this.supervised = List.copyOf(all);
    }

    // ---- for other threads ----

    void post(PoolEvent event) {
        events.add(event);
    }

    void dispatchTo(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    PoolStatus status() {
        return status;
    }

    List<TaskType> taskTypes() {
        return taskTypes;
    }

    int idleWorkers() {
        return idleWorkers.get();
    }

    boolean pendingEmpty() {
        return pendingEmpty;
    }

    String lastStartFailure() {
        return lastStartFailure;
    }

    /** Waits until one worker has said hello, so the task types are known. */
    boolean awaitFirstHello(Duration timeout) throws InterruptedException {
        return firstHello.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- the supervisor thread ----

    /** The body of the supervisor thread: starts the workers and handles events until stopped. */
    void run() {
        launchAll();
        while (!finished()) {
            try {
                runOnce(nanosToNextDeadline());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (stopped != null) {
            stopped.complete(null);
        }
    }

    /** Launches a process in every slot; the spare comes once they are all up. */
    void launchAll() {
        slots.forEach(this::launch);
        publishStatus();
    }

    /** Whether the pool has stopped and every process it watched is gone. */
    boolean finished() {
        return stopped != null && supervised.stream().allMatch(s -> s.process == null);
    }

    /**
     * One round: waits up to {@code maxWaitNanos} for an event, handles it and every event queued
     * behind it, then enforces the deadlines that have passed and publishes the result.
     */
    void runOnce(long maxWaitNanos) throws InterruptedException {
        PoolEvent event = events.poll(maxWaitNanos, TimeUnit.NANOSECONDS);
        while (event != null) {
            handleSafely(event);
            if (outcomes.size() >= MAX_OUTCOMES_PER_HANDOVER) {
                guarded("outcomes", this::handOverOutcomes);
            }
            event = events.poll();
        }
        guarded("deadline checks", () -> checkDeadlines(nanoTime.getAsLong()));
        guarded("rolling restart", this::advanceRestart);
        guarded("logs", () -> logs.writeDue(nanoTime.getAsLong()));
        guarded("outcomes", this::handOverOutcomes);
        guarded("status", this::publishStatus);
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
        logs.writeLast(task, nanoTime.getAsLong());
        outcomes.add(TaskOutcome.failed(task, failure));
    }

    private void succeed(Task task, String resultJson) {
        logs.writeLast(task, nanoTime.getAsLong());
        outcomes.add(TaskOutcome.succeeded(task, resultJson));
    }

    private void handOverOutcomes() {
        if (!outcomes.isEmpty()) {
            recorder.finished(List.copyOf(outcomes));
            outcomes.clear();
        }
    }

    private void handle(PoolEvent event) {
        if (event instanceof Assign assign) {
            try {
                onAssign(assign.tasks());
            } finally {
                // After the slot is BUSY: the dispatcher never sees more room than there is.
                Dispatcher current = dispatcher;
                if (current != null) {
                    current.assigned();
                }
            }
        } else if (event instanceof FrameReceived received) {
            WorkerSlot slot = current(received.slot(), received.generation());
            if (slot != null) {
                slot.lastSeenNanos = nanoTime.getAsLong();
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
        WorkerSlot first = slotId == WorkerSlot.SPARE_ID ? spare : slots.get(slotId - 1);
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
        slot.startedNanos = nanoTime.getAsLong();
        slot.lastSeenNanos = slot.startedNanos;
        try {
            slot.process = processes.start(slot.id, nextGeneration++, events::add);
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
        slot.restartAtNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoff);
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
        long upNanos = nanoTime.getAsLong() - slot.startedNanos;
        workerStart.record(upNanos, TimeUnit.NANOSECONDS);
        if (hello.protocolVersion() != Frame.PROTOCOL_VERSION) {
            brokeProtocol(slot, "worker speaks protocol version " + hello.protocolVersion() + ", expected "
                    + Frame.PROTOCOL_VERSION);
            return;
        }
        slot.announced = hello.types().stream()
                .map(t -> new TaskType(t.type(), t.description(), t.inputSchema())).toList();
        slot.types = slot.announced.stream().map(TaskType::type).collect(Collectors.toSet());
        slot.failedStarts = 0;
        log.debug("worker-{} (pid {}) ready in {} ms", slot.id, hello.pid(), TimeUnit.NANOSECONDS.toMillis(upNanos));
        if (slot == spare) {
            // Its task types count once it takes a slot: until then no slot could run a type only it offers.
            moveTo(slot, WorkerState.IDLE);
            return;
        }
        offerTypesOf(slot);
        firstHello.countDown();
        becomeIdle(slot);
        if (!ready && slots.stream().allMatch(WorkerSlot::isUp)) {
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
        recorder.typesAnnounced(taskTypes);
    }

    /**
     * Moves the spare's process into the slot, if the spare has said hello, and starts a new
     * spare. The process is the same as a freshly started worker: it has run nothing.
     */
    private boolean takeSpare(WorkerSlot slot) {
        if (spare == null || spare.process == null || spare.state != WorkerState.IDLE || stopping) {
            return false;
        }
        slot.takeProcessOf(spare);
        moveTo(slot, WorkerState.STARTING);
        log.debug("worker-{} is now the spare's process (pid {})", slot.id, slot.process.pid());
        launch(spare);
        offerTypesOf(slot);
        becomeIdle(slot);
        return true;
    }

    private void becomeIdle(WorkerSlot slot) {
        slot.assignment = null;
        if (rollingRestart.isDue(slot)) {
            stopForRestart(slot);
            return;
        }
        List<Task> next = stopping ? null : pending.pollFor(slot.types);
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
            processes.killLeftoversOf(slot.process);
        }
        releaseChunk(slot);
        RestartReason reason = slot.stopReason;
        if (reason == null && slot.state == WorkerState.STARTING) {
            slot.process = null;
            startFailed(slot, "exited with " + ExitDiagnosis.describe(exitCode) + " before saying hello"
                    + (stderrTail.isEmpty() ? "" : "; stderr: " + ExitDiagnosis.lastLines(stderrTail, 5)));
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
            log.warn("The spare worker exited with {}; starting another", ExitDiagnosis.describe(exitCode));
            countRestart(ExitDiagnosis.restartReason(exitCode, stderrTail));
        }
        launch(spare);
    }

    /** The worker died on its own: charge its task (if any) and say what happens next. */
    private RestartReason crashed(WorkerSlot slot, int exitCode, String stderrTail) {
        Assignment assignment = slot.assignment;
        if (assignment == null) {
            log.warn("worker-{} exited while idle with {}; starting a replacement", slot.id,
                    ExitDiagnosis.describe(exitCode));
            return ExitDiagnosis.restartReason(exitCode, stderrTail);
        }
        TaskFailure failure = ExitDiagnosis.failureOfTask(exitCode, stderrTail, processes.crashReport(slot.process),
                properties.maxHeap().toMegabytes() + "MB");
        log.warn("worker-{} exited with {} while running task {}; the task failed with {}; starting a replacement",
                slot.id, ExitDiagnosis.describe(exitCode), assignment.task.id(), failure.code());
        slot.assignment = null;
        fail(assignment.task, failure);
        return ExitDiagnosis.restartReason(exitCode, stderrTail);
    }

    // ---- running tasks ----

    private void onAssign(List<Task> claimed) {
        if (stopping) {
            guarded("unclaim", () -> recorder.unclaim(claimed.stream().map(Task::id).toList()));
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
                assignment.startClock(nanoTime.getAsLong());
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
        recorder.started(List.copyOf(sent), slot.process.pid());
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
        guarded("unclaim", () -> recorder.unclaim(notStarted));
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
            assignment.startClock(nanoTime.getAsLong());
        } else if (frame instanceof Frame.Progress progress) {
            long now = nanoTime.getAsLong();
            if (now - assignment.progressWrittenNanos >= PROGRESS_WRITE_INTERVAL_NANOS) {
                assignment.progressWrittenNanos = now;
                recorder.progressed(assignment.task, new TaskProgress(progress.fraction(), progress.message()));
            }
        } else if (frame instanceof Frame.Log line) {
            logs.add(assignment.task, line.text(), nanoTime.getAsLong());
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
            next.startClock(nanoTime.getAsLong());
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
        slot.stopDeadlineNanos = nanoTime.getAsLong() + STOP_GRACE_NANOS;
        try {
            slot.process.send(new Frame.Shutdown());
        } catch (ProtocolException impossible) {
            slot.process.killTree();
        }
    }

    // ---- rolling restart ----

    private void onRestartRequested() {
        if (stopping) {
            return;
        }
        rollingRestart.request(slots);
        if (spare != null && spare.process != null && spare.state != WorkerState.STOPPING) {
            // Started before the restart, it may not see the plug-ins as they are now: a new one will.
            shutDown(spare, RestartReason.RESTART);
        }
        advanceRestart();
    }

    private void advanceRestart() {
        if (!stopping) {
            rollingRestart.advance(this::stopForRestart);
        }
    }

    private void stopForRestart(WorkerSlot slot) {
        log.info("Restarting worker-{} (pid {}) for the rolling restart", slot.id, slot.process.pid());
        shutDown(slot, RestartReason.RESTART);
    }

    // ---- broken workers and cancels ----

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
        slot.brokenDeadlineNanos = nanoTime.getAsLong() + DYING_WORDS_NANOS;
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
        Task waiting = pending.remove(taskId);
        if (waiting != null) {
            fail(waiting, new TaskFailure.Cancelled("cancelled before it reached a worker"));
            return;
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
                assignment.cancelDeadlineNanos = nanoTime.getAsLong() + Math.max(1, cancelGrace.toNanos());
                try {
                    slot.process.send(new Frame.Cancel(assignment.requestId));
                } catch (ProtocolException impossible) {
                    // A cancel frame is a few bytes; the deadline kills the worker if it came to this.
                }
                return;
            }
        }
        unmatchedCancels.put(taskId, nanoTime.getAsLong());
    }

    /** Kills a worker for a reason of ours; its task's outcome has been recorded already. */
    private void kill(WorkerSlot slot, RestartReason reason) {
        slot.assignment = null;
        slot.stopDeadlineNanos = nanoTime.getAsLong() + STOP_GRACE_NANOS;
        moveTo(slot, WorkerState.STOPPING);
        if (slot.stopReason == null) {
            slot.stopReason = reason;
        }
        slot.process.killTree();
    }

    // ---- deadlines ----

    /** How long the supervisor may wait for an event before a deadline passes. */
    long nanosToNextDeadline() {
        long now = nanoTime.getAsLong();
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
        return Math.max(0, logs.nextWriteBefore(next) - now);
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
            checkTaskDeadlines(slot, now);
        }
    }

    private void checkTaskDeadlines(WorkerSlot slot, long now) {
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
        } else if (slot.isUp() && now - slot.lastSeenNanos > properties.heartbeatTimeout().toNanos()) {
            log.warn("worker-{} (pid {}) sent no heartbeat for {}; killing and replacing it", slot.id,
                    slot.process.pid(), properties.heartbeatTimeout());
            kill(slot, RestartReason.UNRESPONSIVE);
            if (assignment != null) {
                fail(assignment.task, new TaskFailure.WorkerCrashed("the worker stopped responding (no"
                        + " heartbeat for " + properties.heartbeatTimeout().toMillis() + " ms) and was killed", null));
            }
        }
    }

    // ---- stopping ----

    private void onStop(CompletableFuture<Void> done) {
        stopping = true;
        stopped = done;
        rollingRestart.cancel();
        List<UUID> notStarted = pending.drain();
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
        guarded("unclaim", () -> recorder.unclaim(notStarted));
        // The tasks stay RUNNING for recovery to re-queue; what they logged so far is kept.
        guarded("logs", () -> logs.writeAll(nanoTime.getAsLong()));
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
}
