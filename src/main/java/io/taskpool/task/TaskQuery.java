package io.taskpool.task;

/**
 * A page of the task list, newest first: optional {@code state} and {@code type} filters, and
 * {@code beforeSequence} (exclusive) as the cursor, or null for the first page.
 */
public record TaskQuery(TaskState state, String type, Long beforeSequence, int limit) {}
