package io.taskpool.store;

import static io.taskpool.support.TaskFixtures.aQueuedTask;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The retention contract on a real PostgreSQL server, where replicas share the store, plus the
 * sweep's lock: while one transaction holds it, no other deletes anything.
 */
class PostgresRetentionStoreTest extends RetentionStoreContract {

    private static final DataSource dataSource = TestDatabases.postgres();

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }

    /** {@code count} single tasks that SUCCEEDED now, written in one statement. */
    private void insertSucceededSingles(int count) {
        new JdbcTemplate(dataSource).update("""
                INSERT INTO task (id, type, state, input, priority, timeout_ms, attempt, max_attempts, labels,
                                  created_at, finished_at)
                SELECT gen_random_uuid(), 'noop', 'SUCCEEDED', '{}', 0, 60000, 1, 3, '{}', ?, ?
                FROM generate_series(1, ?)
                """, clock.instant().atOffset(ZoneOffset.UTC), clock.instant().atOffset(ZoneOffset.UTC), count);
    }

    @Test
    void whileAnotherTransactionHoldsTheSweepLockNothingIsDeleted() throws SQLException {
        UUID task = succeeded(aQueuedTask()).id();
        Instant cutoff = pastEverythingSoFar();

        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("SELECT pg_advisory_xact_lock(" + JdbcRetentionStore.SWEEP_LOCK + ")");

            assertThat(retention.deleteTasks(cutoff, 100)).isEmpty();
            assertThat(retention.deleteItems(UUID.randomUUID(), cutoff, 100)).isEmpty();
            assertThat(retention.deleteBatch(UUID.randomUUID())).isEmpty();
            assertThat(storedTaskIds()).containsExactly(task);

            other.commit(); // ends the transaction, and with it the lock
        }

        assertThat(retention.deleteTasks(cutoff, 100)).hasValue(1);
        assertThat(storedTaskIds()).isEmpty();
    }

    @Test
    void twoReplicasSweepingAtOnceDeleteEverythingWithoutFailing() throws Exception {
        insertSucceededSingles(2_000);
        Instant cutoff = pastEverythingSoFar();
        ExecutorService replicas = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> sweeps = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                // Each deletes slice by slice until a slice finds nothing left; a refused slice
                // (the other holds the lock) is tried again rather than left to a next interval.
                sweeps.add(replicas.submit(() -> {
                    start.await();
                    int deleted = 0;
                    for (OptionalInt slice = retention.deleteTasks(cutoff, 50);
                            slice.isEmpty() || slice.getAsInt() > 0; slice = retention.deleteTasks(cutoff, 50)) {
                        deleted += slice.orElse(0);
                    }
                    return deleted;
                }));
            }
            start.countDown();
            int deleted = 0;
            for (Future<Integer> sweep : sweeps) {
                deleted += sweep.get(60, TimeUnit.SECONDS);
            }
            assertThat(deleted).as("every row deleted exactly once").isEqualTo(2_000);
        } finally {
            replicas.shutdownNow();
        }
        assertThat(storedTaskIds()).isEmpty();
    }
}
