package io.taskpool.store;

import io.taskpool.task.IdempotencyKeyTakenException;
import io.taskpool.task.Idempotency;
import io.taskpool.task.IdempotentResource;
import io.taskpool.task.NodeIdentity;
import io.taskpool.task.Task;
import io.taskpool.task.TaskError;
import io.taskpool.task.TaskFailure;
import io.taskpool.task.TaskOutcome;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskQuery;
import io.taskpool.task.TaskAttempt;
import io.taskpool.task.TaskState;
import io.taskpool.task.TaskStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The task table over JDBC, on H2 or PostgreSQL: its SQL, one constant per operation (the other
 * stores of this package, {@link TenantLanes} and {@link SqlDialect} hold the rest); every
 * transition is a conditional UPDATE whose row count says whether it happened.
 */
class JdbcTaskStore implements TaskStore {

    /**
     * A single task joins the round the claim serves at its tenant and priority, or the round after
     * the last queued single task of that tenant and priority: single tasks together take one place
     * per round, as each batch does with one chunk.
     */
    static final String INSERT = """
            INSERT INTO task (id, type, state, input, priority, timeout_ms, attempt, max_attempts, labels, created_at,
                              idempotency_key, request_hash, retry_backoff_ms, retry_on_timeout, tenant, dispatch_round)
            VALUES (:id, :type, 'QUEUED', :input, :priority, :timeoutMs, :attempt, :maxAttempts, :labels, :createdAt,
                    :idempotencyKey, :requestHash, :retryBackoffMs, :retryOnTimeout, :tenant,
                    GREATEST(COALESCE((SELECT dispatch_round FROM task ${queueOrder}
                                       WHERE state = 'QUEUED' AND tenant = :tenant AND priority = :priority
                                       ORDER BY state, tenant, priority DESC, dispatch_round FETCH FIRST 1 ROW ONLY), 0),
                             COALESCE((SELECT dispatch_round + 1 FROM task
                                       WHERE state = 'QUEUED' AND tenant = :tenant AND priority = :priority
                                             AND batch_id IS NULL
                                       ORDER BY state DESC, tenant DESC, priority DESC, batch_id DESC, dispatch_round DESC
                                       FETCH FIRST 1 ROW ONLY), 0)))
            """;

    /** Every column but {@code log}, which can be large and only {@link #FIND_LOG} reads. */
    static final String COLUMNS = """
            id, seq, type, state, input, result, error_code, error_message, error_detail, progress_fraction,
            progress_message, priority, timeout_ms, attempt, max_attempts, labels, created_at, started_at,
            finished_at, worker_pid, owner, cancel_requested, batch_id, batch_index, dispatch_round, request_hash,
            retry_backoff_ms, retry_on_timeout, not_before, tenant, interruptions\
            """;

    static final String FIND = "SELECT " + COLUMNS + " FROM task WHERE id = :id";

    static final String FIND_BY_IDEMPOTENCY_KEY = "SELECT " + COLUMNS + " FROM task WHERE idempotency_key = :key";

    static final String FIND_LOG = "SELECT COALESCE(log, '') FROM task WHERE id = :id";

    /** RIGHT keeps the last characters on both H2 and PostgreSQL. */
    static final String APPEND_LOG = """
            UPDATE task SET log = RIGHT(COALESCE(log, '') || :text, :max)
            WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt
            """;

    /** A tenant's queued tasks, and the items of its batches not yet written as tasks. */
    static final String COUNT_QUEUED_OF = """
            SELECT (SELECT COUNT(*) FROM task WHERE state = 'QUEUED' AND tenant = :tenant)
                 + (SELECT COALESCE(SUM(item_count - items_written), 0) FROM batch
                    WHERE tenant = :tenant AND items_written < item_count AND cancel_requested = FALSE)
            """;

    static final String QUEUED_BY_PRIORITY = """
            SELECT priority, COUNT(*) AS tasks FROM task WHERE state = 'QUEUED' GROUP BY priority
            """;

    /** Queued tasks, and the items of batches not yet written as tasks (they are queued too). */
    /** The same for one tenant. */
    static final String QUEUED_BY_PRIORITY_OF = """
            SELECT priority, COUNT(*) AS tasks FROM task WHERE state = 'QUEUED' AND tenant = :tenant GROUP BY priority
            """;

    static final String COUNT_RUNNING = "SELECT COUNT(*) FROM task WHERE state = 'RUNNING'";

    static final String COUNT_RUNNING_OF = "SELECT COUNT(*) FROM task WHERE state = 'RUNNING' AND tenant = :tenant";

    /**
     * One label of the list filter, matched in the labels' compact JSON text as {@code "key":"value"}
     * (the quotes make it a whole key and a whole value), which works alike on H2 and PostgreSQL.
     * '!' escapes LIKE's wildcards because the JSON may hold backslashes of its own. It scans the
     * newest rows until a page is full; no index helps a LIKE with a leading wildcard.
     */
    static final String LABEL_FILTER = " AND labels LIKE :%s ESCAPE '!'";

