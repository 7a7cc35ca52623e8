package io.taskpool.support;

import io.taskpool.task.Task;
import io.taskpool.task.TaskState;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Object mothers for {@link Task}: a plain queued task, and small variations of one. A store
 * inserts every task as QUEUED; tests reach the other states through the store's own transitions.
 */
public final class TaskFixtures {

    /** Microsecond precision, the finest both databases keep. */
    public static final Instant SUBMITTED_AT = Instant.parse("2026-03-01T10:15:30.123456Z");

    private TaskFixtures() {}

    /** A fresh QUEUED {@code noop} task of priority 0, first attempt of three. */
    public static Task aQueuedTask() {
        return aQueuedTask(0);
    }

    /** A fresh QUEUED {@code noop} task of the given priority. */
    public static Task aQueuedTask(int priority) {
        return new Task(UUID.randomUUID(), 0, "noop", TaskState.QUEUED, "{}", null, null, null, priority,
                60_000, 1, 3, Map.of(), SUBMITTED_AT, null, null, null, null, false);
    }

    /** The same task with another type. */
    public static Task withType(Task task, String type) {
        return new Task(task.id(), task.sequence(), type, task.state(), task.inputJson(), task.resultJson(),
                task.error(), task.progress(), task.priority(), task.timeoutMs(), task.attempt(),
                task.maxAttempts(), task.labels(), task.createdAt(), task.startedAt(), task.finishedAt(),
                task.workerPid(), task.owner(), task.cancelRequested());
    }

    /** The same task at another attempt, of {@code maxAttempts} in all. */
    public static Task withAttempt(Task task, int attempt, int maxAttempts) {
        return new Task(task.id(), task.sequence(), task.type(), task.state(), task.inputJson(),
                task.resultJson(), task.error(), task.progress(), task.priority(), task.timeoutMs(), attempt,
                maxAttempts, task.labels(), task.createdAt(), task.startedAt(), task.finishedAt(),
                task.workerPid(), task.owner(), task.cancelRequested());
    }

    /** The same task, submitted by another tenant. */
    public static Task ofTenant(Task task, String tenant) {
        return new Task(task.id(), task.sequence(), task.type(), task.state(), task.inputJson(),
                task.resultJson(), task.error(), task.progress(), task.priority(), task.timeoutMs(), task.attempt(),
                task.maxAttempts(), task.labels(), task.createdAt(), task.startedAt(), task.finishedAt(),
                task.workerPid(), task.owner(), task.cancelRequested(), task.batchId(), task.batchIndex(),
                task.retryBackoffMs(), task.retryOnTimeout(), task.notBefore(), tenant);
    }

    /** The same task with these labels. */
    public static Task withLabels(Task task, Map<String, String> labels) {
        return new Task(task.id(), task.sequence(), task.type(), task.state(), task.inputJson(),
                task.resultJson(), task.error(), task.progress(), task.priority(), task.timeoutMs(), task.attempt(),
                task.maxAttempts(), labels, task.createdAt(), task.startedAt(), task.finishedAt(),
                task.workerPid(), task.owner(), task.cancelRequested(), task.batchId(), task.batchIndex(),
                task.retryBackoffMs(), task.retryOnTimeout(), task.notBefore(), task.tenant());
    }

    /** The same task, asking (or not) to be retried after a time-out. */
    public static Task retryingOnTimeout(Task task, boolean retryOnTimeout) {
        return new Task(task.id(), task.sequence(), task.type(), task.state(), task.inputJson(),
                task.resultJson(), task.error(), task.progress(), task.priority(), task.timeoutMs(), task.attempt(),
                task.maxAttempts(), task.labels(), task.createdAt(), task.startedAt(), task.finishedAt(),
                task.workerPid(), task.owner(), task.cancelRequested(), task.batchId(), task.batchIndex(),
                task.retryBackoffMs(), retryOnTimeout, task.notBefore(), task.tenant());
    }
}
