package io.taskpool.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The batch use cases: submit many inputs as one request, follow the batch, read its results in
 * input order, cancel it. Each item is a task, so running, cancelling and recovering an item is
 * the task service's business; this class adds what concerns the batch as a whole.
 */
public class BatchService {

    /**
     * Inputs stored per slice while a request is read: 1000 small inputs, or fewer large ones up
     * to about a million characters. A slice is also what the item writer turns into tasks in one
     * transaction.
     */
    private static final int SLICE_ITEMS = 1000;
    private static final long SLICE_CHARS = 1 << 20;
    /**
     * The largest automatic chunk. {@code Pool.map} cuts the inputs into 4 chunks per worker; past
     * this size a chunk saves nothing more on dispatch, while it makes a single task submitted
     * behind the batch wait longer for a free worker.
     */
    static final int AUTO_CHUNK_LIMIT = 64;
    /** How long a submission that lost the race for its idempotency key waits for the winner. */
    private static final Duration KEY_RACE_WAIT = Duration.ofSeconds(60);
    /** How often a long poll re-reads a batch when no item signals (items finished elsewhere). */
    private static final long WATCH_POLL_MILLIS = 1000;
    /** Re-reads of a batch that items keep signalling are spaced at least this far apart. */
    private static final long WATCH_SPACING_MILLIS = 50;

    private final BatchStore store;
    private final TaskService tasks;
    private final WorkerGateway workers;
    private final BatchProperties properties;
    private final BatchSignals signals;
    private final Executor waitExecutor;
    private final MeterRegistry meters;
    private final BatchItemWriter itemWriter;

    public BatchService(BatchStore store, TaskService tasks, WorkerGateway workers, BatchProperties properties,
            BatchSignals signals, Executor waitExecutor, MeterRegistry meters, BatchItemWriter itemWriter) {
        this.store = store;
        this.tasks = tasks;
        this.workers = workers;
        this.properties = properties;
        this.signals = signals;
        this.waitExecutor = waitExecutor;
        this.meters = meters;
        this.itemWriter = itemWriter;
    }

    // ---- submission ----

    /**
     * Reads a batch request and stores the batch with all its inputs in one transaction, in
     * slices, so the request is never held in memory whole; the item writer then turns the
     * slices into tasks. Each input is checked against its
     * type's schema as it is read; one that does not match rolls the whole batch back. With an
     * idempotency key that an earlier batch holds, the request is read to compare it and the
     * earlier batch is returned.
     */
    public Submitted<BatchStatus> submit(BatchRequest request, String idempotencyKey) {
        return submit(request, idempotencyKey, Caller.LOCAL);
    }

