package io.taskpool.task;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Deletes from the durable store what finished before a cutoff, one short transaction per call.
 * A single task goes on its own age; a batch's items go only with their batch, once the whole
 * batch is finished, so that the results of a batch never develop holes. Deleting a task or batch
 * row frees its idempotency key, which lives on the row.
 *
 * <p>Replicas that share a store sweep one at a time: each deleting call first takes the sweep's
 * lock for its own transaction, and answers empty, having deleted nothing, while another replica
 * holds it.
 */
public interface RetentionStore {

    /**
     * Deletes up to {@code limit} single tasks (of no batch) that are terminal and finished before
     * {@code cutoff}; answers how many, or empty while another replica sweeps.
     */
    OptionalInt deleteTasks(Instant cutoff, int limit);

    /**
     * Up to {@code limit} finished batches whose items all finished before {@code cutoff}, oldest
     * first. Finished: every input has been written as an item task and no item is QUEUED or
     * RUNNING. A batch whose items are all gone already (deleted by clients) qualifies once it was
     * created before {@code cutoff}.
     */
    List<UUID> finishedBatches(Instant cutoff, int limit);

    /**
     * Deletes up to {@code limit} items of the batch that finished before {@code cutoff}; answers
     * how many, or empty while another replica sweeps. Only for a batch that
     * {@link #finishedBatches} listed.
     */
    OptionalInt deleteItems(UUID batchId, Instant cutoff, int limit);

    /**
     * Deletes the batch's row, and with it its idempotency key, if none of its items is left;
     * answers how many rows (0 or 1), or empty while another replica sweeps.
     */
    OptionalInt deleteBatch(UUID batchId);
}
