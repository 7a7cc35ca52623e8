package io.taskpool.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.taskpool.task.TaskEvents.TaskEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task use cases that change tasks: submit, cancel, delete, and the transitions the worker
 * pool reports. Every state change goes through here, so waiters are woken and metrics counted in
 * one place; the reads and the long polls are {@link TaskQueries}.
 */
public class TaskService {

    private static final Logger log = LoggerFactory.getLogger(TaskService.class);
    /** How often the exact queue depth is read back from the store for the capacity check. */
    private static final Duration QUEUE_DEPTH_REFRESH = Duration.ofMillis(250);

    private final TaskStore store;
    private final TaskProperties properties;
    private final QueueProperties queue;
    private final NodeIdentity node;
    /** The owner of what this process claims: unique to this start. */
    private final String nodeId;
    private final WorkerGateway workers;
    private final TaskCompletions completions;
    private final Clock clock;
    private final MeterRegistry meters;
    private final QueueDepth queueDepth;
    private final BatchSignals batchSignals;
    private final Map<String, Duration> defaultTimeouts;
    private final InputSchemas inputSchemas;
    private final TaskEvents events;
    private final TenantQueueRoom tenantRoom;
    private final QueueHistory history;
    private final TaskQueries queries;

    private volatile NodeSignals signals = NodeSignals.NONE;
    /** Told when a claim took batch items, so that the next ones are written as tasks. */
    private volatile Runnable batchItemsClaimed = () -> { };
    private final MultiGauge queueByPriority;
    private final ChangesElsewhere elsewhere;

    public TaskService(TaskStore store, TaskProperties properties, QueueProperties queue, NodeIdentity node,
            WorkerGateway workers, TaskCompletions completions, BatchSignals batchSignals, Executor waitExecutor,
            Clock clock, MeterRegistry meters, Map<String, Duration> defaultTimeouts, InputSchemas inputSchemas,
            TaskEvents events) {
        this(store, properties, queue, node, workers, completions, batchSignals, waitExecutor, clock, meters,
                defaultTimeouts, inputSchemas, events, TenantQuotas.NONE);
    }

    public TaskService(TaskStore store, TaskProperties properties, QueueProperties queue, NodeIdentity node,
            WorkerGateway workers, TaskCompletions completions, BatchSignals batchSignals, Executor waitExecutor,
            Clock clock, MeterRegistry meters, Map<String, Duration> defaultTimeouts, InputSchemas inputSchemas,
            TaskEvents events, TenantQuotas quotas) {
        this.events = events;
        this.elsewhere = new ChangesElsewhere(store, events, completions, batchSignals, clock);
        this.tenantRoom = new TenantQueueRoom(quotas, store::countQueuedOf);
        this.history = new QueueHistory(clock);
        this.queries = new TaskQueries(store, completions, waitExecutor, history, workers);
        this.store = store;
        this.inputSchemas = inputSchemas;
        this.properties = properties;
        this.queue = queue;
        this.node = node;
        this.nodeId = node.id();
        this.workers = workers;
        this.completions = completions;
        this.batchSignals = batchSignals;
        this.defaultTimeouts = Map.copyOf(defaultTimeouts);
        this.clock = clock;
        this.meters = meters;
        this.queueDepth = new QueueDepth();
        Gauge.builder("taskpool.queue.depth", queueDepth, QueueDepth::exact)
                .description("Tasks waiting in the queue")
                .register(meters);
        this.queueByPriority = MultiGauge.builder("taskpool.queue.priority.depth")
                .description("Queued tasks by priority, re-counted every few seconds").register(meters);
        Gauge.builder("taskpool.tasks.waiters", completions, TaskCompletions::waitedOn)
                .description("Tasks that long-polling clients are waiting on")
                .register(meters);
    }

    /** The reads, sharing this service's store, waiters and queue history. */
    public TaskQueries queries() {
        return queries;
    }

    // ---- client use cases ----

    /**
     * Validates and stores a new task; it is committed when this returns. A repeat of an earlier
     * submission (same idempotency key, same request) returns the earlier task instead. An input
     * that does not match its type's schema is refused before anything is stored.
     */
    public Submitted<Task> submit(NewTask request) {
        return submit(request, Caller.LOCAL);
    }

