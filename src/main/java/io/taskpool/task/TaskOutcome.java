package io.taskpool.task;

import java.time.Instant;

/**
 * How one run of a task ended, as the worker pool reports it: a result, or a failure. The pool
 * hands outcomes over in groups so that the store can write many in one commit. A failure the
 * task service decided to retry carries the time of the next attempt.
 */
public record TaskOutcome(Task task, String resultJson, TaskFailure failure, Instant retryAt) {

    public static TaskOutcome succeeded(Task task, String resultJson) {
        return new TaskOutcome(task, resultJson, null, null);
    }

    public static TaskOutcome failed(Task task, TaskFailure failure) {
        return new TaskOutcome(task, null, failure, null);
    }

    /** This failure, to be retried: the task goes back to the queue until {@code at}. */
    public TaskOutcome retriedAt(Instant at) {
        return new TaskOutcome(task, null, failure, at);
    }

    public boolean isSuccess() {
        return failure == null;
    }
}
