package io.taskpool.worker;

import io.taskpool.task.Task;
import io.taskpool.task.TaskService;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves queued tasks to idle workers. Waits for an idle worker (a permit the supervisor releases),
 * then for a queued task, claims as many tasks as there are idle workers in one statement, and
 * hands them to the supervisor. Woken by submissions; a slow fallback poll covers tasks that
 * became runnable without a signal (recovery, another process writing the store).
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final long FALLBACK_POLL_MILLIS = 1000;

    private final TaskService tasks;
    private final Semaphore idleWorkers;
    private final Consumer<Task> assign;
    private final Object signal = new Object();
    private long submissions;
    private volatile boolean running = true;
    private final Thread thread;

    Dispatcher(TaskService tasks, Semaphore idleWorkers, Consumer<Task> assign) {
        this.tasks = tasks;
        this.idleWorkers = idleWorkers;
        this.assign = assign;
        this.thread = new Thread(this::loop, "task-dispatcher");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A task was queued. */
    void wakeUp() {
        synchronized (signal) {
            submissions++;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                runOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Dispatching failed; will retry in {} ms", FALLBACK_POLL_MILLIS, e);
                sleepQuietly();
            }
        }
    }

    /** One round: wait for an idle worker, then claim and hand out what the queue has. */
    void runOnce() throws InterruptedException {
        idleWorkers.acquire();
        int wanted = 1 + idleWorkers.drainPermits();
        int assigned = 0;
        try {
            while (running) {
                long seen;
                synchronized (signal) {
                    seen = submissions;
                }
                List<Task> claimed = tasks.claim(wanted);
                claimed.forEach(assign);
                assigned = claimed.size();
                if (assigned > 0) {
                    return;
                }
                synchronized (signal) {
                    if (submissions == seen) {
                        signal.wait(FALLBACK_POLL_MILLIS);
                    }
                }
            }
        } finally {
            if (wanted > assigned) {
                idleWorkers.release(wanted - assigned);
            }
        }
    }

    private void sleepQuietly() {
        try {
            TimeUnit.MILLISECONDS.sleep(FALLBACK_POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
