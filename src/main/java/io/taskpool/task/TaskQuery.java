package io.taskpool.task;

import java.util.Map;
import java.util.UUID;

/**
 * A page of the task list, newest first: optional {@code state}, {@code type} and {@code batchId}
 * filters, {@code labels} every listed task carries (key and value alike; empty for no filter),
 * {@code tenant} (null for every tenant's), and {@code beforeSequence} (exclusive) as the cursor,
 * or null for the first page.
 */
public record TaskQuery(TaskState state, String type, UUID batchId, Map<String, String> labels, Long beforeSequence,
        int limit, String tenant) {

    public TaskQuery {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A page of one tenant's (or, with a null tenant, every tenant's) tasks, whatever their labels. */
    public TaskQuery(TaskState state, String type, UUID batchId, Long beforeSequence, int limit, String tenant) {
        this(state, type, batchId, Map.of(), beforeSequence, limit, tenant);
    }

    /** A page of every tenant's tasks. */
    public TaskQuery(TaskState state, String type, UUID batchId, Long beforeSequence, int limit) {
        this(state, type, batchId, Map.of(), beforeSequence, limit, null);
    }
}
