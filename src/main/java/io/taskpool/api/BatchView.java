package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import io.taskpool.task.Batch;
import io.taskpool.task.BatchCounts;
import io.taskpool.task.BatchStatus;
import java.time.Instant;
import java.util.Map;

/** A batch as the API shows it. */
@Schema(name = "Batch", description = "A batch: one task type over many inputs, each input an item task")
record BatchView(
        @Schema(description = "Batch id", example = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d") String id,
        @Schema(description = "Task type of every item", example = "primes.count") String type,
        @Schema(description = "Number of items (inputs)", example = "1000") int size,
        @Schema(description = "RUNNING until every item is terminal; then SUCCEEDED if all succeeded, FAILED if"
                + " any failed or timed out, CANCELLED if the batch was cancelled", example = "RUNNING",
                allowableValues = {"RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"}) String state,
        @Schema(description = "Items by state") CountsView counts,
        @Schema(description = "Consecutive items one worker takes in one dispatch", example = "64") int chunkSize,
        @Schema(description = "Priority of every item", example = "0") int priority,
        @Schema(description = "Time limit of each item, in milliseconds", example = "60000") long timeoutMs,
        @Schema(description = "Free-form labels, copied to every item", example = "{\"team\": \"search\"}")
        Map<String, String> labels,
        @Schema(description = "When the batch was accepted (UTC)") Instant createdAt,
        @Schema(nullable = true, description = "When the last item finished, once the batch is terminal (UTC)")
        Instant finishedAt,
        @Schema(description = "The tenant that submitted the batch ('default' while no API keys are configured)",
                example = "acme") String tenant) {

    /** Items by state. */
    @Schema(name = "BatchCounts", description = "How many items are in each state")
    record CountsView(
            @Schema(example = "900") long queued,
            @Schema(example = "4") long running,
            @Schema(example = "95") long succeeded,
            @Schema(example = "1") long failed,
            @Schema(example = "0") long cancelled,
            @Schema(example = "0") long timedOut) {}

    static BatchView of(BatchStatus status) {
        Batch batch = status.batch();
        BatchCounts counts = status.counts();
        return new BatchView(batch.id().toString(), batch.type(), batch.size(), status.state().name(),
                new CountsView(counts.queued(), counts.running(), counts.succeeded(), counts.failed(),
                        counts.cancelled(), counts.timedOut()),
                batch.chunkSize(), batch.priority(), batch.timeoutMs(), batch.labels(), batch.createdAt(),
                status.finishedAt(), batch.tenant());
    }
}
