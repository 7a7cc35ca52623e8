package io.taskpool.store;

import io.taskpool.task.Batch;
import io.taskpool.task.BatchCounts;
import io.taskpool.task.BatchItem;
import io.taskpool.task.BatchStore;
import io.taskpool.task.IdempotencyKeyTakenException;
import io.taskpool.task.IdempotentResource;
import io.taskpool.task.TaskError;
import io.taskpool.task.TaskIds;
import io.taskpool.task.TaskState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batches over JDBC, on H2 or PostgreSQL: the batch table, and the batch's view of its item
 * rows in the task table. Items are inserted with JDBC batching, a slice per round trip.
 */
class JdbcBatchStore implements BatchStore {

    static final String INSERT_BATCH = """
            INSERT INTO batch (id, type, item_count, chunk_size, priority, timeout_ms, labels, created_at,
                               idempotency_key)
            VALUES (:id, :type, :size, :chunkSize, :priority, :timeoutMs, :labels, :createdAt, :idempotencyKey)
            """;

    static final String CURRENT_ROUND = """
            SELECT dispatch_round FROM task ${queueOrder} WHERE state = 'QUEUED' AND priority = :priority
            ORDER BY state, priority DESC, dispatch_round FETCH FIRST 1 ROW ONLY
            """;

    static final String INSERT_ITEM = """
            INSERT INTO task (id, type, state, input, priority, timeout_ms, attempt, max_attempts, labels, created_at,
                              batch_id, batch_index, dispatch_round)
            VALUES (?, ?, 'QUEUED', ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
            """;

    static final String REWRITE_ITEMS = """
            UPDATE task SET type = :type, priority = :priority, timeout_ms = :timeoutMs, labels = :labels,
                   dispatch_round = :baseRound + batch_index / :chunkSize
            WHERE batch_id = :id
            """;

    static final String COMPLETE_BATCH = """
            UPDATE batch SET type = :type, item_count = :size, chunk_size = :chunkSize, priority = :priority,
                   timeout_ms = :timeoutMs, labels = :labels, request_hash = :requestHash
            WHERE id = :id
            """;

    static final String FIND = "SELECT * FROM batch WHERE id = :id";

    /** Only complete batches have a request hash; a batch still being written is not found. */
    static final String FIND_BY_IDEMPOTENCY_KEY = """
            SELECT * FROM batch WHERE idempotency_key = :key AND request_hash IS NOT NULL
            """;

    static final String COUNTS = """
            SELECT state, COUNT(*) AS items, MAX(finished_at) AS last_finished FROM task WHERE batch_id = :id
            GROUP BY state
            """;

    /** Two index ranges: an IN list would make H2 scan the whole batch. */
    static final String COUNT_UNFINISHED = """
            SELECT (SELECT COUNT(*) FROM task WHERE batch_id = :id AND state = 'QUEUED')
                 + (SELECT COUNT(*) FROM task WHERE batch_id = :id AND state = 'RUNNING')
            """;

    private static final String ITEM_COLUMNS = "batch_index, state, result, error_code, error_message, error_detail";

    static final String ITEMS = "SELECT " + ITEM_COLUMNS + """
             FROM task WHERE batch_id = :id AND batch_index >= :from AND batch_index < :to
            ORDER BY batch_index
            """;

    static final String ITEMS_AT = "SELECT " + ITEM_COLUMNS + """
             FROM task WHERE batch_id = :id AND batch_index IN (:indexes)
            ORDER BY batch_index
            """;

    static final String FINISHED_ITEMS = "SELECT " + ITEM_COLUMNS + """
             FROM task WHERE batch_id = :id AND batch_index >= :from
              AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
            ORDER BY batch_index FETCH FIRST :limit ROWS ONLY
            """;

    static final String ITEM_INPUTS = """
            SELECT input FROM task WHERE batch_id = :id AND batch_index >= :from AND batch_index < :to
            ORDER BY batch_index
            """;

    static final String REQUEST_CANCEL = "UPDATE batch SET cancel_requested = TRUE WHERE id = :id";

