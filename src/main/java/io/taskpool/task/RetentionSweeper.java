package io.taskpool.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what finished more than {@code taskpool.tasks.retention} ago: terminal single tasks on
 * their own age, and finished batches together with their items once the batch's newest item is
 * that old (the rule is {@link RetentionStore}'s). A sweep runs every
 * {@code taskpool.tasks.retention-sweep-interval} and deletes in slices, one short transaction
 * each, until nothing past the cutoff is left. On a PostgreSQL store shared by replicas, one
 * replica sweeps at a time: when the store answers that another one holds the sweep, this one
 * leaves the rest to it and looks again at its next interval.
 *
 * <p>The sweeps run on a scheduled daemon thread of their own rather than on a Spring
 * {@code TaskScheduler}: like the batch item writer, the sweeper owns its thread, so a long sweep
 * delays nothing else, and it stops between two slices on {@link #close()} instead of being
 * interrupted in the middle of one (an interrupt during a file write closes H2's file channel).
 */
public class RetentionSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

    /**
     * Rows per transaction. A trade-off: 500 rows keep a transaction, and the row locks it holds,
     * to milliseconds, so the claim and the outcome writer never wait on it for long; a backlog of a
     * million expired rows still goes in 2,000 statements.
     */
    static final int SLICE = 500;
    /** Finished batches read at a time; each is then deleted in slices of its own. */
    static final int BATCHES_PER_READ = 100;
    /** The first sweep lets start-up (recovery, the workers' first claims) have the store first. */
    private static final Duration FIRST_SWEEP_AT_MOST = Duration.ofSeconds(5);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final RetentionStore store;
    private final Duration retention;
    private final Duration interval;
    private final Clock clock;
    private final int slice;
    private final Counter deletedTasks;
    private final Counter deletedBatches;
    private final ScheduledExecutorService thread;
    private volatile boolean running = true;

    public RetentionSweeper(RetentionStore store, Duration retention, Duration interval, Clock clock,
            MeterRegistry meters) {
        this(store, retention, interval, clock, meters, SLICE);
    }

    /** With another slice size, so that tests see a sweep take several slices. */
    RetentionSweeper(RetentionStore store, Duration retention, Duration interval, Clock clock, MeterRegistry meters,
            int slice) {
        this.store = store;
        this.retention = retention;
        this.interval = interval;
        this.clock = clock;
        this.slice = slice;
        // Registered up front, so that dashboards see zeros rather than no series before the first deletion.
        this.deletedTasks = deletedCounter("task", meters);
        this.deletedBatches = deletedCounter("batch", meters);
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread sweeper = new Thread(runnable, "retention-sweeper");
            sweeper.setDaemon(true);
            return sweeper;
        });
    }

    private static Counter deletedCounter(String kind, MeterRegistry meters) {
        return Counter.builder("taskpool.retention.deleted").tag("kind", kind)
                .description("Rows deleted past their retention: tasks (batch items included) and batches")
                .register(meters);
    }

    /** Sweeps shortly after start-up, then every interval. */
    public void start() {
        Duration first = interval.compareTo(FIRST_SWEEP_AT_MOST) < 0 ? interval : FIRST_SWEEP_AT_MOST;
        thread.scheduleWithFixedDelay(this::sweep, first.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        try {
            Sweep sweep = runOnce();
            log.debug("Retention sweep deleted {} tasks and {} batches{}", sweep.tasks(), sweep.batches(),
                    sweep.complete() ? "" : "; another replica sweeps the rest, or this node is stopping");
        } catch (RuntimeException e) {
            // Caught: an exception would also end the schedule.
            log.warn("Retention sweep failed; whatever is left past its retention is deleted by the next sweep in {}",
                    interval, e);
        }
    }

    /** One sweep: deletes everything that finished before now minus the retention. */
    Sweep runOnce() {
        Instant cutoff = clock.instant().minus(retention);
        Tally tally = new Tally();
        boolean complete = deleteSingleTasks(cutoff, tally) && deleteFinishedBatches(cutoff, tally);
        return new Sweep(tally.tasks, tally.batches, complete);
    }

    /** False if the sweep stopped early: another replica sweeps, or this node is stopping. */
    private boolean deleteSingleTasks(Instant cutoff, Tally tally) {
        while (running) {
            OptionalInt deleted = store.deleteTasks(cutoff, slice);
            if (deleted.isEmpty()) {
                return false;
            }
            tally.tasks(deleted.getAsInt());
            if (deleted.getAsInt() < slice) {
                return true;
            }
        }
        return false;
    }

    private boolean deleteFinishedBatches(Instant cutoff, Tally tally) {
        while (running) {
            List<UUID> batches = store.finishedBatches(cutoff, BATCHES_PER_READ);
            long before = tally.batches;
            for (UUID batchId : batches) {
                if (!deleteBatch(batchId, cutoff, tally)) {
                    return false;
                }
            }
            // A read that deleted nothing would only list the same batches again.
            if (batches.size() < BATCHES_PER_READ || tally.batches == before) {
                return true;
            }
        }
        return false;
    }

    /** The items first, the row last: a batch stopped half-way is still finished, and found again. */
    private boolean deleteBatch(UUID batchId, Instant cutoff, Tally tally) {
        while (running) {
            OptionalInt items = store.deleteItems(batchId, cutoff, slice);
            if (items.isEmpty()) {
                return false;
            }
            tally.tasks(items.getAsInt());
            if (items.getAsInt() < slice) {
                OptionalInt row = store.deleteBatch(batchId);
                if (row.isEmpty()) {
                    return false;
                }
                tally.batches(row.getAsInt());
                return true;
            }
        }
        return false;
    }

    /**
     * Stops after the slice in progress, without interrupting it; what is left goes at the next
     * start.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.shutdown();
        thread.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * What one sweep deleted: task rows (batch items included) and batch rows; not complete when
     * it left the rest to another replica or to the next start.
     */
    record Sweep(long tasks, long batches, boolean complete) {}

    /** Counts a sweep's deletions as they commit, in the sweep and in the metrics. */
    private final class Tally {
        private long tasks;
        private long batches;

        void tasks(int deleted) {
            tasks += deleted;
            deletedTasks.increment(deleted);
        }

        void batches(int deleted) {
            batches += deleted;
            deletedBatches.increment(deleted);
        }
    }
}
