package io.taskpool.store;

import io.taskpool.task.RetentionStore;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention over JDBC, on H2 or PostgreSQL. Each delete is one transaction that takes the sweep's
 * lock first ({@link SqlDialect#sweepLock()}) and removes at most a slice of rows, picked through
 * the index {@code task_batch_finished (batch_id, finished_at)}. A task's {@code finished_at} is set
 * exactly when it becomes terminal, so "finished before the cutoff" also means "terminal".
 */
class JdbcRetentionStore implements RetentionStore {

    /**
     * The sweep's PostgreSQL advisory lock: "taskpool" in ASCII, read as a 64-bit number. Advisory
     * lock keys are shared by everything on the database, so a key that spells its owner is
     * unlikely to be anyone else's.
     */
    static final long SWEEP_LOCK = 0x7461736b706f6f6cL;

    /** Items of batches are not single tasks: they go with their batch. */
    static final String DELETE_EXPIRED_TASKS = """
            DELETE FROM task WHERE id IN (
                SELECT id FROM task WHERE batch_id IS NULL AND finished_at < :cutoff FETCH FIRST :limit ROWS ONLY)
            """;

    /**
     * Created before the cutoff (a batch created since cannot have items that finished before it),
     * every input written as a task or cancelled unwritten, no item queued or running, and none finished since the
     * cutoff: one index probe each, three NOT EXISTS rather than one with an OR, which H2 would
     * answer with a scan of the batch's items.
     */
    static final String FINISHED_BATCHES = """
            SELECT b.id FROM batch b
            WHERE b.created_at < :cutoff AND (b.items_written = b.item_count OR b.cancel_requested = TRUE)
              AND NOT EXISTS (SELECT 1 FROM task t WHERE t.batch_id = b.id AND t.state = 'QUEUED')
              AND NOT EXISTS (SELECT 1 FROM task t WHERE t.batch_id = b.id AND t.state = 'RUNNING')
              AND NOT EXISTS (SELECT 1 FROM task t WHERE t.batch_id = b.id AND t.finished_at >= :cutoff)
            ORDER BY b.seq FETCH FIRST :limit ROWS ONLY
            """;

    static final String DELETE_EXPIRED_ITEMS = """
            DELETE FROM task WHERE id IN (
                SELECT id FROM task WHERE batch_id = :batchId AND finished_at < :cutoff FETCH FIRST :limit ROWS ONLY)
            """;

    /** The row goes last, and only once no item refers to it. */
    static final String DELETE_BATCH_IF_EMPTY = """
            DELETE FROM batch WHERE id = :batchId AND NOT EXISTS (SELECT 1 FROM task WHERE batch_id = :batchId)
            """;

    /**
     * The inputs of items its cancel reached before they were written as tasks (each other slice
     * is deleted as its items are written).
     */
    static final String DELETE_BATCH_INPUTS = "DELETE FROM batch_input WHERE batch_id = :batchId";

    private final JdbcClient jdbc;
    private final SqlDialect dialect;
    private final TransactionTemplate transactions;

    JdbcRetentionStore(JdbcClient jdbc, SqlDialect dialect, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.transactions = transactions;
    }

    @Override
    public OptionalInt deleteTasks(Instant cutoff, int limit) {
        return underSweepLock(() -> jdbc.sql(DELETE_EXPIRED_TASKS)
                .param("cutoff", Rows.timestamp(cutoff))
                .param("limit", limit)
                .update());
    }

    @Override
    public List<UUID> finishedBatches(Instant cutoff, int limit) {
        return jdbc.sql(FINISHED_BATCHES).param("cutoff", Rows.timestamp(cutoff)).param("limit", limit)
                .query(UUID.class).list();
    }

    @Override
    public OptionalInt deleteItems(UUID batchId, Instant cutoff, int limit) {
        return underSweepLock(() -> jdbc.sql(DELETE_EXPIRED_ITEMS)
                .param("batchId", batchId)
                .param("cutoff", Rows.timestamp(cutoff))
                .param("limit", limit)
                .update());
    }

    @Override
    public OptionalInt deleteBatch(UUID batchId) {
        return underSweepLock(() -> {
            int deleted = jdbc.sql(DELETE_BATCH_IF_EMPTY).param("batchId", batchId).update();
            if (deleted == 1) {
                jdbc.sql(DELETE_BATCH_INPUTS).param("batchId", batchId).update();
            }
            return deleted;
        });
    }

    /**
     * Runs {@code delete} in a transaction that holds the sweep's lock until it ends, or answers
     * empty without running it while another replica's transaction holds the lock.
     */
    private OptionalInt underSweepLock(IntSupplier delete) {
        return transactions.execute(status -> {
            boolean locked = jdbc.sql(dialect.sweepLock()).query(Boolean.class).single();
            return locked ? OptionalInt.of(delete.getAsInt()) : OptionalInt.empty();
        });
    }

}