    /** Wrapped by {@link SqlDialect#cancelQueuedItems()} to return the ids. */
    static final String CANCEL_QUEUED_ITEMS = """
            UPDATE task SET state = 'CANCELLED', error_code = 'CANCELLED',
                   error_message = 'cancelled with its batch while queued', finished_at = :now
            WHERE batch_id = :id AND state = 'QUEUED'
            """;

    static final String ITEM_IDS = "SELECT id FROM task WHERE batch_id = :id AND state = :state";

    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JdbcTemplate batchJdbc;
    private final SqlDialect dialect;
    private final TransactionTemplate transactions;
    private final JsonMapper json;

    JdbcBatchStore(JdbcClient jdbc, JdbcTemplate batchJdbc, SqlDialect dialect, TransactionTemplate transactions,
            JsonMapper json) {
        this.jdbc = jdbc;
        this.batchJdbc = batchJdbc;
        this.dialect = dialect;
        this.transactions = transactions;
        this.json = json;
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return transactions.execute(status -> work.get());
    }

    @Override
    public void insertBatch(Batch batch, String idempotencyKey) {
        try {
            jdbc.sql(INSERT_BATCH)
                    .param("id", batch.id())
                    .param("type", batch.type())
                    .param("size", batch.size())
                    .param("chunkSize", batch.chunkSize())
                    .param("priority", batch.priority())
                    .param("timeoutMs", batch.timeoutMs())
                    .param("labels", json.writeValueAsString(batch.labels()))
                    .param("createdAt", timestamp(batch.createdAt()))
                    .param("idempotencyKey", idempotencyKey, Types.VARCHAR)
                    .update();
        } catch (DuplicateKeyException | PessimisticLockingFailureException | QueryTimeoutException taken) {
            // A lock failure or time-out: H2 gives up waiting for a concurrent batch with the same key.
            if (idempotencyKey == null) {
                throw taken;
            }
            throw new IdempotencyKeyTakenException(idempotencyKey, taken);
        }
    }

    @Override
    public long currentRound(int priority) {
        return jdbc.sql(dialect.sql(CURRENT_ROUND)).param("priority", priority).query(Long.class).optional().orElse(0L);
    }

