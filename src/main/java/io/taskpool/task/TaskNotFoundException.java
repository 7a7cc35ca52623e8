package io.taskpool.task;

import java.util.UUID;

/** No task has this id (or it was deleted). */
public class TaskNotFoundException extends RuntimeException {

    private final String taskId;

    public TaskNotFoundException(String taskId) {
        super("no task with id '" + taskId + "'");
        this.taskId = taskId;
    }

    public TaskNotFoundException(UUID taskId) {
        this(taskId.toString());
    }

    public String taskId() {
        return taskId;
    }
}
