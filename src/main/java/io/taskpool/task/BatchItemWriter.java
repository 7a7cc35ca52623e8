package io.taskpool.task;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the inputs a batch was submitted with into its item tasks, one slice per transaction,
 * on a thread of its own, and only a little ahead of the claim: a batch keeps at most about
 * {@link #queuedAhead} items queued as tasks, the rest waits in its stored inputs. A submission
 * thus answers once its inputs are stored; a cancel has only those few queued rows to change,
 * and the items it reaches unwritten are never written. Concurrent batches take turns slice by
 * slice. Woken by each submission and each claim of batch items; a slow poll picks up batches
 * left unwritten by a restart, or drained by another replica's claims.
 */
public class BatchItemWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchItemWriter.class);
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /**
     * Written ahead per batch, at least: two slices. Enough for a claim of a chunk for every
     * worker with room to spare, so the workers never wait for the writer on a steady batch.
     */
    private static final int MIN_QUEUED_AHEAD = 2000;
    /** Chunks per worker written ahead, as {@code Pool.map} cuts about four chunks per worker. */
    private static final int CHUNKS_AHEAD_PER_WORKER = 4;

    private final BatchStore store;
    private final TaskService tasks;
    private final int queuedAhead;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread = new Thread(this::run, "batch-item-writer");
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean running = true;

    public BatchItemWriter(BatchStore store, TaskService tasks, WorkerGateway workers) {
        this.store = store;
        this.tasks = tasks;
        this.queuedAhead = queuedAhead(workers.capacity());
        thread.setDaemon(true);
    }

    /** Items a batch keeps queued as tasks, for a pool of this many workers. */
    static int queuedAhead(int workers) {
        return Math.max(MIN_QUEUED_AHEAD, CHUNKS_AHEAD_PER_WORKER * workers * BatchService.AUTO_CHUNK_LIMIT);
    }

    public void start() {
        tasks.whenBatchItemsClaimed(this::wake);
        thread.start();
    }

    /** A batch was submitted, or some of its queued items claimed: write items now rather than at the next poll. */
    public void wake() {
        wake.release();
    }

    /**
     * Runs {@code work} while no slice is being written here. A batch cancel does: H2 fails a
     * multi-row UPDATE whose rows another transaction inserts at that moment with an internal
     * error instead of waiting. (Replicas on PostgreSQL are ordered by the batch's row lock.)
     */
    public <T> T whileNotWriting(Supplier<T> work) {
        writing.lock();
        try {
            return work.get();
        } finally {
            writing.unlock();
        }
    }

    private void run() {
        while (running) {
            boolean wrote;
            try {
                wrote = writeOneSliceOfEach(store.withUnwrittenItems());
            } catch (RuntimeException e) {
                log.warn("could not write batch items as tasks; trying again in {}", POLL, e);
                wrote = false;
            }
            if (!wrote) {
                awaitWork();
            }
        }
    }

    private boolean writeOneSliceOfEach(List<UUID> batches) {
        boolean wrote = false;
        for (UUID batchId : batches) {
            if (!running) {
                break;
            }
            Optional<WrittenItems> written;
            writing.lock();
            try {
                written = store.writeNextItems(batchId, tasks.maxAttempts(), tasks.now(), queuedAhead);
            } finally {
                writing.unlock();
            }
            written.ifPresent(tasks::itemsWritten);
            wrote |= written.isPresent();
        }
        return wrote;
    }

    private void awaitWork() {
        try {
            wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
            wake.drainPermits();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops after the slice in progress. Not by interrupting it: an interrupt in the middle of
     * a file write closes H2's file channel. Slices left unwritten are written after a restart.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        wake.release();
        if (thread.isAlive()) {
            thread.join(STOP_WAIT.toMillis());
        }
    }
}
