package io.taskpool.task;

import java.time.Duration;

/** The queue, or the tenant's share of it, holds its configured number of waiting tasks. */
public class QueueFullException extends RuntimeException {

    private final Duration retryAfter;

    public QueueFullException(long capacity, Duration retryAfter) {
        super("the queue is full: " + capacity + " tasks are waiting (taskpool.queue.capacity); retry later");
        this.retryAfter = retryAfter;
    }

    /** The tenant's own share of the queue is full. */
    public QueueFullException(String tenant, long maxQueued, Duration retryAfter) {
        super("tenant '" + tenant + "' has " + maxQueued + " tasks waiting, its limit"
                + " (taskpool.security.tenants." + tenant + ".max-queued); retry later");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