    static final String COUNT_QUEUED = """
            SELECT (SELECT COUNT(*) FROM task WHERE state = 'QUEUED')
                 + (SELECT COALESCE(SUM(item_count - items_written), 0) FROM batch
                    WHERE items_written < item_count AND cancel_requested = FALSE)
            """;

    /**
     * Wrapped by {@link SqlDialect#claimQueued()} to return the rows. Listing {@code state} in the
     * ORDER BY (a constant here) lets H2 read the claim order straight off the index.
     */
    static final String CLAIM_QUEUED = """
            UPDATE task SET state = 'RUNNING', owner = :owner, started_at = :now, worker_pid = NULL,
                   lease_expires_at = :leaseUntil,
                   progress_fraction = NULL, progress_message = NULL
            WHERE ${claimGuard} id IN (SELECT id FROM task ${queueOrder} WHERE state = 'QUEUED' AND tenant = :tenant
                           AND (not_before IS NULL OR not_before <= :now)
                         ORDER BY state, tenant, priority DESC, dispatch_round, seq
                         FETCH FIRST :max ROWS ONLY
                         ${skipLocked})
            """;

    /** The rest of a batch's chunk: its queued items of the same round. Wrapped by {@link SqlDialect#claimChunk()}. */
    static final String CLAIM_CHUNK = """
            UPDATE task SET state = 'RUNNING', owner = :owner, started_at = :now, worker_pid = NULL,
                   lease_expires_at = :leaseUntil,
                   progress_fraction = NULL, progress_message = NULL
            WHERE ${claimGuard} id IN (SELECT id FROM task WHERE batch_id = :batchId AND state = 'QUEUED' AND dispatch_round = :round
                           AND (not_before IS NULL OR not_before <= :now)
                         ${skipLocked})
            """;

    /**
     * {@link #CLAIM_CHUNK} on H2, which has one claimer and no row locks to skip: the chunk's own
     * conditions select the rows through the batch's index. In the form above, H2 drove the outer
     * UPDATE by {@code state = 'QUEUED'} and read every queued task of every batch for each chunk
     * (the profile of a 20,000-item batch spent 95 % of the dispatcher's time there).
     */
    static final String CLAIM_CHUNK_DIRECT = """
            UPDATE task SET state = 'RUNNING', owner = :owner, started_at = :now, worker_pid = NULL,
                   lease_expires_at = :leaseUntil,
                   progress_fraction = NULL, progress_message = NULL
            WHERE batch_id = :batchId AND state = 'QUEUED' AND dispatch_round = :round
              AND (not_before IS NULL OR not_before <= :now)
            """;

    static final String RECORD_WORKER = """
            UPDATE task SET worker_pid = :pid WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt
            """;

    static final String RECORD_WORKERS = """
            UPDATE task SET worker_pid = :pid WHERE id IN (:ids) AND state = 'RUNNING'
            """;

    static final String RECORD_PROGRESS = """
            UPDATE task SET progress_fraction = :fraction, progress_message = :message
            WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt
            """;

    static final String SUCCEED_IF_RUNNING = """
            UPDATE task SET state = 'SUCCEEDED', result = :result, finished_at = :now, owner = NULL,
                   progress_fraction = 1.0, worker_pid = COALESCE(:pid, worker_pid)
            WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt
            """;

    static final String FAIL_IF_RUNNING = """
            UPDATE task SET state = :state, error_code = :code, error_message = :message, error_detail = :detail,
                   finished_at = :now, owner = NULL
            WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt
            """;

    static final String CANCEL_IF_QUEUED = """
            UPDATE task SET state = 'CANCELLED', error_code = 'CANCELLED', error_message = 'cancelled while queued',
                   finished_at = :now
            WHERE id = :id AND state = 'QUEUED'
            """;

    static final String REQUEST_CANCEL = """
            UPDATE task SET cancel_requested = TRUE WHERE id = :id AND state = 'RUNNING'
            """;

    static final String UNCLAIM = """
            UPDATE task SET state = 'QUEUED', owner = NULL, started_at = NULL, worker_pid = NULL
            WHERE id IN (:ids) AND state = 'RUNNING' AND owner = :owner AND cancel_requested = FALSE
            """;

    /** Claimed, never started, and cancelled meanwhile: the cancel wins. */
    static final String CANCEL_UNCLAIMED = """
            UPDATE task SET state = 'CANCELLED', owner = NULL, error_code = 'CANCELLED',
                   error_message = 'cancelled before it reached a worker', finished_at = :now
            WHERE id IN (:ids) AND state = 'RUNNING' AND owner = :owner AND cancel_requested = TRUE
            """;

