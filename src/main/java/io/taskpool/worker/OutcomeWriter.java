package io.taskpool.worker;

import io.taskpool.task.Task;
import io.taskpool.task.TaskOutcome;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskService;
import io.taskpool.task.TaskType;
import java.time.Duration;
import java.util.Collection;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the supervisor records about tasks, on its own thread ({@code outcome-writer}), so
 * the supervisor never waits for a disk. Whatever arrives while one commit runs goes into the
 * next: a lone result is written at once, and under load hundreds share one commit (group
 * commit). An outcome the store refuses is retried every second until it is written, so no task
 * stays RUNNING after its worker has moved on.
 *
 * <p>Which worker took a task, and what a task logged, go through the same queue, before that
 * task's outcome: the supervisor hands them over and moves on, a finished task's log is whole
 * when its outcome is written, and the records of one round share a statement per worker
 * process. Logs, progress and the return of unstarted work are written once: a failure drops
 * them (as a lost line, a late progress report, or work that recovery re-queues), since writing
 * a log twice would repeat its lines.
 */
final class OutcomeWriter implements TaskRecorder {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
    /** Outcomes per commit at most: bounds the transaction, and the wait of the first in it. */
    private static final int MAX_PER_COMMIT = 512;
    private static final long RETRY_MILLIS = 1000;
    /** How long the idle thread waits for work before it looks whether it should stop. */
    private static final long STOP_POLL_MILLIS = 200;

    private final TaskService tasks;
    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Writes handed over and not yet done (or given up at shutdown). */
    private final Object drained = new Object();
    private long pending;
    private volatile boolean running = true;

    OutcomeWriter(TaskService tasks) {
        this.tasks = tasks;
        this.thread = new Thread(this::loop, "outcome-writer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void finished(List<TaskOutcome> outcomes) {
        outcomes.forEach(outcome -> add(new Write.Ended(outcome)));
    }

    @Override
    public void started(List<Task> started, long pid) {
        add(new Write.Started(started, pid));
    }

    @Override
    public void progressed(Task task, TaskProgress progress) {
        add(new Write.Progressed(task, progress));
    }

    @Override
    public void logged(Task task, String text) {
        add(new Write.Logged(task, text));
    }

    @Override
    public void unclaim(Collection<UUID> ids) {
        if (!ids.isEmpty()) {
            add(new Write.Unclaimed(List.copyOf(ids)));
        }
    }

    @Override
    public int maxLogChars() {
        return tasks.maxLogChars();
    }

    @Override
    public void typesAnnounced(List<TaskType> types) {
        tasks.taskTypesAnnounced(types);
    }

    private void add(Write write) {
        synchronized (drained) {
            pending++;
        }
        queue.add(write);
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
                log.warn("{} task records were not written before shutdown; their tasks will run again", pending);
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
                    // Once, before anything that may be retried.
                    writeOnce(batch);
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
     * Writes the batch's logs and progress reports and returns its unstarted work, then takes
     * them out of the batch. Before the outcomes: a log is appended only while its task runs.
     */
    private void writeOnce(List<Write> batch) {
        int done = 0;
        for (var it = batch.iterator(); it.hasNext(); ) {
            Write write = it.next();
            if (write instanceof Write.Started || write instanceof Write.Ended) {
                continue;
            }
            try {
                if (write instanceof Write.Logged logged) {
                    tasks.logged(logged.task(), logged.text());
                } else if (write instanceof Write.Progressed progressed) {
                    tasks.progressed(progressed.task(), progressed.progress());
                } else if (write instanceof Write.Unclaimed unclaimed) {
                    tasks.unclaim(unclaimed.ids());
                }
            } catch (RuntimeException e) {
                log.warn("Could not write {}; it is dropped ({})", write.describe(), e.getMessage());
            }
            it.remove();
            done++;
        }
        written(done);
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
        startedByPid.forEach((pid, started) -> tasks.started(started, pid));
        if (!outcomes.isEmpty()) {
            tasks.finished(outcomes, pidsWithResult);
        }
    }

    /** One entry of the writer's queue. */
    private sealed interface Write {
        record Started(List<Task> tasks, long pid) implements Write {}

        record Ended(TaskOutcome outcome) implements Write {}

        record Logged(Task task, String text) implements Write {}

        record Progressed(Task task, TaskProgress progress) implements Write {}

        record Unclaimed(List<UUID> ids) implements Write {}

        default String describe() {
            if (this instanceof Logged logged) {
                return logged.text().length() + " characters of the log of task " + logged.task().id();
            }
            if (this instanceof Progressed progressed) {
                return "the progress of task " + progressed.task().id();
            }
            if (this instanceof Unclaimed unclaimed) {
                return "the return of " + unclaimed.ids().size() + " unstarted tasks to the queue (recovery re-queues"
                        + " them when their lease expires)";
            }
            return toString();
        }
    }

    private void written(int count) {
        synchronized (drained) {
            pending -= count;
            drained.notifyAll();
        }
    }
}
