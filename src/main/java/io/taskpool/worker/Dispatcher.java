package io.taskpool.worker;

import io.taskpool.task.Task;
import io.taskpool.task.TaskService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves queued tasks to idle workers: claims work for as many workers as are idle and not yet
 * promised some (a task each, or a chunk of a batch's items) and hands it to the supervisor. Woken by submissions and
 * by workers becoming idle; a slow fallback poll covers tasks that became runnable without a
 * signal (recovery, another process writing the store).
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final long FALLBACK_POLL_MILLIS = 1000;

    private final TaskService tasks;
    private final IntSupplier idleWorkers;
    private final Consumer<List<Task>> assign;
    /** Claimed and posted, not yet handled by the supervisor: promised to idle workers already. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object signal = new Object();
    private long signals;
    private volatile boolean running = true;
    private final Thread thread;

    Dispatcher(TaskService tasks, IntSupplier idleWorkers, Consumer<List<Task>> assign) {
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
        // Woken, not interrupted: an interrupt that lands while the thread reads the H2 file
        // closes the file's channel, and the whole database with it (seen at shutdown with
        // 100,000 queued tasks, when a claim had to read pages from disk).
        wakeUp();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A task was queued, or a worker became idle. */
    void wakeUp() {
        synchronized (signal) {
            signals++;
            signal.notifyAll();
        }
    }

    /** The supervisor has handled one claim (its slot is BUSY now, or it waits in pending). */
    void assigned() {
        inFlight.decrementAndGet();
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

    /** One round: claim for the idle workers if there are any, else wait for a signal. */
    void runOnce() throws InterruptedException {
        long seen;
        synchronized (signal) {
            seen = signals;
        }
        int room = idleWorkers.getAsInt() - inFlight.get();
        if (room > 0) {
            List<List<Task>> claimed = tasks.claim(room);
            if (!claimed.isEmpty()) {
                inFlight.addAndGet(claimed.size());
                claimed.forEach(assign);
                return;
            }
        }
        synchronized (signal) {
            if (signals == seen) {
                signal.wait(FALLBACK_POLL_MILLIS);
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
