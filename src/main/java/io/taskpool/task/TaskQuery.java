package io.taskpool.task;

import java.util.UUID;

/**
 * A page of the task list, newest first: optional {@code state}, {@code type} and {@code batchId}
 * filters, and {@code beforeSequence} (exclusive) as the cursor, or null for the first page.
 */
public record TaskQuery(TaskState state, String type, UUID batchId, Long beforeSequence, int limit) {}