    @Override
    public void insertItems(Batch batch, int maxAttempts, int firstIndex, List<String> inputs, long baseRound) {
        String labels = json.writeValueAsString(batch.labels());
        OffsetDateTime createdAt = timestamp(batch.createdAt());
        batchJdbc.batchUpdate(INSERT_ITEM, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement statement, int i) throws SQLException {
                int index = firstIndex + i;
                statement.setObject(1, TaskIds.next());
                statement.setString(2, batch.type());
                statement.setString(3, inputs.get(i));
                statement.setInt(4, batch.priority());
                statement.setLong(5, batch.timeoutMs());
                statement.setInt(6, maxAttempts);
                statement.setString(7, labels);
                statement.setObject(8, createdAt);
                statement.setObject(9, batch.id());
                statement.setInt(10, index);
                statement.setLong(11, baseRound + index / batch.chunkSize());
            }

            @Override
            public int getBatchSize() {
                return inputs.size();
            }
        });
    }

    @Override
    public void rewriteItems(Batch batch, long baseRound) {
        jdbc.sql(REWRITE_ITEMS)
                .param("id", batch.id())
                .param("type", batch.type())
                .param("priority", batch.priority())
                .param("timeoutMs", batch.timeoutMs())
                .param("labels", json.writeValueAsString(batch.labels()))
                .param("baseRound", baseRound)
                .param("chunkSize", batch.chunkSize())
                .update();
    }

    @Override
    public void completeBatch(Batch batch, String requestHash) {
        jdbc.sql(COMPLETE_BATCH)
                .param("id", batch.id())
                .param("type", batch.type())
                .param("size", batch.size())
                .param("chunkSize", batch.chunkSize())
                .param("priority", batch.priority())
                .param("timeoutMs", batch.timeoutMs())
                .param("labels", json.writeValueAsString(batch.labels()))
                .param("requestHash", requestHash)
                .update();
    }

    @Override
    public Optional<Batch> find(UUID id) {
        return jdbc.sql(FIND).param("id", id).query(this::batch).optional();
    }

    @Override
    public Optional<IdempotentResource<Batch>> findByIdempotencyKey(String key) {
        return jdbc.sql(FIND_BY_IDEMPOTENCY_KEY).param("key", key)
                .query((rs, row) -> new IdempotentResource<>(batch(rs, row), rs.getString("request_hash")))
                .optional();
    }

    @Override
    public BatchCounts counts(UUID id) {
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        Instant[] last = {null};
        jdbc.sql(COUNTS).param("id", id).query(rs -> {
            counts.put(TaskState.valueOf(rs.getString("state")), rs.getLong("items"));
            Instant finished = instant(rs, "last_finished");
            if (finished != null && (last[0] == null || finished.isAfter(last[0]))) {
                last[0] = finished;
            }
        });
        return new BatchCounts(counts.getOrDefault(TaskState.QUEUED, 0L), counts.getOrDefault(TaskState.RUNNING, 0L),
                counts.getOrDefault(TaskState.SUCCEEDED, 0L), counts.getOrDefault(TaskState.FAILED, 0L),
                counts.getOrDefault(TaskState.CANCELLED, 0L), counts.getOrDefault(TaskState.TIMED_OUT, 0L), last[0]);
    }

    @Override
    public long unfinished(UUID id) {
        return jdbc.sql(COUNT_UNFINISHED).param("id", id).query(Long.class).single();
    }

    @Override
    public List<BatchItem> items(UUID id, int offset, int limit) {
        return jdbc.sql(ITEMS).param("id", id).param("from", offset).param("to", (int) Math.min(Integer.MAX_VALUE,
                (long) offset + limit)).query(JdbcBatchStore::item).list();
    }

    @Override
    public List<String> itemInputs(UUID id, int offset, int limit) {
        return jdbc.sql(ITEM_INPUTS).param("id", id).param("from", offset).param("to", (int) Math.min(
                Integer.MAX_VALUE, (long) offset + limit)).query(String.class).list();
    }

    @Override
    public List<BatchItem> itemsAt(UUID id, Collection<Integer> indexes) {
        if (indexes.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(ITEMS_AT).param("id", id).param("indexes", indexes).query(JdbcBatchStore::item).list();
    }

    @Override
    public List<BatchItem> finishedItems(UUID id, int fromIndex, int limit) {
        return jdbc.sql(FINISHED_ITEMS).param("id", id).param("from", fromIndex).param("limit", limit)
                .query(JdbcBatchStore::item).list();
    }

    @Override
    public boolean requestCancel(UUID id) {
        return jdbc.sql(REQUEST_CANCEL).param("id", id).update() == 1;
    }

    @Override
    public List<UUID> cancelQueuedItems(UUID id, Instant now) {
        return jdbc.sql(dialect.cancelQueuedItems()).param("id", id).param("now", timestamp(now))
                .query(UUID.class).list();
    }

    @Override
    public List<UUID> itemIds(UUID id, TaskState state) {
        return jdbc.sql(ITEM_IDS).param("id", id).param("state", state.name()).query(UUID.class).list();
    }

    private Batch batch(ResultSet rs, int row) throws SQLException {
        return new Batch(
                rs.getObject("id", UUID.class),
                rs.getString("type"),
                rs.getInt("item_count"),
                rs.getInt("chunk_size"),
                rs.getInt("priority"),
                rs.getLong("timeout_ms"),
                json.readValue(rs.getString("labels"), LABELS),
                instant(rs, "created_at"),
                rs.getBoolean("cancel_requested"));
    }

    private static BatchItem item(ResultSet rs, int row) throws SQLException {
        String errorCode = rs.getString("error_code");
        return new BatchItem(rs.getInt("batch_index"), TaskState.valueOf(rs.getString("state")), rs.getString("result"),
                errorCode == null ? null
                        : new TaskError(errorCode, rs.getString("error_message"), rs.getString("error_detail")));
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
