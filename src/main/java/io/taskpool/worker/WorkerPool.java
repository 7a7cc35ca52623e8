package io.taskpool.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskpool.task.PoolStatus;
import io.taskpool.task.TaskService;
import io.taskpool.task.TaskType;
import io.taskpool.task.WorkerGateway;
import io.taskpool.task.WorkerState;
import io.taskpool.worker.PoolEvent.Assign;
import io.taskpool.worker.PoolEvent.CancelRequested;
import io.taskpool.worker.PoolEvent.RestartRequested;
import io.taskpool.worker.PoolEvent.Stop;
import io.taskpool.worker.protocol.FrameCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The worker pool as the rest of the service sees it: it starts and stops the {@link Supervisor}
 * and its {@link Dispatcher} with the application, and turns calls into supervisor events. It
 * holds no worker state; see {@code package-info.java} for the data flow.
 */
public final class WorkerPool implements WorkerGateway, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

    private final WorkerProperties properties;
    private final Duration cancelGrace;
    private final Supplier<TaskService> taskService;
    private final WorkerClassPath classPath;
    private final WorkerProcesses processes;
    private final MeterRegistry meters;
    private final Clock clock;
    private final int size;
    private volatile Duration drainTimeout = Duration.ofSeconds(30);
    private volatile Supervisor supervisor;
    private volatile boolean running;
    private Thread supervisorThread;
    private Dispatcher dispatcher;
    private TaskService tasks;
    private OutcomeWriter recorder;

    public WorkerPool(WorkerProperties properties, Map<String, ProgramProperties> programs, Duration cancelGrace,
            int maxFrameBytes, long maxResultBytes, Supplier<TaskService> taskService, MeterRegistry meters,
            Clock clock) {
        this.properties = properties;
        this.cancelGrace = cancelGrace;
        this.taskService = taskService;
        this.meters = meters;
        this.clock = clock;
        this.size = properties.effectiveCount();
        this.classPath = WorkerClassPath.resolve(properties.classPath(), properties.pluginsDir());
        this.processes = new JvmWorkers(new WorkerLauncher(properties, programs, classPath, maxFrameBytes,
                maxResultBytes), new FrameCodec(maxFrameBytes));
        for (WorkerState state : WorkerState.values()) {
            Gauge.builder("taskpool.workers", () -> count(state)).tag("state", state.name())
                    .description("Worker processes by state").register(meters);
        }
        Gauge.builder("taskpool.tasks.running", () -> status().busy())
                .description("Tasks running on this node's workers").register(meters);
    }

    /**
     * Whether the supervisor thread is alive (or the pool is not running). Without it no worker
     * is watched or replaced and nothing recovers by itself: the one condition for liveness.
     */
    public boolean supervising() {
        Thread thread = supervisorThread;
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
        Supervisor current = supervisor;
        if (current != null) {
            current.post(new CancelRequested(id));
        }
    }

    @Override
    public List<TaskType> taskTypes() {
        Supervisor current = supervisor;
        return current == null ? List.of() : current.taskTypes();
    }

    @Override
    public int capacity() {
        return size;
    }

    /** The pool as of the supervisor's last round. */
    @Override
    public PoolStatus status() {
        Supervisor current = supervisor;
        return current == null ? PoolStatus.empty(size) : current.status();
    }

    /**
     * Starts a rolling restart and returns at once: every worker is replaced, one at a time, an
     * idle one at once and a busy one when its current work is done, so queued work keeps
     * running. New workers see the plug-in jars as they are now, and their task types replace
     * the pool's.
     */
    @Override
    public void restart() {
        Supervisor current = supervisor;
        if (current != null) {
            current.post(new RestartRequested());
        }
    }

    // ---- lifecycle ----

    /**
     * Re-queues what the last run of this node left behind, starts the workers and waits for the
     * first to say hello, so the task types are known before the API takes requests.
     */
    @Override
    public void start() {
        if (supervisorThread != null) {
            // Slots, class path and latches belong to one life of the pool; a second one would
            // drop its workers' events. Fail loudly rather than run without workers.
            throw new IllegalStateException("the worker pool cannot be started again after it stopped;"
                    + " restart the service");
        }
        tasks = taskService.get();
        tasks.recoverInterruptedTasks();
        recorder = new OutcomeWriter(tasks);
        recorder.start();
        Supervisor started = new Supervisor(properties, cancelGrace, processes, recorder, meters, clock,
                System::nanoTime);
        supervisor = started;
        running = true;
        log.info("Starting {} workers: {}", size, String.join(" ", processes.command()));
        supervisorThread = new Thread(started::run, "worker-supervisor");
        supervisorThread.start();
        try {
            if (!started.awaitFirstHello(properties.startTimeout())) {
                stop();
                throw new IllegalStateException("no worker started within " + properties.startTimeout()
                        + " (taskpool.workers.start-timeout); last failure: " + started.lastStartFailure()
                        + "; check taskpool.workers.jvm-options and taskpool.workers.class-path");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting workers", e);
        }
        dispatcher = new Dispatcher(tasks, started::idleWorkers, work -> started.post(new Assign(work)));
        started.dispatchTo(dispatcher);
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
        supervisor.post(new Stop(done));
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("Workers did not all exit within 10s of shutdown; they exit on their own when they see"
                    + " the service's end of their stdin");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            supervisorThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recorder.stop(Duration.ofSeconds(5));
        if (tasks != null) {
            tasks.requeueAfterOrderlyStop();
        }
        classPath.close();
        processes.close();
    }

    /** Waits, up to the drain timeout, until no worker has work (claimed work not yet sent included). */
    private void drain() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        PoolStatus now = status();
        if (now.busy() > 0) {
            log.info("Draining: waiting up to {} for {} running tasks (taskpool.shutdown.drain-timeout)",
                    drainTimeout, now.busy());
        }
        while (System.nanoTime() - deadline < 0 && (status().busy() > 0 || !supervisor.pendingEmpty())) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (status().busy() > 0) {
            log.warn("Drain timeout: {} tasks still running are stopped and re-queued", status().busy());
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

    private double count(WorkerState state) {
        return status().workers().stream().filter(w -> w.state() == state).count();
    }
}
