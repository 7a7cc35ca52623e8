package io.taskpool.task;

/**
 * How one run of a task ended, as the worker pool reports it: a result, or a failure. The pool
 * hands outcomes over in groups so that the store can write many in one commit.
 */
public record TaskOutcome(Task task, String resultJson, TaskFailure failure) {

    public static TaskOutcome succeeded(Task task, String resultJson) {
        return new TaskOutcome(task, resultJson, null);
    }

    public static TaskOutcome failed(Task task, TaskFailure failure) {
        return new TaskOutcome(task, null, failure);
    }

    public boolean isSuccess() {
        return failure == null;
    }
}
