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

    /**
     * The attempts that count against {@code maxAttempts}: every run but those cut short by the
     * loss of their node (the service's death or a lease that ran out), which were not the task's fault.
     */
    public int attemptsCounted() {
        return attempt - interruptions;
    }

    /** A new task's fields: QUEUED, input {@code {}}, first attempt of one, no labels, the default tenant. */
    public static Builder builder() {
        return new Builder();
    }

    /** This task's fields, to change a few of: {@code task.toBuilder().state(RUNNING).build()}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Names each field it sets, so that no caller passes two dozen positional arguments (two of
     * the same type swapped would compile).
     */
    public static final class Builder {
        private UUID id;
        private long sequence;
        private String type;
        private TaskState state = TaskState.QUEUED;
        private String inputJson = "{}";
        private String resultJson;
        private TaskError error;
        private TaskProgress progress;
        private int priority;
        private long timeoutMs;
        private int attempt = 1;
        private int maxAttempts = 1;
        private Map<String, String> labels = Map.of();
        private Instant createdAt;
        private Instant startedAt;
        private Instant finishedAt;
        private Long workerPid;
        private String owner;
        private boolean cancelRequested;
        private UUID batchId;
        private Integer batchIndex;
        private long retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS;
        private boolean retryOnTimeout;
        private Instant notBefore;
        private String tenant = DEFAULT_TENANT;
        private int interruptions;

        private Builder() {
        }

        private Builder(Task task) {
            id = task.id;
            sequence = task.sequence;
            type = task.type;
            state = task.state;
            inputJson = task.inputJson;
            resultJson = task.resultJson;
            error = task.error;
            progress = task.progress;
            priority = task.priority;
            timeoutMs = task.timeoutMs;
            attempt = task.attempt;
            maxAttempts = task.maxAttempts;
            labels = task.labels;
            createdAt = task.createdAt;
            startedAt = task.startedAt;
            finishedAt = task.finishedAt;
            workerPid = task.workerPid;
            owner = task.owner;
            cancelRequested = task.cancelRequested;
            batchId = task.batchId;
            batchIndex = task.batchIndex;
            retryBackoffMs = task.retryBackoffMs;
            retryOnTimeout = task.retryOnTimeout;
            notBefore = task.notBefore;
            tenant = task.tenant;
            interruptions = task.interruptions;
        }

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder sequence(long sequence) {
            this.sequence = sequence;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder state(TaskState state) {
            this.state = state;
            return this;
        }

        public Builder inputJson(String inputJson) {
            this.inputJson = inputJson;
            return this;
        }

        public Builder resultJson(String resultJson) {
            this.resultJson = resultJson;
            return this;
        }

        public Builder error(TaskError error) {
            this.error = error;
            return this;
        }

        public Builder progress(TaskProgress progress) {
            this.progress = progress;
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder timeoutMs(long timeoutMs) {
            this.timeoutMs = timeoutMs;
            return this;
        }

        public Builder attempt(int attempt) {
            this.attempt = attempt;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder labels(Map<String, String> labels) {
            this.labels = labels;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public Builder startedAt(Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public Builder finishedAt(Instant finishedAt) {
            this.finishedAt = finishedAt;
            return this;
        }

        public Builder workerPid(Long workerPid) {
            this.workerPid = workerPid;
            return this;
        }

        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        public Builder cancelRequested(boolean cancelRequested) {
            this.cancelRequested = cancelRequested;
            return this;
        }

        public Builder batchId(UUID batchId) {
            this.batchId = batchId;
            return this;
        }

        public Builder batchIndex(Integer batchIndex) {
            this.batchIndex = batchIndex;
            return this;
        }

        public Builder retryBackoffMs(long retryBackoffMs) {
            this.retryBackoffMs = retryBackoffMs;
            return this;
        }

        public Builder retryOnTimeout(boolean retryOnTimeout) {
            this.retryOnTimeout = retryOnTimeout;
            return this;
        }

        public Builder notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            return this;
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        public Builder interruptions(int interruptions) {
            this.interruptions = interruptions;
            return this;
        }

        public Task build() {
            return new Task(id, sequence, type, state, inputJson, resultJson, error, progress, priority, timeoutMs,
                    attempt, maxAttempts, labels, createdAt, startedAt, finishedAt, workerPid, owner,
                    cancelRequested, batchId, batchIndex, retryBackoffMs, retryOnTimeout, notBefore, tenant,
                    interruptions);
        }
    }
}
