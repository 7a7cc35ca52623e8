package io.taskpool.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A task as stored. {@code inputJson} and {@code resultJson} are JSON text, passed through to the
 * worker and back without being interpreted here. {@code sequence} orders tasks by submission
 * (FIFO within a priority, and the cursor of list pages). An item of a batch has its batch's id
 * and its position in the batch's inputs ({@code batchIndex}, from 0); a single task has neither.
 * A failed attempt is retried while {@link #attemptsCounted()} {@code < maxAttempts}, after
 * {@code retryBackoffMs} doubled per attempt; a re-queued task waits until {@code notBefore}.
 * {@code interruptions} counts the runs lost with their node, which run again without counting.
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
        boolean cancelRequested,
        UUID batchId,
        Integer batchIndex,
        long retryBackoffMs,
        boolean retryOnTimeout,
        Instant notBefore,
        String tenant,
        int interruptions) {

    /** The tenant of everything submitted while no API keys are configured, and of older rows. */
    public static final String DEFAULT_TENANT = "default";

    /** The back-off before the second attempt when a submission names none. */
    public static final long DEFAULT_RETRY_BACKOFF_MS = 1000;

    /** A task never interrupted by the loss of its node. */
    public Task(UUID id, long sequence, String type, TaskState state, String inputJson, String resultJson,
            TaskError error, TaskProgress progress, int priority, long timeoutMs, int attempt, int maxAttempts,
            Map<String, String> labels, Instant createdAt, Instant startedAt, Instant finishedAt, Long workerPid,
            String owner, boolean cancelRequested, UUID batchId, Integer batchIndex, long retryBackoffMs,
            boolean retryOnTimeout, Instant notBefore, String tenant) {
        this(id, sequence, type, state, inputJson, resultJson, error, progress, priority, timeoutMs, attempt,
                maxAttempts, labels, createdAt, startedAt, finishedAt, workerPid, owner, cancelRequested, batchId,
                batchIndex, retryBackoffMs, retryOnTimeout, notBefore, tenant, 0);
    }

    /**
     * The attempts that count against {@code maxAttempts}: every run but those cut short by the
     * loss of their node (the service's death or a lease that ran out), which were not the task's fault.
     */
    public int attemptsCounted() {
        return attempt - interruptions;
    }

    /** A task with the default retry settings, claimable at once. */
    public Task(UUID id, long sequence, String type, TaskState state, String inputJson, String resultJson,
            TaskError error, TaskProgress progress, int priority, long timeoutMs, int attempt, int maxAttempts,
            Map<String, String> labels, Instant createdAt, Instant startedAt, Instant finishedAt, Long workerPid,
            String owner, boolean cancelRequested, UUID batchId, Integer batchIndex) {
        this(id, sequence, type, state, inputJson, resultJson, error, progress, priority, timeoutMs, attempt,
                maxAttempts, labels, createdAt, startedAt, finishedAt, workerPid, owner, cancelRequested, batchId,
                batchIndex, DEFAULT_RETRY_BACKOFF_MS, false, null, DEFAULT_TENANT);
    }

    /** A single task (no batch). */
    public Task(UUID id, long sequence, String type, TaskState state, String inputJson, String resultJson,
            TaskError error, TaskProgress progress, int priority, long timeoutMs, int attempt, int maxAttempts,
            Map<String, String> labels, Instant createdAt, Instant startedAt, Instant finishedAt, Long workerPid,
            String owner, boolean cancelRequested) {
        this(id, sequence, type, state, inputJson, resultJson, error, progress, priority, timeoutMs, attempt,
                maxAttempts, labels, createdAt, startedAt, finishedAt, workerPid, owner, cancelRequested, null, null);
    }
}
