package io.taskpool.task;

import java.util.UUID;

/**
 * A page of the task list, newest first: optional {@code state}, {@code type} and {@code batchId}
 * filters, {@code tenant} (null for every tenant's), and {@code beforeSequence} (exclusive) as the cursor, or null for the first page.
 */
public record TaskQuery(TaskState state, String type, UUID batchId, Long beforeSequence, int limit, String tenant) {

    /** A page of every tenant's tasks. */
    public TaskQuery(TaskState state, String type, UUID batchId, Long beforeSequence, int limit) {
        this(state, type, batchId, beforeSequence, limit, null);
    }
}
