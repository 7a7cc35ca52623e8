package io.taskpool.worker;

import io.taskpool.task.Task;
import io.taskpool.task.TaskOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes task outcomes to the store on its own thread ({@code outcome-writer}), so the
 * supervisor never waits for a disk. Whatever arrives while one commit runs goes into the next:
 * a lone result is written at once, and under load hundreds share one commit (group commit).
 * An outcome the store refuses is retried every second until it is written, so no task stays
 * RUNNING after its worker has moved on.
 *
 * <p>Which worker took a task goes through the same queue, before that task's outcome: the
 * supervisor hands it over and moves on instead of waiting for a commit per task, and the records
 * of one round share a statement per worker process.
 */
final class OutcomeWriter {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
    /** Outcomes per commit at most: bounds the transaction, and the wait of the first in it. */
    private static final int MAX_PER_COMMIT = 512;
    private static final long RETRY_MILLIS = 1000;
    /** How long the idle thread waits for work before it looks whether it should stop. */
    private static final long STOP_POLL_MILLIS = 200;

    private final BiConsumer<List<TaskOutcome>, Map<UUID, Long>> store;
    private final BiConsumer<List<Task>, Long> startedStore;
    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Outcomes handed over and not yet written (or given up at shutdown). */
    private final Object drained = new Object();
    private long pending;
    private volatile boolean running = true;

    /**
     * @param store writes outcomes in one commit, with the worker pids of those whose start it records
     * @param startedStore records that a worker process (by pid) took these tasks
     */
    OutcomeWriter(BiConsumer<List<TaskOutcome>, Map<UUID, Long>> store, BiConsumer<List<Task>, Long> startedStore) {
        this.store = store;
        this.startedStore = startedStore;
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
        outcomes.forEach(outcome -> queue.add(new Write.Ended(outcome)));
    }

    /** The worker process {@code pid} took these tasks; written before any of their outcomes. */
    void started(List<Task> tasks, long pid) {
        synchronized (drained) {
            pending++;
        }
        queue.add(new Write.Started(tasks, pid));
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
        // Not interrupted: an interrupt that lands while the thread reads or writes the H2 file
        // closes the file's channel, and the whole database with it. The loop sees the flag
        // within one poll.
        running = false;
    }

    private void loop() {
        List<Write> batch = new ArrayList<>();
        while (running) {
            try {
                if (batch.isEmpty()) {
                    Write first = queue.poll(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, MAX_PER_COMMIT - 1);
                }
                writeInOrder(batch);
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

    /**
     * Every start in the batch is written before every outcome in it, which keeps each task's
     * start before its own outcome (the queue holds them in that order). A task that started and
     * succeeded within one batch (most of them, under load) has its worker written with its
     * result, in the same statement. Writing a batch again after a failure is harmless: both
     * writes are conditional on the task's state.
     */
    private void writeInOrder(List<Write> batch) {
        List<TaskOutcome> outcomes = new ArrayList<>();
        Set<UUID> succeeded = new HashSet<>();
        for (Write write : batch) {
            if (write instanceof Write.Ended ended) {
                outcomes.add(ended.outcome());
                if (ended.outcome().isSuccess()) {
                    succeeded.add(ended.outcome().task().id());
                }
            }
        }
        Map<UUID, Long> pidsWithResult = new HashMap<>();
        Map<Long, List<Task>> startedByPid = new LinkedHashMap<>();
        for (Write write : batch) {
            if (write instanceof Write.Started started) {
                for (Task task : started.tasks()) {
                    if (succeeded.contains(task.id())) {
                        pidsWithResult.put(task.id(), started.pid());
                    } else {
                        startedByPid.computeIfAbsent(started.pid(), pid -> new ArrayList<>()).add(task);
                    }
                }
            }
        }
        startedByPid.forEach((pid, tasks) -> startedStore.accept(tasks, pid));
        if (!outcomes.isEmpty()) {
            store.accept(outcomes, pidsWithResult);
        }
    }

    /** One entry of the writer's queue. */
    private sealed interface Write {
        record Started(List<Task> tasks, long pid) implements Write {}

        record Ended(TaskOutcome outcome) implements Write {}
    }

    private void written(int count) {
        synchronized (drained) {
            pending -= count;
            drained.notifyAll();
        }
    }
}
