package io.taskpool.worker;

import io.taskpool.task.Task;
import java.util.concurrent.TimeUnit;

/** A task handed to a worker, under the request id of its {@code Run} frame. */
final class Assignment {

    final Task task;
    final long requestId;
    /** When the task's timeout ends: from the dispatch until its Ack, then from the Ack. */
    long deadlineNanos;
    /** When a cancelled task that has not stopped is killed; 0 while no cancel was sent. */
    long cancelDeadlineNanos;
    long progressWrittenNanos;

    Assignment(Task task, long requestId) {
        this.task = task;
        this.requestId = requestId;
    }

    void startClock(long now) {
        deadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(task.timeoutMs());
    }
}