    /**
     * The runs a node lost when it died: the tasks held by {@code :owner} or by an owner matching
     * {@code :ownerLives} (the lives of one node name), every owner's on a store this process has
     * to itself; with {@code :expiredOnly} only those whose lease ran out before {@code :now}, so
     * that a task whose owner renewed it meanwhile is left to that owner.
     */
    private static final String LOST_RUNS = """
            state = 'RUNNING' AND (owner = :owner OR owner LIKE :ownerLives ESCAPE '!' OR :everyOwner)
              AND (lease_expires_at < :now OR NOT :expiredOnly)""";

    /**
     * A lost run goes back to the queue as the next attempt, one more interruption that does not
     * count against max_attempts, while the task has interruptions left and no cancel is pending.
     */
    static final String REQUEUE_INTERRUPTED = """
            UPDATE task SET state = 'QUEUED', owner = NULL, started_at = NULL, worker_pid = NULL,
                   attempt = attempt + 1, interruptions = interruptions + 1, cancel_requested = FALSE,
                   progress_fraction = NULL, progress_message = NULL
            WHERE ${lostRuns}
              AND interruptions < :maxInterruptions AND cancel_requested = FALSE
            """.replace("${lostRuns}", LOST_RUNS);

    /** The interrupted attempts that {@link #REQUEUE_INTERRUPTED} is about to re-queue, kept as earlier attempts. */
    static final String RECORD_INTERRUPTED = """
            INSERT INTO task_attempt (task_id, attempt, started_at, finished_at, worker_pid, owner, error_code,
                                      error_message)
            SELECT id, attempt, started_at, :now, worker_pid, owner, :code, :message FROM task
            WHERE ${lostRuns}
              AND interruptions < :maxInterruptions AND cancel_requested = FALSE
            """.replace("${lostRuns}", LOST_RUNS);

    /** An orderly stop: the same attempt runs again later (the task did not fail). */
    static final String REQUEUE_STOPPED = """
            UPDATE task SET state = 'QUEUED', owner = NULL, started_at = NULL, worker_pid = NULL,
                   lease_expires_at = NULL, progress_fraction = NULL, progress_message = NULL
            WHERE state = 'RUNNING' AND (owner = :owner OR :everyOwner) AND cancel_requested = FALSE
            """;

    static final String CANCEL_STOPPED = """
            UPDATE task SET state = 'CANCELLED', owner = NULL, error_code = 'CANCELLED',
                   error_message = 'cancelled; the service stopped before the task did', finished_at = :now
            WHERE state = 'RUNNING' AND (owner = :owner OR :everyOwner) AND cancel_requested = TRUE
            """;

    /** What {@link #REQUEUE_INTERRUPTED} left: interrupted too often, or being cancelled. */
    static final String FIND_LOST_LEFT_OVER = "SELECT id FROM task WHERE " + LOST_RUNS;

    /**
     * A failed attempt that will be retried: back to QUEUED with the next attempt number, not
     * claimable before {@code :notBefore}. Owner, start and worker stay for {@link #RECORD_ATTEMPT},
     * which runs next under this row lock, and are cleared by {@link #CLEAR_RUN}.
     */
    static final String RETRY_IF_RUNNING = """
            UPDATE task SET state = 'QUEUED', attempt = attempt + 1, not_before = :notBefore,
                   cancel_requested = FALSE, progress_fraction = NULL, progress_message = NULL
            WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt AND attempt - interruptions < max_attempts
              AND cancel_requested = FALSE
            """;

    static final String RECORD_ATTEMPT = """
            INSERT INTO task_attempt (task_id, attempt, started_at, finished_at, worker_pid, owner, error_code,
                                      error_message)
            SELECT id, attempt - 1, started_at, :now, worker_pid, owner, :code, :message FROM task
            WHERE id = :id AND attempt = :attempt + 1
            """;

    static final String CLEAR_RUN = """
            UPDATE task SET owner = NULL, started_at = NULL, worker_pid = NULL WHERE id = :id AND state = 'QUEUED'
            """;

    static final String EARLIER_ATTEMPTS = """
            SELECT task_id, attempt, started_at, finished_at, worker_pid, error_code, error_message
            FROM task_attempt WHERE task_id IN (:ids) ORDER BY task_id, attempt
            """;

    static final String RENEW_LEASES = """
            UPDATE task SET lease_expires_at = :until WHERE state = 'RUNNING' AND owner = :owner
            """;

    static final String CANCEL_REQUESTED_OF = """
            SELECT id FROM task WHERE state = 'RUNNING' AND owner = :owner AND cancel_requested = TRUE
            """;

    static final String EXPIRED_LEASES = "SELECT " + COLUMNS + """
             FROM task WHERE state = 'RUNNING' AND owner <> :owner AND lease_expires_at < :now
            """;

    static final String FINISHED_AMONG = """
            SELECT id FROM task WHERE id IN (:ids) AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
            """;

