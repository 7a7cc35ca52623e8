package io.taskpool.task;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps replicas that share one store honest with each other, once a beat: this node renews
 * the leases of the tasks it runs; it stops those whose cancel a client asked of another replica;
 * it answers long polls of tasks that finished on another replica and tells its event streams
 * of changes another replica made to the tasks they follow; and it recovers the tasks of
 * replicas whose leases ran out. Notifications between replicas make most of this immediate; the
 * beat is what still works when one is lost. On a store that serves this process alone, only the
 * leases are renewed.
 */
public class NodeHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final TaskService tasks;
    private final Duration beat;
    private final Duration leaseRenewal;
    private final boolean shared;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "node-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private long lastRenewalNanos = System.nanoTime();

    /**
     * @param lease how long a claim holds a task unrenewed: renewed at a third of it, so that two
     *     missed beats in a row do not lose it
     * @param shared whether other replicas use the same store
     */
    public NodeHeartbeat(TaskService tasks, Duration lease, boolean shared) {
        this.tasks = tasks;
        this.leaseRenewal = lease.dividedBy(3);
        this.beat = shared ? Duration.ofMillis(Math.min(500, leaseRenewal.toMillis())) : leaseRenewal;
        this.shared = shared;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::beat, beat.toMillis(), beat.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            if (System.nanoTime() - lastRenewalNanos >= leaseRenewal.toNanos() - beat.toNanos() / 2) {
                tasks.renewLeases();
                tasks.refreshQueueByPriority();
                lastRenewalNanos = System.nanoTime();
            }
            if (shared) {
                tasks.stopCancelledElsewhere();
                tasks.wakeWaitersOfTasksFinishedElsewhere();
                tasks.publishChangesMadeElsewhere();
                tasks.recoverTasksOfLostNodes();
            }
        } catch (RuntimeException e) {
            log.warn("Heartbeat failed; trying again in {}", beat, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
