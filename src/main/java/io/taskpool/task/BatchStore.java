package io.taskpool.task;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Batches and their items in the durable store. A batch is submitted in one transaction: its row
 * first (which takes its idempotency key), then its inputs in slices, then its final fields.
 * Its items become tasks afterwards, slice by slice and only a little ahead of the claim
 * ({@link #writeNextItems}); until then the batch's counts and items show them as queued, or
 * as cancelled once their batch is: such items are never written as tasks.
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
     * The round the claim is serving at this tenant's priority (the lowest round of its queued
     * tasks of that priority), or 0 when it has nothing of this priority queued: a new batch's
     * first chunk joins it.
     */
    long currentRound(String tenant, int priority);

    /** Stores the inputs of items {@code firstIndex, firstIndex + 1, ...} as one slice. */
    void insertInputs(UUID batchId, int firstIndex, List<String> inputs);

    /**
     * The inputs of the stored slice that starts at {@code firstIndex}, or none: read back in
     * the transaction that writes them, for inputs whose type was named after them.
     */
    List<String> inputsFrom(UUID batchId, int firstIndex);

    /**
     * Writes the batch's final fields, the round of its first chunk (item {@code i} goes to
     * round {@code baseRound + i / chunkSize}) and the digest of its request.
     */
    void completeBatch(Batch batch, long baseRound, String requestHash);

    /** Complete batches, not cancelled, with inputs not yet written as tasks, oldest first. */
    List<UUID> withUnwrittenItems();

    /**
     * Writes the batch's next slice of stored inputs as QUEUED item tasks, in one transaction;
     * none when every item is written, another writer took the slice, the batch was cancelled,
     * or it has {@code queuedBelow} or more items queued already.
     */
    Optional<WrittenItems> writeNextItems(UUID batchId, int maxAttempts, Instant now, int queuedBelow);

    /** Items not yet written as tasks: after a cancel, the ones it cancelled without a row. */
    int unwrittenItems(UUID id);

    Optional<Batch> find(UUID id);

    Optional<IdempotentResource<Batch>> findByIdempotencyKey(String key);

    BatchCounts counts(UUID id);

    /** Items still QUEUED or RUNNING. */
    long unfinished(UUID id);

    /** Items with {@code offset <= index < offset + limit}, in input order. */
    List<BatchItem> items(UUID id, int offset, int limit);

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
