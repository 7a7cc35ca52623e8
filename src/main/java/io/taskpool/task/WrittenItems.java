package io.taskpool.task;

import java.util.UUID;

/**
 * Items {@code firstIndex ..< firstIndex + count} of a batch, just written as tasks from the
 * batch's stored inputs, QUEUED.
 */
public record WrittenItems(UUID batchId, String type, int firstIndex, int count) {}
