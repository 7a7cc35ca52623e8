package io.taskpool.task;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Batches and their items in the durable store. A batch is written in one transaction: its row
 * first (which takes its idempotency key), then its items in slices, then its final fields.
 */
public interface BatchStore {

    /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
    <T> T inTransaction(Supplier<T> work);

    /**
     * Inserts the batch's row with the fields known so far.
     *
     * @throws IdempotencyKeyTakenException when another batch holds {@code idempotencyKey}
     */
    void insertBatch(Batch batch, String idempotencyKey);

    /**
     * The round the claim is serving at this priority (the lowest round of a queued task), or 0
     * when nothing of this priority is queued: a new batch's first chunk joins it.
     */
    long currentRound(int priority);

    /**
     * Inserts QUEUED items {@code firstIndex, firstIndex + 1, ...} of the batch with these inputs;
     * item {@code i} goes to round {@code baseRound + i / chunkSize}.
     */
    void insertItems(Batch batch, int maxAttempts, int firstIndex, List<String> inputs, long baseRound);

    /**
     * Sets every item of the batch to the batch's type, priority, timeout and labels, and its
     * rounds to the batch's chunk size: for requests whose fields came after their inputs.
     */
    void rewriteItems(Batch batch, long baseRound);

    /** Writes the batch's final fields and the digest of its request. */
    void completeBatch(Batch batch, String requestHash);

    Optional<Batch> find(UUID id);

    Optional<IdempotentResource<Batch>> findByIdempotencyKey(String key);

    BatchCounts counts(UUID id);

    /** Items still QUEUED or RUNNING. */
    long unfinished(UUID id);

    /** Items with {@code offset <= index < offset + limit}, in input order. */
    List<BatchItem> items(UUID id, int offset, int limit);

    /**
     * The inputs of the items with {@code offset <= index < offset + limit}, in input order; in
     * the transaction that writes them, for inputs whose type was named after them.
     */
    List<String> itemInputs(UUID id, int offset, int limit);

    /** The items at these indexes, in input order. */
    List<BatchItem> itemsAt(UUID id, Collection<Integer> indexes);

    /** Terminal items from {@code fromIndex} on, in input order, at most {@code limit}. */
    List<BatchItem> finishedItems(UUID id, int fromIndex, int limit);

    /** Records that the batch was cancelled; false if it is unknown. */
    boolean requestCancel(UUID id);

    /** Moves every QUEUED item to CANCELLED and returns their ids. */
    List<UUID> cancelQueuedItems(UUID id, Instant now);

    /** Ids of the batch's items in this state. */
    List<UUID> itemIds(UUID id, TaskState state);
}
