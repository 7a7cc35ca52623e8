package io.taskpool.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A batch as stored: one task type run over many inputs, each input an item task of its own
 * ({@link Task#batchId()}, {@link Task#batchIndex()}). {@code chunkSize} consecutive items go to
 * one worker in one dispatch; {@code timeoutMs} applies to each item. Its items belong to its
 * {@code tenant}.
 */
public record Batch(
        UUID id,
        String type,
        int size,
        int chunkSize,
        int priority,
        long timeoutMs,
        Map<String, String> labels,
        Instant createdAt,
        boolean cancelRequested,
        String tenant) {

    /** A batch of the default tenant. */
    public Batch(UUID id, String type, int size, int chunkSize, int priority, long timeoutMs,
            Map<String, String> labels, Instant createdAt, boolean cancelRequested) {
        this(id, type, size, chunkSize, priority, timeoutMs, labels, createdAt, cancelRequested, Task.DEFAULT_TENANT);
    }
}
