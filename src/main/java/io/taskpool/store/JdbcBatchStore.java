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
import io.taskpool.task.WrittenItems;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batches over JDBC, on H2 or PostgreSQL: the batch table, its submitted inputs in slices, and
 * the batch's view of its item rows in the task table. Items not yet written as tasks are shown
 * as what they are: queued, or cancelled with their batch.
 */
class JdbcBatchStore implements BatchStore {

    static final String INSERT_BATCH = """
            INSERT INTO batch (id, type, item_count, chunk_size, priority, timeout_ms, labels, created_at,
                               idempotency_key, tenant)
            VALUES (:id, :type, :size, :chunkSize, :priority, :timeoutMs, :labels, :createdAt, :idempotencyKey, :tenant)
            """;

    static final String CURRENT_ROUND = """
            SELECT dispatch_round FROM task ${queueOrder} WHERE state = 'QUEUED' AND tenant = :tenant AND priority = :priority
            ORDER BY state, tenant, priority DESC, dispatch_round FETCH FIRST 1 ROW ONLY
            """;

    static final String INSERT_INPUTS = """
            INSERT INTO batch_input (batch_id, first_index, item_count, inputs)
            VALUES (:id, :firstIndex, :count, :inputs)
            """;

    static final String INPUTS_FROM = """
            SELECT inputs FROM batch_input WHERE batch_id = :id AND first_index = :firstIndex
            """;

    static final String COMPLETE_BATCH = """
            UPDATE batch SET type = :type, item_count = :size, chunk_size = :chunkSize, priority = :priority,
                   timeout_ms = :timeoutMs, labels = :labels, base_round = :baseRound, request_hash = :requestHash
            WHERE id = :id
            """;

    static final String UNWRITTEN = """
            SELECT id FROM batch WHERE items_written < item_count AND request_hash IS NOT NULL AND cancel_requested = FALSE
            ORDER BY seq
            """;

    static final String PROGRESS = """
            SELECT item_count, items_written, cancel_requested, base_round FROM batch WHERE id = :id
            """;

    /** Takes the batch's row lock, which a cancel needs too: see {@link #writeNextItems}. */
    static final String ADVANCE_WRITTEN = """
            UPDATE batch SET items_written = :to WHERE id = :id AND items_written = :from
            """;

    static final String DELETE_INPUTS = "DELETE FROM batch_input WHERE batch_id = :id AND first_index = :firstIndex";