    static final String DELETE_IF_TERMINAL = """
            DELETE FROM task WHERE id = :id AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
            """;

    private final JdbcClient jdbc;
    private final SqlDialect dialect;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final boolean singleNode;
    private final Duration lease;
    private final TenantLanes lanes;
    /** Submissions without an idempotency key, committed together when they arrive together. */
    private final GroupCommit<Submission> submissions;

    /** Bounds one shared commit of submissions, and so the wait of the first caller in it. */
    private static final int SUBMISSIONS_PER_COMMIT = 256;

    static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    JdbcTaskStore(JdbcClient jdbc, SqlDialect dialect, TransactionTemplate transactions, JsonMapper json) {
        this(jdbc, dialect, transactions, json, false, DEFAULT_LEASE, new TenantLanes(jdbc));
    }

    /**
     * @param singleNode the database serves this one process (an embedded H2 file): every RUNNING
     *     task in it was started by an earlier life of this process, whatever node id it had then
     *     (a container's host name changes on every start)
     */
    JdbcTaskStore(JdbcClient jdbc, SqlDialect dialect, TransactionTemplate transactions, JsonMapper json,
            boolean singleNode) {
        this(jdbc, dialect, transactions, json, singleNode, DEFAULT_LEASE, new TenantLanes(jdbc));
    }

