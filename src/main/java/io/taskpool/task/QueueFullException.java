package io.taskpool.task;

import java.time.Duration;

/** The queue holds its configured capacity of waiting tasks. */
public class QueueFullException extends RuntimeException {

    private final Duration retryAfter;

    public QueueFullException(long capacity, Duration retryAfter) {
        super("the queue is full: " + capacity + " tasks are waiting (taskpool.queue.capacity); retry later");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
