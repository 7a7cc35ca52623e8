package io.taskpool.worker;

import io.taskpool.task.TaskOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes task outcomes to the store on its own thread ({@code outcome-writer}), so the
 * supervisor never waits for a disk. Whatever arrives while one commit runs goes into the next:
 * a lone result is written at once, and under load hundreds share one commit (group commit).
 * An outcome the store refuses is retried every second until it is written, so no task stays
 * RUNNING after its worker has moved on.
 */
final class OutcomeWriter {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
    /** Outcomes per commit at most: bounds the transaction, and the wait of the first in it. */
    private static final int MAX_PER_COMMIT = 512;
    private static final long RETRY_MILLIS = 1000;

    private final Consumer<List<TaskOutcome>> store;
    private final BlockingQueue<TaskOutcome> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Outcomes handed over and not yet written (or given up at shutdown). */
    private final Object drained = new Object();
    private long pending;
    private volatile boolean running = true;

    OutcomeWriter(Consumer<List<TaskOutcome>> store) {
        this.store = store;
        this.thread = new Thread(this::loop, "outcome-writer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void write(List<TaskOutcome> outcomes) {
        synchronized (drained) {
            pending += outcomes.size();
        }
        queue.addAll(outcomes);
    }

    /**
     * Waits until everything handed over is written, at most {@code wait}, then stops the thread.
     * What is left then stays RUNNING in the store, and recovery re-queues it.
     */
    void stop(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (drained) {
            try {
                while (pending > 0 && System.nanoTime() - deadline < 0) {
                    drained.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (pending > 0) {
                log.warn("{} task outcomes were not written before shutdown; their tasks will run again", pending);
            }
        }
        running = false;
        thread.interrupt();
    }

    private void loop() {
        List<TaskOutcome> batch = new ArrayList<>();
        while (running) {
            try {
                if (batch.isEmpty()) {
                    batch.add(queue.take());
                    queue.drainTo(batch, MAX_PER_COMMIT - 1);
                }
                store.accept(batch);
                written(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Could not record the outcomes of {} tasks; retrying every second until the store accepts"
                        + " them", batch.size(), e);
                try {
                    TimeUnit.MILLISECONDS.sleep(RETRY_MILLIS);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void written(int count) {
        synchronized (drained) {
            pending -= count;
            drained.notifyAll();
        }
    }
}
