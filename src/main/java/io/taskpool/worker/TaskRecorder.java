package io.taskpool.worker;

import io.taskpool.task.Task;
import io.taskpool.task.TaskOutcome;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskType;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Where the supervisor reports what its workers did to tasks. The supervisor calls it on its own
 * thread and must not wait for a disk: {@link OutcomeWriter} hands every write to a thread of
 * its own, in the order it came.
 */
interface TaskRecorder {

    /** The worker process {@code pid} took these tasks; recorded before any of their outcomes. */
    void started(List<Task> tasks, long pid);

    /** Tasks ended; in the order they ended. */
    void finished(List<TaskOutcome> outcomes);

    void progressed(Task task, TaskProgress progress);

    /** Appends lines to the log of the task's current attempt, if it still runs at that attempt. */
    void logged(Task task, String text);

    /** How much of its log a task keeps: the most worth buffering. */
    int maxLogChars();

    /** Claimed tasks that never reached a worker go back to the queue, their attempt unchanged. */
    void unclaim(Collection<UUID> ids);

    /** The task types the newest worker offers. */
    void typesAnnounced(List<TaskType> types);
}