    /**
     * @param lease how long a claim holds a task without its owner renewing it
     * @param lanes the tenants' round-robin, shared with the batch store
     */
    JdbcTaskStore(JdbcClient jdbc, SqlDialect dialect, TransactionTemplate transactions, JsonMapper json,
            boolean singleNode, Duration lease, TenantLanes lanes) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.transactions = transactions;
        this.json = json;
        this.singleNode = singleNode;
        this.lease = lease;
        this.lanes = lanes;
        this.submissions = new GroupCommit<>(this::insertTogether, this::insertAlone, SUBMISSIONS_PER_COMMIT);
    }

    @Override
    public void insert(Task task, Idempotency idempotency, Runnable committed) {
        lanes.ensure(task.tenant());
        if (idempotency == null && !TransactionSynchronizationManager.isActualTransactionActive()) {
            // No key, so no row of another caller can conflict with it: share a commit. Inside a
            // caller's transaction the row must commit with that transaction, not with others.
            submissions.write(new Submission(task, committed));
            return;
        }
        try {
            if (TransactionSynchronizationManager.isActualTransactionActive()) {
                insertRow(task, idempotency);
                afterCommit(committed);
            } else {
                Durability.whenCommitted(committed, () -> insertRow(task, idempotency));
            }
        } catch (DuplicateKeyException | PessimisticLockingFailureException | QueryTimeoutException taken) {
            if (idempotency == null) {
                throw taken;
            }
            throw new IdempotencyKeyTakenException(idempotency.key(), taken);
        }
    }

    /** The row commits with the caller's transaction: {@code committed} waits for that. */
    private static void afterCommit(Runnable committed) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                committed.run();
            }
        });
    }

    /** A task to insert, and what runs once its commit returns. */
    private record Submission(Task task, Runnable committed) {}

    private void insertTogether(List<Submission> submissions) {
        Durability.whenCommitted(() -> submissions.forEach(submission -> submission.committed().run()),
                () -> transactions.executeWithoutResult(status ->
                        submissions.forEach(submission -> insertRow(submission.task(), null))));
    }

    private void insertAlone(Submission submission) {
        Durability.whenCommitted(submission.committed(), () -> insertRow(submission.task(), null));
    }

    private void insertRow(Task task, Idempotency idempotency) {
        jdbc.sql(dialect.sql(INSERT))
                .param("id", task.id())
                .param("idempotencyKey", idempotency == null ? null : idempotency.key(), Types.VARCHAR)
                .param("requestHash", idempotency == null ? null : idempotency.requestHash(), Types.VARCHAR)
                .param("type", task.type())
                .param("input", task.inputJson())
                .param("priority", task.priority())
                .param("timeoutMs", task.timeoutMs())
                .param("attempt", task.attempt())
                .param("maxAttempts", task.maxAttempts())
                .param("labels", json.writeValueAsString(task.labels()))
                .param("createdAt", Rows.timestamp(task.createdAt()))
                .param("retryBackoffMs", task.retryBackoffMs())
                .param("retryOnTimeout", task.retryOnTimeout())
                .param("tenant", task.tenant())
                .update();
    }

    @Override
    public Optional<Task> find(UUID id) {
        return jdbc.sql(FIND).param("id", id).query(this::task).optional();
    }

    @Override
    public Optional<IdempotentResource<Task>> findByIdempotencyKey(String key) {
        return jdbc.sql(FIND_BY_IDEMPOTENCY_KEY).param("key", key)
                .query((rs, row) -> new IdempotentResource<>(task(rs, row), rs.getString("request_hash")))
                .optional();
    }

    @Override
    public List<Task> list(TaskQuery query) {
        // Only fixed fragments are joined here; every value travels as a parameter.
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM task WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (query.state() != null) {
            sql.append(" AND state = :state");
            params.put("state", query.state().name());
        }
        if (query.type() != null) {
            sql.append(" AND type = :type");
            params.put("type", query.type());
        }
        if (query.tenant() != null) {
            sql.append(" AND tenant = :tenant");
            params.put("tenant", query.tenant());
        }
        if (query.batchId() != null) {
            sql.append(" AND batch_id = :batchId");
            params.put("batchId", query.batchId());
        }
        int label = 0;
        for (Map.Entry<String, String> entry : new java.util.TreeMap<>(query.labels()).entrySet()) {
            String name = "label" + label++;
            sql.append(LABEL_FILTER.formatted(name));
            params.put(name, labelPattern(entry.getKey(), entry.getValue()));
        }
        if (query.beforeSequence() != null) {
            sql.append(" AND seq < :before");
            params.put("before", query.beforeSequence());
        }
        // A batch's items are numbered in submission order: its index gives the same order.
        // Newest first. Naming the filtered column (a constant) in the ORDER BY lets H2 read the
        // page straight off the (state, seq DESC) or (type, seq DESC) index instead of sorting
        // every matching row.
        sql.append(query.batchId() != null ? " ORDER BY batch_id DESC, batch_index DESC"
                : query.state() != null ? " ORDER BY state, seq DESC"
                : query.type() != null ? " ORDER BY type, seq DESC"
                : " ORDER BY seq DESC");
        sql.append(" FETCH FIRST :limit ROWS ONLY");
        params.put("limit", query.limit());
        return jdbc.sql(sql.toString()).params(params).query(this::task).list();
    }

    /** The LIKE pattern of {@link #LABEL_FILTER}: the pair as the labels column writes it, wildcards escaped. */
    private String labelPattern(String key, String value) {
        String pair = json.writeValueAsString(key) + ":" + json.writeValueAsString(value);
        return "%" + pair.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    @Override
    public Map<Integer, Long> queuedByPriority() {
        Map<Integer, Long> depths = new java.util.TreeMap<>();
        jdbc.sql(QUEUED_BY_PRIORITY).query(rs -> {
            depths.put(rs.getInt("priority"), rs.getLong("tasks"));
        });
        return depths;
    }

    @Override
    public Map<Integer, Long> queuedByPriorityOf(String tenant) {
        Map<Integer, Long> depths = new java.util.TreeMap<>();
        jdbc.sql(QUEUED_BY_PRIORITY_OF).param("tenant", tenant).query(rs -> {
            depths.put(rs.getInt("priority"), rs.getLong("tasks"));
        });
        return depths;
    }

    @Override
    public long countRunning() {
        return jdbc.sql(COUNT_RUNNING).query(Long.class).single();
    }

    @Override
    public long countRunningOf(String tenant) {
        return jdbc.sql(COUNT_RUNNING_OF).param("tenant", tenant).query(Long.class).single();
    }

    @Override
    public long countQueuedOf(String tenant) {
        return jdbc.sql(COUNT_QUEUED_OF).param("tenant", tenant).query(Long.class).single();
    }

    @Override
    public long countQueued() {
        return jdbc.sql(COUNT_QUEUED).query(Long.class).single();
    }

    @Override
    public List<Task> claimQueued(int max, String owner, Instant now) {
        return Durability.relaxed(() -> transactions.execute(status -> claimQueuedNow(max, owner, now)));
    }

    private List<Task> claimQueuedNow(int max, String owner, Instant now) {
        List<Task> claimed = new ArrayList<>();
        for (Map.Entry<String, Integer> share : shares(max, now).entrySet()) {
            claimed.addAll(claimOf(share.getKey(), share.getValue(), owner, now, this::task));
        }
        // The returned rows come in no particular order; hand them out in queue order.
        claimed.sort(Comparator.comparingInt(Task::priority).reversed().thenComparingLong(Task::sequence));
        return claimed;
    }

    @Override
    public List<List<Task>> claimChunks(int maxChunks, String owner, Instant now) {
        // A lost claim leaves its tasks queued: they run after a restart, as recovery would have them.
        // One transaction: the tenants' turns, the heads and the chunks' rest are claimed together.
        return Durability.relaxed(() -> transactions.execute(status -> claimChunksNow(maxChunks, owner, now)));
    }

    private List<List<Task>> claimChunksNow(int maxChunks, String owner, Instant now) {
        List<List<Task>> claimed = new ArrayList<>();
        for (Map.Entry<String, Integer> share : shares(maxChunks, now).entrySet()) {
            claimed.addAll(chunksOf(claimOf(share.getKey(), share.getValue(), owner, now,
                    (rs, row) -> new Claimed(task(rs, row), rs.getLong("dispatch_round"))), owner, now));
        }
        return claimed;
    }

    /**
     * How many of {@code max} places each tenant with ready work gets: one each in round-robin
     * order, the tenant served longest ago first, until the places run out. Every tenant given a
     * place moves to the back, so the next claim starts with the ones left out of this one.
     */
    private Map<String, Integer> shares(int max, Instant now) {
        List<String> ready = lanes.ready(now);
        Map<String, Integer> shares = new LinkedHashMap<>();
        for (int place = 0; place < max && !ready.isEmpty(); place++) {
            shares.merge(ready.get(place % ready.size()), 1, Integer::sum);
        }
        if (ready.size() > 1) {
            shares.keySet().forEach(lanes::served);
        }
        return shares;
    }

    private <T> List<T> claimOf(String tenant, int max, String owner, Instant now, RowMapper<T> rows) {
        return jdbc.sql(dialect.claimQueued())
                .param("owner", owner)
                .param("tenant", tenant)
                .param("now", Rows.timestamp(now))
                .param("leaseUntil", Rows.timestamp(now.plus(lease)))
                .param("max", max)
                .query(rows)
                .list();
    }

    /** Claims the rest of each chunk whose head was claimed; a chunk goes to one worker whole. */
    private List<List<Task>> chunksOf(List<Claimed> claimedHeads, String owner, Instant now) {
        List<Claimed> heads = new ArrayList<>(claimedHeads);
        heads.sort(Comparator.comparingInt((Claimed c) -> c.task.priority()).reversed()
                .thenComparingLong(c -> c.round).thenComparingLong(c -> c.task.sequence()));
        // Heads of one chunk share a batch and a round.
        Map<Object, List<Task>> chunks = new LinkedHashMap<>();
        for (Claimed head : heads) {
            Task task = head.task;
            Object key = task.batchId() == null ? task.id() : List.of(task.batchId(), head.round);
            chunks.computeIfAbsent(key, k -> new ArrayList<>()).add(task);
        }
        List<List<Task>> claimed = new ArrayList<>(chunks.size());
        for (Map.Entry<Object, List<Task>> chunk : chunks.entrySet()) {
            List<Task> tasks = chunk.getValue();
            Task first = tasks.get(0);
            if (first.batchId() != null) {
                long round = (Long) ((List<?>) chunk.getKey()).get(1);
                tasks.addAll(jdbc.sql(dialect.claimChunk())
                        .param("owner", owner)
                        .param("now", Rows.timestamp(now))
                        .param("leaseUntil", Rows.timestamp(now.plus(lease)))
                        .param("batchId", first.batchId())
                        .param("round", round)
                        .query(this::task)
                        .list());
                tasks.sort(Comparator.comparing(Task::batchIndex));
            }
            claimed.add(tasks);
        }
        return claimed;
    }

    /** A claimed row with its fair-share round, which the domain has no use for. */
    private record Claimed(Task task, long round) {}

    @Override
    public void recordWorker(Collection<UUID> ids, long pid) {
        if (!ids.isEmpty()) {
            Durability.relaxed(() -> jdbc.sql(RECORD_WORKERS).param("ids", ids).param("pid", pid).update());
        }
    }

    @Override
    public TaskState[] finish(List<TaskOutcome> outcomes, Instant now, Map<UUID, Long> workerPids) {
        TaskState[] written = new TaskState[outcomes.size()];
        transactions.executeWithoutResult(status -> {
            for (int i = 0; i < outcomes.size(); i++) {
                TaskOutcome outcome = outcomes.get(i);
                Task task = outcome.task();
                if (outcome.isSuccess()) {
                    written[i] = succeed(task.id(), task.attempt(), outcome.resultJson(), workerPids.get(task.id()), now)
                            ? TaskState.SUCCEEDED : null;
                } else if (outcome.retryAt() != null
                        && retry(task.id(), task.attempt(), outcome.failure(), outcome.retryAt(), now)) {
                    written[i] = TaskState.QUEUED;
                } else {
                    written[i] = fail(task.id(), task.attempt(), outcome.failure(), now) ? outcome.failure().state()
                            : null;
                }
            }
        });
        return written;
    }

    @Override
    public boolean recordWorker(UUID id, int attempt, long pid) {
        return changed(Durability.relaxed(() ->
                jdbc.sql(RECORD_WORKER).param("id", id).param("attempt", attempt).param("pid", pid).update()));
    }

    @Override
    public boolean recordProgress(UUID id, int attempt, TaskProgress progress) {
        return changed(Durability.relaxed(() -> jdbc.sql(RECORD_PROGRESS)
                .param("id", id)
                .param("attempt", attempt)
                .param("fraction", progress.fraction())
                .param("message", progress.message())
                .update()));
    }

    @Override
    public boolean appendLog(UUID id, int attempt, String text, int maxChars) {
        return changed(Durability.relaxed(() -> jdbc.sql(APPEND_LOG)
                .param("id", id)
                .param("attempt", attempt)
                .param("text", text)
                .param("max", maxChars)
                .update()));
    }

    @Override
    public Optional<String> findLog(UUID id) {
        return jdbc.sql(FIND_LOG).param("id", id).query(String.class).optional();
    }

    @Override
    public boolean succeed(UUID id, int attempt, String resultJson, Instant now) {
        return succeed(id, attempt, resultJson, null, now);
    }

    private boolean succeed(UUID id, int attempt, String resultJson, Long workerPid, Instant now) {
        return changed(jdbc.sql(SUCCEED_IF_RUNNING)
                .param("id", id)
                .param("attempt", attempt)
                .param("result", resultJson)
                .param("pid", workerPid, Types.BIGINT)
                .param("now", Rows.timestamp(now))
                .update());
    }

    @Override
    public boolean fail(UUID id, int attempt, TaskFailure failure, Instant now) {
        return changed(jdbc.sql(FAIL_IF_RUNNING)
                .param("id", id)
                .param("attempt", attempt)
                .param("state", failure.state().name())
                .param("code", failure.code())
                .param("message", failure.message())
                .param("detail", failure.detail())
                .param("now", Rows.timestamp(now))
                .update());
    }

    @Override
    public boolean retry(UUID id, int attempt, TaskFailure failure, Instant notBefore, Instant now) {
        return transactions.execute(status -> {
            boolean requeued = changed(jdbc.sql(RETRY_IF_RUNNING).param("id", id).param("attempt", attempt)
                    .param("notBefore", Rows.timestamp(notBefore)).update());
            if (requeued) {
                jdbc.sql(RECORD_ATTEMPT).param("id", id).param("attempt", attempt).param("now", Rows.timestamp(now))
                        .param("code", failure.code()).param("message", failure.message()).update();
                jdbc.sql(CLEAR_RUN).param("id", id).update();
            }
            return requeued;
        });
    }

    @Override
    public Map<UUID, List<TaskAttempt>> earlierAttempts(Collection<UUID> ids) {
        Map<UUID, List<TaskAttempt>> attempts = new HashMap<>();
        if (ids.isEmpty()) {
            return attempts;
        }
        jdbc.sql(EARLIER_ATTEMPTS).param("ids", ids).query(rs -> {
            long pid = rs.getLong("worker_pid");
            Long workerPid = rs.wasNull() ? null : pid;
            attempts.computeIfAbsent(rs.getObject("task_id", UUID.class), id -> new ArrayList<>())
                    .add(new TaskAttempt(rs.getInt("attempt"), Rows.instant(rs, "started_at"), Rows.instant(rs, "finished_at"),
                            workerPid, new TaskError(rs.getString("error_code"), rs.getString("error_message"), null)));
        });
        return attempts;
    }

    @Override
    public boolean cancelQueued(UUID id, Instant now) {
        return changed(jdbc.sql(CANCEL_IF_QUEUED).param("id", id).param("now", Rows.timestamp(now)).update());
    }

    @Override
    public boolean requestCancel(UUID id) {
        return changed(jdbc.sql(REQUEST_CANCEL).param("id", id).update());
    }

    @Override
    public int unclaim(Collection<UUID> ids, String owner, Instant now) {
        if (ids.isEmpty()) {
            return 0;
        }
        jdbc.sql(CANCEL_UNCLAIMED).param("ids", ids).param("owner", owner)
                .param("now", Rows.timestamp(now)).update();
        return jdbc.sql(UNCLAIM).param("ids", ids).param("owner", owner).update();
    }

    @Override
    public Recovery recoverRunning(String nodeName, boolean expiredOnly, TaskFailure.NodeLost lost,
            int maxInterruptions, Instant now) {
        String lives = likeLiteral(nodeName) + NodeIdentity.LIFE_SEPARATOR + "%";
        // A store this process has to itself holds no lease of anyone alive.
        return recoverLostRuns(nodeName, lives, singleNode, expiredOnly && !singleNode, lost, maxInterruptions, now);
    }

    @Override
    public Recovery recoverExpired(String lostOwner, TaskFailure.NodeLost lost, int maxInterruptions, Instant now) {
        return recoverLostRuns(lostOwner, likeLiteral(lostOwner), false, true, lost, maxInterruptions, now);
    }

    /** {@code text} as a LIKE pattern that matches only itself ('!' escapes). */
    private static String likeLiteral(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    private Recovery recoverLostRuns(String owner, String ownerLives, boolean everyOwner, boolean expiredOnly,
            TaskFailure.NodeLost lost, int maxInterruptions, Instant now) {
        // The three statements select the same lost runs (LOST_RUNS): one set of parameters.
        Map<String, Object> lostRuns = Map.of("owner", owner, "ownerLives", ownerLives, "everyOwner", everyOwner,
                "expiredOnly", expiredOnly, "now", Rows.timestamp(now), "maxInterruptions", maxInterruptions);
        return transactions.execute(status -> {
            jdbc.sql(RECORD_INTERRUPTED).params(lostRuns)
                    .param("code", lost.code()).param("message", lost.message())
                    .update();
            int requeued = jdbc.sql(REQUEUE_INTERRUPTED).params(lostRuns).update();
            List<UUID> leftOver = jdbc.sql(FIND_LOST_LEFT_OVER).params(lostRuns).query(UUID.class).list();
            List<UUID> failed = new ArrayList<>();
            for (UUID id : leftOver) {
                Task task = find(id).orElseThrow();
                TaskFailure outcome = task.cancelRequested()
                        ? new TaskFailure.Cancelled("cancelled; its node stopped before the task did")
                        : lost.exhausted(task.interruptions() + 1, maxInterruptions);
                if (fail(id, task.attempt(), outcome, now)) {
                    failed.add(id);
                }
            }
            return new Recovery(requeued, failed);
        });
    }

    @Override
    public boolean shared() {
        return !singleNode;
    }

    @Override
    public int renewLeases(String owner, Instant now) {
        return Durability.relaxed(() ->
                jdbc.sql(RENEW_LEASES).param("owner", owner).param("until", Rows.timestamp(now.plus(lease))).update());
    }

    @Override
    public List<UUID> cancelRequestedOf(String owner) {
        return jdbc.sql(CANCEL_REQUESTED_OF).param("owner", owner).query(UUID.class).list();
    }

    @Override
    public List<Task> expiredLeases(String self, Instant now) {
        return jdbc.sql(EXPIRED_LEASES).param("owner", self).param("now", Rows.timestamp(now)).query(this::task).list();
    }

    @Override
    public List<UUID> finishedAmong(Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : jdbc.sql(FINISHED_AMONG).param("ids", ids).query(UUID.class).list();
    }

    @Override
    public int requeueStopped(String owner, Instant now) {
        return transactions.execute(status -> {
            jdbc.sql(CANCEL_STOPPED).param("owner", owner).param("everyOwner", singleNode)
                    .param("now", Rows.timestamp(now)).update();
            return jdbc.sql(REQUEUE_STOPPED).param("owner", owner).param("everyOwner", singleNode).update();
        });
    }

    @Override
    public boolean deleteTerminal(UUID id) {
        return changed(jdbc.sql(DELETE_IF_TERMINAL).param("id", id).update());
    }

    private static boolean changed(int rows) {
        if (rows > 1) {
            throw new IllegalStateException("a single-task update changed " + rows + " rows");
        }
        return rows == 1;
    }

    Task task(ResultSet rs, int row) throws SQLException {
        String errorCode = rs.getString("error_code");
        double fraction = rs.getDouble("progress_fraction");
        TaskProgress progress = rs.wasNull() ? null : new TaskProgress(fraction, rs.getString("progress_message"));
        long pid = rs.getLong("worker_pid");
        Long workerPid = rs.wasNull() ? null : pid;
        return Task.builder()
                .id(rs.getObject("id", UUID.class))
                .sequence(rs.getLong("seq"))
                .type(rs.getString("type"))
                .state(TaskState.valueOf(rs.getString("state")))
                .inputJson(rs.getString("input"))
                .resultJson(rs.getString("result"))
                .error(errorCode == null ? null
                        : new TaskError(errorCode, rs.getString("error_message"), rs.getString("error_detail")))
                .progress(progress)
                .priority(rs.getInt("priority"))
                .timeoutMs(rs.getLong("timeout_ms"))
                .attempt(rs.getInt("attempt"))
                .maxAttempts(rs.getInt("max_attempts"))
                .labels(json.readValue(rs.getString("labels"), Rows.LABELS))
                .createdAt(Rows.instant(rs, "created_at"))
                .startedAt(Rows.instant(rs, "started_at"))
                .finishedAt(Rows.instant(rs, "finished_at"))
                .workerPid(workerPid)
                .owner(rs.getString("owner"))
                .cancelRequested(rs.getBoolean("cancel_requested"))
                .batchId(rs.getObject("batch_id", UUID.class))
                .batchIndex(batchIndex(rs))
                .retryBackoffMs(rs.getLong("retry_backoff_ms"))
                .retryOnTimeout(rs.getBoolean("retry_on_timeout"))
                .notBefore(Rows.instant(rs, "not_before"))
                .tenant(rs.getString("tenant"))
                .interruptions(rs.getInt("interruptions"))
                .build();
    }

    private static Integer batchIndex(ResultSet rs) throws SQLException {
        int index = rs.getInt("batch_index");
        return rs.wasNull() ? null : index;
    }
}