    static final String INSERT_ITEM = """
            INSERT INTO task (id, type, state, input, priority, timeout_ms, attempt, max_attempts, labels, created_at,
                              batch_id, batch_index, dispatch_round, tenant)
            VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
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

    static final String REQUEST_CANCEL = "UPDATE batch SET cancel_requested = TRUE WHERE id = :id";

    /** Wrapped by {@link SqlDialect#cancelQueuedItems()} to return the ids. */
    static final String CANCEL_QUEUED_ITEMS = """
            UPDATE task SET state = 'CANCELLED', error_code = 'CANCELLED',
                   error_message = :message, finished_at = :now
            WHERE batch_id = :id AND state = 'QUEUED'
            """;

    static final String ITEM_IDS = "SELECT id FROM task WHERE batch_id = :id AND state = :state";

    /** Read off {@code task_batch_state_round}: as many rows as the batch has queued, a few thousand at most. */
    static final String COUNT_QUEUED_ITEMS = "SELECT COUNT(*) FROM task WHERE batch_id = :id AND state = 'QUEUED'";

    /** The error of an item cancelled with its batch before it ran. */
    private static final TaskError CANCELLED_WHILE_QUEUED =
            new TaskError("CANCELLED", "cancelled with its batch while queued", null);

    private final JdbcClient jdbc;
    private final JdbcTemplate batchJdbc;
    private final SqlDialect dialect;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final TenantLanes lanes;

    JdbcBatchStore(JdbcClient jdbc, JdbcTemplate batchJdbc, SqlDialect dialect, TransactionTemplate transactions,
            JsonMapper json) {
        this(jdbc, batchJdbc, dialect, transactions, json, new TenantLanes(jdbc));
    }

    /** @param lanes the tenants' round-robin, shared with the task store */
    JdbcBatchStore(JdbcClient jdbc, JdbcTemplate batchJdbc, SqlDialect dialect, TransactionTemplate transactions,
            JsonMapper json, TenantLanes lanes) {
        this.jdbc = jdbc;
        this.batchJdbc = batchJdbc;
        this.dialect = dialect;
        this.transactions = transactions;
        this.json = json;
        this.lanes = lanes;
    }

    @Override
    public <T> T inTransaction(Supplier<T> work) {
        return transactions.execute(status -> work.get());
    }

    @Override
    public void insertBatch(Batch batch, String idempotencyKey) {
        lanes.ensure(batch.tenant());
        try {
            jdbc.sql(INSERT_BATCH)
                    .param("id", batch.id())
                    .param("type", batch.type())
                    .param("size", batch.size())
                    .param("chunkSize", batch.chunkSize())
                    .param("priority", batch.priority())
                    .param("timeoutMs", batch.timeoutMs())
                    .param("labels", json.writeValueAsString(batch.labels()))
                    .param("createdAt", Rows.timestamp(batch.createdAt()))
                    .param("idempotencyKey", idempotencyKey, Types.VARCHAR)
                    .param("tenant", batch.tenant())
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
    public long currentRound(String tenant, int priority) {
        return jdbc.sql(dialect.sql(CURRENT_ROUND)).param("tenant", tenant).param("priority", priority)
                .query(Long.class).optional().orElse(0L);
    }

    @Override
    public void insertInputs(UUID batchId, int firstIndex, List<String> inputs) {
        jdbc.sql(INSERT_INPUTS)
                .param("id", batchId)
                .param("firstIndex", firstIndex)
                .param("count", inputs.size())
                .param("inputs", String.join("\n", inputs))
                .update();
    }

    @Override
    public List<String> inputsFrom(UUID batchId, int firstIndex) {
        return jdbc.sql(INPUTS_FROM).param("id", batchId).param("firstIndex", firstIndex).query(String.class)
                .optional().map(JdbcBatchStore::lines).orElse(List.of());
    }

    private static List<String> lines(String inputs) {
        return List.of(inputs.split("\n", -1));
    }

    @Override
    public void completeBatch(Batch batch, long baseRound, String requestHash) {
        jdbc.sql(COMPLETE_BATCH)
                .param("id", batch.id())
                .param("type", batch.type())
                .param("size", batch.size())
                .param("chunkSize", batch.chunkSize())
                .param("priority", batch.priority())
                .param("timeoutMs", batch.timeoutMs())
                .param("labels", json.writeValueAsString(batch.labels()))
                .param("baseRound", baseRound)
                .param("requestHash", requestHash)
                .update();
    }

    @Override
    public List<UUID> withUnwrittenItems() {
        return jdbc.sql(UNWRITTEN).query(UUID.class).list();
    }

    /**
     * One transaction: moves the batch's written mark past its next slice (which locks the
     * batch's row), then writes the slice's items as QUEUED tasks. Nothing is written while the
     * batch has {@code queuedBelow} or more items queued already, nor once it is cancelled: a
     * cancel marks the batch under the same row lock, so it either comes first and is seen here,
     * or waits for these items and then cancels them as queued items. A second writer (another
     * replica) finds the mark moved and writes nothing.
     */
    @Override
    public Optional<WrittenItems> writeNextItems(UUID batchId, int maxAttempts, Instant now, int queuedBelow) {
        // Relaxed: the slice is derived from the stored inputs, and its rows commit with the moved
        // mark, so a slice lost in a crash is simply written again after the restart.
        return Durability.relaxed(() -> writeNextItemsNow(batchId, maxAttempts, now, queuedBelow));
    }

    private Optional<WrittenItems> writeNextItemsNow(UUID batchId, int maxAttempts, Instant now, int queuedBelow) {
        return transactions.execute(status -> {
            Optional<Progress> before = progress(batchId);
            if (before.isEmpty() || before.get().written() >= before.get().size() || before.get().cancelRequested()
                    || queuedItems(batchId) >= queuedBelow) {
                return Optional.empty();
            }
            int from = before.get().written();
            List<String> inputs = inputsFrom(batchId, from);
            if (inputs.isEmpty()) {
                return Optional.empty();
            }
            int advanced = jdbc.sql(ADVANCE_WRITTEN).param("id", batchId).param("from", from)
                    .param("to", from + inputs.size()).update();
            if (advanced == 0) {
                return Optional.empty();
            }
            Batch batch = find(batchId).orElseThrow(); // after the lock: sees a cancel that came first
            if (batch.cancelRequested()) {
                status.setRollbackOnly();
                return Optional.empty();
            }
            insertItems(batch, maxAttempts, from, inputs, before.get().baseRound());
            jdbc.sql(DELETE_INPUTS).param("id", batchId).param("firstIndex", from).update();
            return Optional.of(new WrittenItems(batchId, batch.type(), from, inputs.size()));
        });
    }

    private long queuedItems(UUID batchId) {
        return jdbc.sql(COUNT_QUEUED_ITEMS).param("id", batchId).query(Long.class).single();
    }

    private void insertItems(Batch batch, int maxAttempts, int firstIndex, List<String> inputs, long baseRound) {
        String labels = json.writeValueAsString(batch.labels());
        OffsetDateTime createdAt = Rows.timestamp(batch.createdAt());
        batchJdbc.batchUpdate(INSERT_ITEM, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement statement, int i) throws SQLException {
                int index = firstIndex + i;
                statement.setObject(1, TaskIds.next());
                statement.setString(2, batch.type());
                statement.setString(3, TaskState.QUEUED.name());
                statement.setString(4, inputs.get(i));
                statement.setInt(5, batch.priority());
                statement.setLong(6, batch.timeoutMs());
                statement.setInt(7, maxAttempts);
                statement.setString(8, labels);
                statement.setObject(9, createdAt);
                statement.setObject(10, batch.id());
                statement.setInt(11, index);
                statement.setLong(12, baseRound + index / batch.chunkSize());
                statement.setString(13, batch.tenant());
            }

            @Override
            public int getBatchSize() {
                return inputs.size();
            }
        });
    }

    /** How far a batch's items have been written as tasks. */
    private record Progress(int size, int written, boolean cancelRequested, long baseRound) {

        /** What an item not yet written as a task is: queued, or cancelled with its batch. */
        BatchItem unwritten(int index) {
            return cancelRequested ? new BatchItem(index, TaskState.CANCELLED, null, CANCELLED_WHILE_QUEUED)
                    : new BatchItem(index, TaskState.QUEUED, null, null);
        }
    }

    private Optional<Progress> progress(UUID id) {
        return jdbc.sql(PROGRESS).param("id", id).query((rs, row) -> new Progress(rs.getInt("item_count"),
                rs.getInt("items_written"), rs.getBoolean("cancel_requested"), rs.getLong("base_round"))).optional();
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
        // The written mark before the rows: an item written in between is counted twice for a
        // moment (the batch looks busier), never missed (which could make it look finished).
        Optional<Progress> progress = progress(id);
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        Instant[] last = {null};
        jdbc.sql(COUNTS).param("id", id).query(rs -> {
            counts.put(TaskState.valueOf(rs.getString("state")), rs.getLong("items"));
            Instant finished = Rows.instant(rs, "last_finished");
            if (finished != null && (last[0] == null || finished.isAfter(last[0]))) {
                last[0] = finished;
            }
        });
        progress.ifPresent(p -> counts.merge(p.cancelRequested() ? TaskState.CANCELLED
                : TaskState.QUEUED, (long) p.size() - p.written(), Long::sum));
        return new BatchCounts(counts.getOrDefault(TaskState.QUEUED, 0L), counts.getOrDefault(TaskState.RUNNING, 0L),
                counts.getOrDefault(TaskState.SUCCEEDED, 0L), counts.getOrDefault(TaskState.FAILED, 0L),
                counts.getOrDefault(TaskState.CANCELLED, 0L), counts.getOrDefault(TaskState.TIMED_OUT, 0L), last[0]);
    }

    @Override
    public long unfinished(UUID id) {
        Optional<Progress> progress = progress(id); // before the rows, as in counts()
        long unwritten = progress.filter(p -> !p.cancelRequested()).map(p -> (long) p.size() - p.written()).orElse(0L);
        return unwritten + jdbc.sql(COUNT_UNFINISHED).param("id", id).query(Long.class).single();
    }

    @Override
    public List<BatchItem> items(UUID id, int offset, int limit) {
        int to = (int) Math.min(Integer.MAX_VALUE, (long) offset + limit);
        Optional<Progress> progress = progress(id);
        List<BatchItem> rows = jdbc.sql(ITEMS).param("id", id).param("from", offset).param("to", to)
                .query(JdbcBatchStore::item).list();
        if (progress.isEmpty() || progress.get().written() >= Math.min(to, progress.get().size())) {
            return rows;
        }
        List<Integer> unwritten = new ArrayList<>();
        for (int index = Math.max(offset, progress.get().written()); index < Math.min(to, progress.get().size()); index++) {
            unwritten.add(index);
        }
        return withUnwritten(rows, unwritten, progress.get());
    }

    /**
     * Rows, plus the items at {@code indexes} that have none yet, in input order. The written
     * mark was read before the rows, so a row may already exist for such an index: it wins.
     */
    private static List<BatchItem> withUnwritten(List<BatchItem> rows, List<Integer> indexes, Progress progress) {
        Map<Integer, BatchItem> byIndex = new TreeMap<>();
        indexes.forEach(index -> byIndex.put(index, progress.unwritten(index)));
        rows.forEach(item -> byIndex.put(item.index(), item));
        return new ArrayList<>(byIndex.values());
    }

    @Override
    public List<BatchItem> itemsAt(UUID id, Collection<Integer> indexes) {
        if (indexes.isEmpty()) {
            return List.of();
        }
        Optional<Progress> progress = progress(id);
        List<BatchItem> rows = jdbc.sql(ITEMS_AT).param("id", id).param("indexes", indexes)
                .query(JdbcBatchStore::item).list();
        if (progress.isEmpty()) {
            return rows;
        }
        List<Integer> unwritten = indexes.stream()
                .filter(index -> index >= progress.get().written() && index < progress.get().size()).toList();
        return unwritten.isEmpty() ? rows : withUnwritten(rows, unwritten, progress.get());
    }

    @Override
    public List<BatchItem> finishedItems(UUID id, int fromIndex, int limit) {
        Optional<Progress> progress = progress(id);
        List<BatchItem> rows = jdbc.sql(FINISHED_ITEMS).param("id", id).param("from", fromIndex).param("limit", limit)
                .query(JdbcBatchStore::item).list();
        if (progress.isEmpty() || !progress.get().cancelRequested() || rows.size() >= limit) {
            return rows;
        }
        // Items of a cancelled batch not yet written as tasks are finished too: CANCELLED.
        List<Integer> unwritten = new ArrayList<>();
        int start = Math.max(fromIndex, progress.get().written());
        for (int index = start; index < progress.get().size() && unwritten.size() < limit - rows.size(); index++) {
            unwritten.add(index);
        }
        return withUnwritten(rows, unwritten, progress.get());
    }

    @Override
    public int unwrittenItems(UUID id) {
        return progress(id).map(p -> p.size() - p.written()).orElse(0);
    }

    @Override
    public boolean requestCancel(UUID id) {
        return jdbc.sql(REQUEST_CANCEL).param("id", id).update() == 1;
    }

    @Override
    public List<UUID> cancelQueuedItems(UUID id, Instant now) {
        return jdbc.sql(dialect.cancelQueuedItems()).param("id", id).param("now", Rows.timestamp(now))
                .param("message", CANCELLED_WHILE_QUEUED.message()).query(UUID.class).list();
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
                json.readValue(rs.getString("labels"), Rows.LABELS),
                Rows.instant(rs, "created_at"),
                rs.getBoolean("cancel_requested"),
                rs.getString("tenant"));
    }

    private static BatchItem item(ResultSet rs, int row) throws SQLException {
        String errorCode = rs.getString("error_code");
        return new BatchItem(rs.getInt("batch_index"), TaskState.valueOf(rs.getString("state")), rs.getString("result"),
                errorCode == null ? null
                        : new TaskError(errorCode, rs.getString("error_message"), rs.getString("error_detail")));
    }
}
