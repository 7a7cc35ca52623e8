package io.taskpool.task;

/** The operation does not fit the task's state (cancel a finished task, delete a running one...). */
public class TaskStateConflictException extends RuntimeException {

    private final Task task;

    public TaskStateConflictException(Task task, String message) {
        super(message);
        this.task = task;
    }

    public Task task() {
        return task;
    }
}
