package io.taskpool.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A task as stored. {@code inputJson} and {@code resultJson} are JSON text, passed through to the
 * worker and back without being interpreted here. {@code sequence} orders tasks by submission
 * (FIFO within a priority, and the cursor of list pages).
 */
public record Task(
        UUID id,
        long sequence,
        String type,
        TaskState state,
        String inputJson,
        String resultJson,
        TaskError error,
        TaskProgress progress,
        int priority,
        long timeoutMs,
        int attempt,
        int maxAttempts,
        Map<String, String> labels,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Long workerPid,
        String owner,
        boolean cancelRequested) {}