    /** {@link #submit(NewTask)} for a caller, whose tenant the task belongs to. */
    public Submitted<Task> submit(NewTask request, Caller caller) {
        Idempotency idempotency = caller.scoped(request.idempotency());
        String clientKey = request.idempotency() == null ? null : request.idempotency().key();
        if (idempotency != null) {
            Optional<IdempotentResource<Task>> earlier = store.findByIdempotencyKey(idempotency.key());
            if (earlier.isPresent()) {
                return replay(earlier.get(), idempotency.requestHash(), clientKey);
            }
        }
        TaskType type = checkType(request.type(), "type");
        long timeoutMs = timeoutMs(request.type(), request.timeoutMs());
        String inputJson = request.inputJson() == null ? "{}" : request.inputJson();
        checkInput(type, inputJson, null);
        checkQueueRoom(caller.tenant());
        Instant now = now();
        Task task = Task.builder()
                .id(TaskIds.next())
                .type(request.type())
                .inputJson(inputJson)
                .priority(request.priority() == null ? 0 : request.priority())
                .timeoutMs(timeoutMs)
                .maxAttempts(request.maxAttempts() == null ? properties.maxAttempts() : request.maxAttempts())
                .labels(request.labels() == null ? Map.of() : Map.copyOf(request.labels()))
                .createdAt(now)
                .retryBackoffMs(request.retryBackoffMs() == null
                        ? Task.DEFAULT_RETRY_BACKOFF_MS : request.retryBackoffMs())
                .retryOnTimeout(Boolean.TRUE.equals(request.retryOnTimeout()))
                .tenant(caller.tenant())
                .build();
        TaskEvent queuedEvent = TaskEvent.current(task, now);
        try {
            long start = System.nanoTime();
            // The dispatcher may claim the task as soon as its row is committed, while the write-out
            // that makes it durable (and lets this request answer) is still under way. QUEUED is
            // published first, so that it comes before the claim's RUNNING.
            store.insert(task, idempotency, () -> {
                events.publish(queuedEvent);
                workers.taskQueued();
            });
            storeLatency("insert", start);
        } catch (IdempotencyKeyTakenException raced) {
            // A concurrent request with the same key won; answer as its repeat.
            return replay(store.findByIdempotencyKey(idempotency.key()).orElseThrow(() ->
                    new IdempotencyConflictException(clientKey, true, "a concurrent request with"
                            + " Idempotency-Key '" + clientKey + "' is being stored; retry")),
                    idempotency.requestHash(), clientKey);
        }
        signals.taskEvent(queuedEvent);
        counted(task.type(), 1);
        signals.taskQueued();
        tenantRoom.added(task.tenant(), 1);
        return new Submitted<>(task, true);
    }

