package io.taskpool.support;

import io.taskpool.task.Task;
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
        return Task.builder().id(UUID.randomUUID()).type("noop").priority(priority).timeoutMs(60_000).maxAttempts(3)
                .createdAt(SUBMITTED_AT).build();
    }

    /** The same task with another type. */
    public static Task withType(Task task, String type) {
        return task.toBuilder().type(type).build();
    }

    /** The same task at another attempt, of {@code maxAttempts} in all. */
    public static Task withAttempt(Task task, int attempt, int maxAttempts) {
        return task.toBuilder().attempt(attempt).maxAttempts(maxAttempts).build();
    }

    /** The same task, submitted by another tenant. */
    public static Task ofTenant(Task task, String tenant) {
        return task.toBuilder().tenant(tenant).build();
    }

    /** The same task with these labels. */
    public static Task withLabels(Task task, Map<String, String> labels) {
        return task.toBuilder().labels(labels).build();
    }

    /** The same task, asking (or not) to be retried after a time-out. */
    public static Task retryingOnTimeout(Task task, boolean retryOnTimeout) {
        return task.toBuilder().retryOnTimeout(retryOnTimeout).build();
    }
}