    /** {@link #submit(BatchRequest, String)} for a caller, whose tenant the batch belongs to. */
    public Submitted<BatchStatus> submit(BatchRequest request, String clientKey, Caller caller) {
        String idempotencyKey = caller.scoped(clientKey);
        BatchHeader early = request.readHeader();
        check(early);
        if (idempotencyKey != null) {
            Optional<IdempotentResource<Batch>> earlier = store.findByIdempotencyKey(idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), drain(request), clientKey);
            }
        }
        tasks.checkQueueRoom(caller.tenant());
        Batch batch;
        try {
            batch = store.inTransaction(() -> insert(request, early, idempotencyKey, caller.tenant()));
        } catch (IdempotencyKeyTakenException raced) {
            String hash = drain(request);
            return replay(awaitWinner(idempotencyKey, clientKey), hash, clientKey);
        }
        tasks.queued(batch.type(), batch.size());
        tasks.tenantQueued(batch.tenant(), batch.size());
        itemWriter.wake();
        Counter.builder("taskpool.batches.submitted").tag("type", batch.type())
                .description("Batches accepted").register(meters).increment();
        return new Submitted<>(new BatchStatus(batch, new BatchCounts(batch.size(), 0, 0, 0, 0, 0, null)), true);
    }

    private Batch insert(BatchRequest request, BatchHeader early, String idempotencyKey, String tenant) {
        Instant now = tasks.now();
        TaskType type = early.type() == null ? null : tasks.checkType(early.type(), "type");
        Batch draft = batchOf(TaskIds.next(), early, 0, early.chunkSize() == null ? 1 : early.chunkSize(), now,
                tenant);
        store.insertBatch(draft, idempotencyKey);
        InputSlice slice = new InputSlice(draft.id());
        int count = 0;
        for (String input = request.nextInput(); input != null; input = request.nextInput()) {
            if (++count > properties.maxItems()) {
                throw new BatchTooLargeException(properties.maxItems());
            }
            if (type != null) {
                tasks.checkInput(type, input, count - 1);
            }
            slice.add(input);
        }
        slice.flush();
        BatchHeader header = early.with(request.readRest());
        check(header);
        if (header.type() == null || header.type().isBlank()) {
            throw new InvalidTaskException("type", "field 'type' is required");
        }
        if (count == 0) {
            throw new InvalidTaskException("inputs", "field 'inputs' must hold at least one input object");
        }
        if (type == null) {
            checkStoredInputs(draft.id(), tasks.checkType(header.type(), "type"), count);
        }
        int chunkSize = header.chunkSize() == null ? automaticChunk(count) : header.chunkSize();
        Batch batch = batchOf(draft.id(), header, count, chunkSize, now, tenant);
        store.completeBatch(batch, store.currentRound(tenant, batch.priority()), request.requestHash());
        return batch;
    }

    /**
     * Consecutive inputs collected into one stored slice: a few rows per batch instead of one
     * per item, and a bounded amount of the request in memory at a time.
     */
    private final class InputSlice {
        private final UUID batchId;
        private final List<String> inputs = new ArrayList<>();
        private int firstIndex;
        private long chars;

        InputSlice(UUID batchId) {
            this.batchId = batchId;
        }

        void add(String input) {
            inputs.add(input);
            chars += input.length();
            if (inputs.size() >= SLICE_ITEMS || chars >= SLICE_CHARS) {
                flush();
            }
        }

        void flush() {
            if (!inputs.isEmpty()) {
                store.insertInputs(batchId, firstIndex, inputs);
                firstIndex += inputs.size();
                inputs.clear();
                chars = 0;
            }
        }
    }

    /**
     * Checks the inputs of a request that named its type only after them, reading back the
     * slices already written in this transaction.
     */
    private void checkStoredInputs(UUID batchId, TaskType type, int count) {
        if (type.inputSchema() == null) {
            return;
        }
        for (int index = 0; index < count; ) {
            List<String> inputs = store.inputsFrom(batchId, index);
            if (inputs.isEmpty()) {
                throw new IllegalStateException("batch " + batchId + " has no stored inputs from item " + index);
            }
            for (String input : inputs) {
                tasks.checkInput(type, input, index++);
            }
        }
    }

    private Batch batchOf(UUID id, BatchHeader header, int size, int chunkSize, Instant now, String tenant) {
        return new Batch(id, header.type() == null ? "" : header.type(), size, chunkSize,
                header.priority() == null ? 0 : header.priority(), tasks.timeoutMs(header.type(), header.timeoutMs()),
                header.labels() == null ? Map.of() : Map.copyOf(header.labels()), now, false, tenant);
    }

    /** {@code Pool.map}'s rule: about 4 chunks per worker, here at most {@link #AUTO_CHUNK_LIMIT} items each. */
    int automaticChunk(int size) {
        int perWorker = 4 * Math.max(1, workers.capacity());
        return (int) Math.max(1, Math.min(AUTO_CHUNK_LIMIT, (size + perWorker - 1L) / perWorker));
    }

    /** Checks the fields present; absent ones take defaults later. */
    private void check(BatchHeader header) {
        if (header.type() != null) {
            tasks.checkType(header.type(), "type");
        }
        if (header.timeoutMs() != null) {
            tasks.timeoutMs(header.type(), header.timeoutMs());
        }
        if (header.chunkSize() != null && (header.chunkSize() < 1 || header.chunkSize() > properties.maxChunkSize())) {
            throw new InvalidTaskException("chunkSize", "chunkSize must be between 1 and " + properties.maxChunkSize()
                    + " (taskpool.batches.max-chunk-size), was " + header.chunkSize());
        }
    }

    /** Reads the rest of a request that will not be stored, for its digest. */
    private static String drain(BatchRequest request) {
        while (request.nextInput() != null) {
            // only the digest matters
        }
        request.readRest();
        return request.requestHash();
    }

    private Submitted<BatchStatus> replay(IdempotentResource<Batch> earlier, String requestHash, String key) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw new IdempotencyConflictException(key, false, "Idempotency-Key '" + key + "' was used with another"
                    + " request (batch " + earlier.resource().id() + "); use a new key for a new batch");
        }
        return new Submitted<>(status(earlier.resource()), false);
    }

    /** The batch of a concurrent request with the same key, once it has committed. */
    private IdempotentResource<Batch> awaitWinner(String key, String clientKey) {
        long deadline = System.nanoTime() + KEY_RACE_WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<IdempotentResource<Batch>> winner = store.findByIdempotencyKey(key);
            if (winner.isPresent()) {
                return winner.get();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IdempotencyConflictException(clientKey, true, "a concurrent request with Idempotency-Key '"
                + clientKey + "' did not complete; retry");
    }

    // ---- reading ----

    public BatchStatus get(UUID id) {
        return status(store.find(id).orElseThrow(() -> new BatchNotFoundException(id)));
    }

    /** The batch, if the caller may see it: another tenant's batch is not found, as if it did not exist. */
    public BatchStatus get(UUID id, Caller caller) {
        return status(visible(id, caller));
    }

    private Batch visible(UUID id, Caller caller) {
        Batch batch = store.find(id).orElseThrow(() -> new BatchNotFoundException(id));
        if (!caller.sees(batch.tenant())) {
            throw new BatchNotFoundException(id);
        }
        return batch;
    }

    private BatchStatus status(Batch batch) {
        return new BatchStatus(batch, store.counts(batch.id()));
    }

    /** Items {@code offset ..< offset + limit} in input order. */
    public List<BatchItem> results(UUID id, int offset, int limit) {
        get(id);
        return store.items(id, offset, limit);
    }

    /**
     * The batch once it is terminal, or as it is after {@code wait}. Holds no thread while
     * waiting: item signals (or a slow poll) trigger a cheap re-count.
     */
    public CompletableFuture<BatchStatus> awaitTerminal(UUID id, Duration wait, Caller caller) {
        return awaitTerminal(status(visible(id, caller)), wait);
    }

    public CompletableFuture<BatchStatus> awaitTerminal(UUID id, Duration wait) {
        return awaitTerminal(get(id), wait);
    }

    private CompletableFuture<BatchStatus> awaitTerminal(BatchStatus now, Duration wait) {
        UUID id = now.batch().id();
        if (now.state().isTerminal() || wait.isZero()) {
            return CompletableFuture.completedFuture(now);
        }
        BatchWatch watch = new BatchWatch(id);
        BatchSignals.Subscription subscription = signals.subscribe(id, index -> watch.changed());
        watch.done.whenComplete((status, error) -> subscription.close());
        watch.changed(); // a change between the first read and subscribing
        return watch.done.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(status -> status != null ? status : get(id), waitExecutor);
    }

    /**
     * Re-counts a batch's unfinished items when told something changed: never two counts at once,
     * at most one per {@link #WATCH_SPACING_MILLIS}, and once per {@link #WATCH_POLL_MILLIS}
     * without signals.
     */
    private final class BatchWatch {
        final UUID id;
        final CompletableFuture<BatchStatus> done = new CompletableFuture<>();
        final AtomicBoolean checking = new AtomicBoolean();
        volatile boolean dirty;
        volatile long lastCheckNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(WATCH_SPACING_MILLIS);

        BatchWatch(UUID id) {
            this.id = id;
            poll();
        }

        void changed() {
            if (done.isDone()) {
                return;
            }
            if (!checking.compareAndSet(false, true)) {
                dirty = true; // the count in flight may have missed it: count again afterwards
                return;
            }
            long sinceLast = System.nanoTime() - lastCheckNanos;
            long wait = Math.max(0, TimeUnit.MILLISECONDS.toNanos(WATCH_SPACING_MILLIS) - sinceLast);
            CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, waitExecutor).execute(this::check);
        }

        private void check() {
            dirty = false;
            lastCheckNanos = System.nanoTime();
            try {
                if (store.unfinished(id) == 0) {
                    done.complete(get(id));
                }
            } catch (RuntimeException e) {
                // the store is away for a moment: the next poll tries again
            } finally {
                checking.set(false);
            }
            if (dirty) {
                changed();
            }
        }

        private void poll() {
            CompletableFuture.delayedExecutor(WATCH_POLL_MILLIS, TimeUnit.MILLISECONDS, waitExecutor).execute(() -> {
                if (!done.isDone()) {
                    changed();
                    poll();
                }
            });
        }
    }

    // ---- cancelling ----

    /**
     * Cancels a batch: queued items become CANCELLED at once, running ones are stopped as
     * running tasks are. Completes when every item is terminal (or after the cancel bound).
     */
    public CompletableFuture<BatchStatus> cancel(UUID id, Caller caller) {
        return cancel(status(visible(id, caller)));
    }

    public CompletableFuture<BatchStatus> cancel(UUID id) {
        return cancel(get(id));
    }

    private CompletableFuture<BatchStatus> cancel(BatchStatus status) {
        UUID id = status.batch().id();
        if (status.state().isTerminal()) {
            throw new BatchStateConflictException(status, "batch " + id + " is already " + status.state());
        }
        CancelledItems cancelled = itemWriter.whileNotWriting(() -> {
            store.requestCancel(id);
            // After the mark: no writer writes the batch's items from here on.
            return new CancelledItems(store.cancelQueuedItems(id, tasks.now()), store.unwrittenItems(id));
        });
        tasks.cancelledWhileQueued(id, cancelled.queued(), cancelled.unwritten());
        // Items claimed after the queued ones were cancelled are RUNNING now: stop them too.
        store.itemIds(id, TaskState.RUNNING).forEach(tasks::cancelRunning);
        return awaitTerminal(id, tasks.cancelBound());
    }

    /** What a cancel reached while queued: item tasks by id, and items never written as tasks. */
    private record CancelledItems(List<UUID> queued, int unwritten) {}
}