    private Submitted<Task> replay(IdempotentResource<Task> earlier, String requestHash, String clientKey) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw new IdempotencyConflictException(clientKey, false, "Idempotency-Key '"
                    + clientKey + "' was used with another request (task " + earlier.resource().id()
                    + "); use a new key for a new task");
        }
        return new Submitted<>(earlier.resource(), false);
    }

    /** Refuses a type no worker offers, naming the known ones; returns the type. */
    TaskType checkType(String type, String field) {
        List<TaskType> types = workers.taskTypes();
        return types.stream().filter(t -> t.type().equals(type)).findFirst()
                .orElseThrow(() -> new InvalidTaskException(field, "unknown task type '" + type + "'; known types: "
                        + types.stream().map(TaskType::type).sorted().collect(Collectors.joining(", "))));
    }

    /**
     * Refuses an input that does not match its type's schema: the one input of a task
     * ({@code index} null), or the input at {@code index} of a batch.
     */
    void checkInput(TaskType type, String inputJson, Integer index) {
        InputSchemas.Violation violation = inputSchemas.check(type, inputJson);
        if (violation != null) {
            throw index == null
                    ? new InvalidInputException("input", violation.path(), null, violation.message())
                    : new InvalidInputException("inputs", violation.path(), index,
                            "inputs[" + index + "]: " + violation.message());
        }
    }

    /** The workers announced (new) task types: compile their input schemas, off the caller's thread. */
    public void taskTypesAnnounced(List<TaskType> types) {
        inputSchemas.prepare(types);
    }

    /**
     * The time limit a request asks for, or the default of its type (a program's configured
     * timeout), or the general default; refuses one out of range. {@code type} is null for a
     * batch whose type comes after its inputs, until it has been read.
     */
    long timeoutMs(String type, Long requested) {
        Duration typeDefault = type == null ? null : defaultTimeouts.get(type);
        long timeoutMs = requested != null ? requested
                : (typeDefault != null ? typeDefault : properties.defaultTimeout()).toMillis();
        if (timeoutMs <= 0 || timeoutMs > properties.maxTimeout().toMillis()) {
            throw new InvalidTaskException("timeoutMs", "timeoutMs must be between 1 and "
                    + properties.maxTimeout().toMillis() + " (taskpool.tasks.max-timeout), was " + timeoutMs);
        }
        return timeoutMs;
    }

    /**
     * Refuses new work while the queue holds its capacity, or the tenant its own limit (a batch
     * may take either past, once).
     */
    void checkQueueRoom(String tenant) {
        if (queueDepth.estimate() >= queue.capacity()) {
            throw new QueueFullException(queue.capacity(), Duration.ofSeconds(1));
        }
        tenantRoom.check(tenant);
    }

    /** A tenant's batch joined the queue. */
    void tenantQueued(String tenant, long count) {
        tenantRoom.added(tenant, count);
    }

    /**
     * Exchanges signals with the other replicas of a shared store: queued work wakes their
     * dispatchers, and their cancels reach this node's workers.
     */
    public void connect(NodeSignals nodeSignals) {
        this.signals = nodeSignals;
        nodeSignals.listen(new NodeSignals.Listener() {
            @Override
            public void taskQueued() {
                workers.taskQueued();
            }

            @Override
            public void cancelRequested(UUID taskId) {
                workers.cancelRunning(taskId);
            }

            @Override
            public void taskEvent(TaskEvent event) {
                elsewhere.relayed(event);
            }
        });
    }

    /** Publishes a change made here, to this replica's followers and to the other replicas'. */
    private void publish(TaskEvent event) {
        events.publish(event);
        signals.taskEvent(event);
    }

    /** New tasks are committed: count them and wake the dispatchers. */
    void queued(String type, int count) {
        counted(type, count);
        workers.taskQueued();
        signals.taskQueued();
    }

    private void counted(String type, int count) {
        queueDepth.added(count);
        Counter.builder("taskpool.tasks.submitted").tag("type", type)
                .description("Tasks accepted").register(meters).increment(count);
    }

    /** The store keeps microseconds: a reply shows what a later read will show. */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    int maxAttempts() {
        return properties.maxAttempts();
    }

    Duration cancelBound() {
        // Grace, kill and replacement take a moment beyond the grace itself.
        return properties.cancelGrace().plusSeconds(10);
    }

    /**
     * Cancels a task. A queued task is CANCELLED at once; a running one is asked to stop and the
     * future completes when it has (cancel frame, then a kill after the grace period).
     */
    public CompletableFuture<Task> cancel(UUID id) {
        return cancel(queries.get(id));
    }

    /** {@link #cancel(UUID)} of a task the caller may see. */
    public CompletableFuture<Task> cancel(UUID id, Caller caller) {
        return cancel(queries.get(id, caller));
    }

    private CompletableFuture<Task> cancel(Task task) {
        UUID id = task.id();
        if (task.state().isTerminal()) {
            throw new TaskStateConflictException(task, "task " + id + " is already " + task.state());
        }
        if (task.state() == TaskState.QUEUED && store.cancelQueued(id, clock.instant())) {
            queueDepth.removed(1);
            finished(task, TaskState.CANCELLED, "CANCELLED");
            return CompletableFuture.completedFuture(queries.get(id));
        }
        cancelRunning(id);
        return queries.awaitTerminal(id, cancelBound());
    }

    /** Asks the worker running this task to stop it. */
    void cancelRunning(UUID id) {
        if (store.requestCancel(id)) {
            workers.cancelRunning(id);
            signals.cancelRequested(id); // its owner may be another replica
        }
    }

    /** A batch's items were written as tasks, QUEUED: they wake the dispatchers. */
    void itemsWritten(WrittenItems items) {
        workers.taskQueued();
        signals.taskQueued();
    }

    /**
     * Items of a cancelled batch were cancelled while queued: {@code ids} in one statement, and
     * {@code unwritten} more that were never written as tasks. The queue counted them all at
     * submission.
     */
    void cancelledWhileQueued(UUID batchId, List<UUID> ids, int unwritten) {
        queueDepth.removed(ids.size() + unwritten);
        publishCurrent(ids);
        ids.forEach(completions::terminated);
        if (!ids.isEmpty() || unwritten > 0) {
            batchSignals.itemFinished(batchId, BatchSignals.MANY);
        }
    }

    public void delete(UUID id) {
        delete(queries.get(id));
    }

    /** {@link #delete(UUID)} of a task the caller may see. */
    public void delete(UUID id, Caller caller) {
        delete(queries.get(id, caller));
    }

    private void delete(Task task) {
        UUID id = task.id();
        if (!task.state().isTerminal()) {
            throw new TaskStateConflictException(task, "task " + id + " is " + task.state()
                    + "; only a finished task can be deleted (cancel it first)");
        }
        if (!store.deleteTerminal(id)) {
            throw new TaskNotFoundException(id);
        }
        completions.terminated(id);
    }

    // ---- transitions reported by the worker pool ----

    /** {@code listener} runs on the dispatcher's thread after each claim that took batch items. */
    public void whenBatchItemsClaimed(Runnable listener) {
        this.batchItemsClaimed = listener;
    }

    /**
     * Claims work for up to {@code workers} idle workers of this node: one task each, or one
     * chunk of a batch's items.
     */
    public List<List<Task>> claim(int workers) {
        long start = System.nanoTime();
        List<List<Task>> claimed = store.claimChunks(workers, nodeId, clock.instant());
        storeLatency("claim", start);
        queueDepth.removed(claimed.stream().mapToInt(List::size).sum());
        if (claimed.stream().anyMatch(chunk -> chunk.get(0).batchId() != null)) {
            batchItemsClaimed.run();
        }
        for (List<Task> chunk : claimed) {
            for (Task task : chunk) {
                publish(TaskEvent.current(task, task.startedAt()));
                Instant queuedSince = task.notBefore() != null && task.notBefore().isAfter(task.createdAt())
                        ? task.notBefore() : task.createdAt();
                // Clocks of replicas may differ a little: never a negative wait.
                Duration wait = Duration.between(queuedSince, task.startedAt());
                history.claimed(task.tenant(), wait);
                Timer.builder("taskpool.tasks.queue.wait").tag("type", task.type())
                        .description("From submission (or a retry's notBefore) to claim").register(meters)
                        .record(wait.isNegative() ? Duration.ZERO : wait);
            }
        }
        return claimed;
    }

    /** How long one store operation of the task life cycle took, by operation. */
    private void storeLatency(String operation, long startNanos) {
        Timer.builder("taskpool.store.latency").tag("operation", operation)
                .description("Store round trips of the task life cycle").register(meters)
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** Re-counts the queue by priority for {@code taskpool.queue.priority.depth}. */
    void refreshQueueByPriority() {
        Map<Integer, Long> depths = store.queuedByPriority();
        queueByPriority.register(depths.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("priority", String.valueOf(e.getKey())), e.getValue()))
                .toList(), true);
    }

    /** A worker process took these tasks (one, or a chunk). */
    public void started(List<Task> tasks, long pid) {
        if (tasks.size() == 1) {
            Task task = tasks.get(0);
            store.recordWorker(task.id(), task.attempt(), pid);
        } else {
            store.recordWorker(tasks.stream().map(Task::id).toList(), pid);
        }
    }

    /**
     * Writes the outcomes of many runs in one commit, then wakes their waiters. Outcomes whose
     * task is no longer RUNNING at that attempt (cancelled, recovered) are dropped, as single
     * writes would be.
     */
    public void finished(List<TaskOutcome> outcomes) {
        finished(outcomes, Map.of());
    }

    /**
     * {@link #finished(List)}, with the worker process that ran each of these tasks that succeeded
     * ({@code workerPids} by task id), when its start was not recorded yet.
     */
    public void finished(List<TaskOutcome> outcomes, Map<UUID, Long> workerPids) {
        if (outcomes.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<TaskOutcome> decided = outcomes.stream().map(outcome -> withRetryDecision(outcome, now)).toList();
        long start = System.nanoTime();
        TaskState[] written = store.finish(decided, now, workerPids);
        storeLatency("finish", start);
        for (int i = 0; i < decided.size(); i++) {
            TaskOutcome outcome = decided.get(i);
            if (written[i] == TaskState.QUEUED) {
                retried(outcome);
            } else if (written[i] == TaskState.SUCCEEDED) {
                finished(outcome.task(), TaskState.SUCCEEDED, "");
            } else if (written[i] != null) {
                finished(outcome.task(), outcome.failure().state(), outcome.failure().code());
            }
        }
    }

    /** A failure is retried while attempts remain, if its kind may be ({@link TaskFailure#retryable}). */
    private TaskOutcome withRetryDecision(TaskOutcome outcome, Instant now) {
        Task task = outcome.task();
        if (outcome.isSuccess() || task.attemptsCounted() >= task.maxAttempts()) {
            return outcome;
        }
        if (!outcome.failure().retryable(task)) {
            return outcome;
        }
        return outcome.retriedAt(now.plus(RetryBackoff.before(task.attemptsCounted() + 1, task.retryBackoffMs())));
    }

    /** A failed attempt went back to the queue: tell followers, and wake the dispatcher in time. */
    private void retried(TaskOutcome outcome) {
        Task task = outcome.task();
        publish(TaskEvent.state(task, TaskState.QUEUED, outcome.failure().code(), clock.instant()));
        Counter.builder("taskpool.tasks.retried").tag("type", task.type()).tag("code", outcome.failure().code())
                .description("Failed attempts sent back to the queue for another").register(meters).increment();
        queueDepth.added(1);
        long delayNanos = Math.max(0, Duration.between(clock.instant(), outcome.retryAt()).toNanos());
        CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS).execute(() -> {
            workers.taskQueued();
            signals.taskQueued();
        });
    }

    public void progressed(Task task, TaskProgress progress) {
        if (store.recordProgress(task.id(), task.attempt(), progress)) {
            publish(TaskEvent.progress(task, progress, clock.instant()));
        }
    }

    /** How many characters of a task's log are kept: its last {@code taskpool.tasks.max-log}. */
    public int maxLogChars() {
        return (int) properties.maxLog().toBytes();
    }

    /**
     * Appends lines the task logged to its log; false if the task is no longer RUNNING at that
     * attempt (the text is then dropped, like a late progress update).
     */
    public boolean logged(Task task, String text) {
        return store.appendLog(task.id(), task.attempt(), text, maxLogChars());
    }

    // ---- between replicas ----

    /** Keeps this node's claims alive. */
    void renewLeases() {
        store.renewLeases(nodeId, clock.instant());
    }

    /** Stops the tasks of this node that a client cancelled through another replica. */
    void stopCancelledElsewhere() {
        store.cancelRequestedOf(nodeId).forEach(workers::cancelRunning);
    }

    /** Answers long polls here of tasks that another replica finished. */
    void wakeWaitersOfTasksFinishedElsewhere() {
        elsewhere.wakeWaitersOfFinishedTasks();
    }

    /** Tells the event streams here of changes that another replica made to the tasks they follow. */
    void publishChangesMadeElsewhere() {
        elsewhere.publishChangesOfFollowedTasks();
    }

    /**
     * Deals with the tasks of replicas whose leases ran out: their runs died with their node, so
     * they run again as after a restart, not counted against {@code maxAttempts} (NODE_LOST in
     * their attempts). Replicas that do this at the same moment are kept apart by the row locks
     * of the conditional writes: one of them re-queues each task.
     */
    void recoverTasksOfLostNodes() {
        Instant now = clock.instant();
        Set<String> lostOwners = new TreeSet<>();
        store.expiredLeases(nodeId, now).forEach(task -> lostOwners.add(task.owner()));
        for (String owner : lostOwners) {
            TaskStore.Recovery recovery = store.recoverExpired(owner, new TaskFailure.NodeLost("node '" + owner
                    + "' was lost while running the task (its lease ran out); it runs again, not counted against"
                    + " maxAttempts"), properties.maxInterruptions(), now);
            log.warn("Tasks of lost node '{}' (its lease ran out): {} re-queued, {} failed or cancelled", owner,
                    recovery.requeued(), recovery.failed().size());
            recovered(recovery);
        }
    }

    /** Tells waiters of tasks a recovery ended, and the dispatchers of those it re-queued. */
    private void recovered(TaskStore.Recovery recovery) {
        recovery.failed().forEach(completions::terminated);
        publishCurrent(recovery.failed());
        if (recovery.requeued() > 0) {
            queueDepth.added(recovery.requeued());
            workers.taskQueued();
            signals.taskQueued();
        }
    }

    /** Claimed tasks that never reached a worker (the pool is stopping) go back to the queue. */
    public void unclaim(Collection<UUID> ids) {
        if (!ids.isEmpty()) {
            int count = store.unclaim(ids, nodeId, clock.instant());
            queueDepth.added(count);
            log.info("{} claimed tasks that had not started were put back in the queue", count);
            publishCurrent(ids); // QUEUED again, or CANCELLED if a cancel came meanwhile
        }
    }

    /**
     * The service is about to stop: long polls answer at once with their task as it is, and
     * event streams end, so that clients get an answer rather than a reset connection.
     */
    public void releaseClients() {
        completions.releaseAll();
        events.endAll();
    }

    /**
     * The worker pool stopped in an orderly way and killed what still ran after the drain: those
     * tasks run again later, at the same attempt, here after a restart or on another replica.
     */
    public void requeueAfterOrderlyStop() {
        int requeued = store.requeueStopped(nodeId, clock.instant());
        if (requeued > 0) {
            log.warn("{} tasks still running at shutdown were re-queued (their attempt not counted)", requeued);
            queueDepth.added(requeued);
        }
    }

    /**
     * Deals with tasks this node was running when it last died: their runs were cut short by the
     * service's death, not by the tasks, so each runs again, not counted against
     * {@code maxAttempts} (NODE_LOST in its attempts), unless it was interrupted more than
     * {@code taskpool.tasks.max-interruptions} times.
     */
    public TaskStore.Recovery recoverInterruptedTasks() {
        // A host name may be shared by live processes (two replicas on one machine): of the
        // earlier lives under it, take at once only what no one renews; the lease sweep takes the
        // rest once their leases run out. A configured name is this replica's alone.
        boolean expiredOnly = !node.named();
        // No node named in the message: on the embedded store the run may have been claimed under another name.
        TaskStore.Recovery recovery = store.recoverRunning(node.name(), expiredOnly, new TaskFailure.NodeLost(
                "the service stopped while the task was running; it runs again, not counted against maxAttempts"),
                properties.maxInterruptions(), clock.instant());
        if (recovery.requeued() > 0 || !recovery.failed().isEmpty()) {
            log.warn("Tasks of earlier lives of node '{}': {} re-queued (not counted against maxAttempts),"
                    + " {} failed (interrupted more than taskpool.tasks.max-interruptions times) or cancelled",
                    node.name(), recovery.requeued(), recovery.failed().size());
        }
        recovered(recovery);
        return recovery;
    }

    /**
     * Publishes the state of tasks changed by a statement that answers with a count only; only
     * if someone listens, since each costs a read.
     */
    private void publishCurrent(Collection<UUID> ids) {
        if (events.subscriptions() == 0) {
            return;
        }
        Instant now = clock.instant();
        for (UUID id : ids) {
            store.find(id).ifPresent(task -> publish(TaskEvent.current(task, now)));
        }
    }

    private void finished(Task task, TaskState state, String code) {
        history.finished(task.tenant());
        publish(TaskEvent.state(task, state, code.isEmpty() ? null : code, clock.instant()));
        completions.terminated(task.id());
        if (task.batchId() != null) {
            batchSignals.itemFinished(task.batchId(), task.batchIndex());
        }
        Counter.builder("taskpool.tasks.finished").tag("type", task.type()).tag("state", state.name())
                .tag("code", code).description("Tasks that reached a terminal state").register(meters).increment();
        if (task.startedAt() != null) {
            Timer.builder("taskpool.tasks.run").tag("type", task.type()).tag("state", state.name())
                    .description("From claim to terminal state").register(meters)
                    .record(Duration.between(task.startedAt(), clock.instant()));
        }
    }

    /**
     * The number of queued tasks for the capacity check. Counting rows on every submission would
     * cost a scan per request, so the exact count is re-read at most every
     * {@link #QUEUE_DEPTH_REFRESH}, and this node's own changes are added in between.
     */
    private final class QueueDepth {
        private final AtomicLong base = new AtomicLong();
        private final AtomicLong delta = new AtomicLong();
        private volatile long readAtNanos = System.nanoTime() - QUEUE_DEPTH_REFRESH.toNanos() - 1;

        long estimate() {
            if (System.nanoTime() - readAtNanos > QUEUE_DEPTH_REFRESH.toNanos()) {
                return exact();
            }
            return base.get() + delta.get();
        }

        synchronized long exact() {
            if (System.nanoTime() - readAtNanos <= QUEUE_DEPTH_REFRESH.toNanos()) {
                // Another request re-read it while this one waited for the lock: one count is enough.
                return base.get() + delta.get();
            }
            long count = store.countQueued();
            base.set(count);
            delta.set(0);
            readAtNanos = System.nanoTime();
            return count;
        }

        void added(long count) {
            delta.addAndGet(count);
        }

        void removed(long count) {
            delta.addAndGet(-count);
        }
    }
}
