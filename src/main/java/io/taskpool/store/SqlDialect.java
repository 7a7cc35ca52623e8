package io.taskpool.store;

import java.util.Locale;

/**
 * The little SQL that differs between H2 and PostgreSQL: how an UPDATE hands back the rows it
 * changed, index hints, and the retention sweep's lock.
 */
enum SqlDialect {
    /** H2 has no UPDATE ... RETURNING, but reads the changed rows through a data change delta table. */
    H2 {
        @Override
        String returning(String update, String columns) {
            return "SELECT " + columns + " FROM FINAL TABLE (" + update + ")";
        }
    },
    POSTGRESQL {
        @Override
        String returning(String update, String columns) {
            return update + " RETURNING " + columns;
        }
    };

    /** One statement that runs {@code update} and returns these columns of the rows it changed. */
    abstract String returning(String update, String columns);

    /**
     * Fills in what differs in a statement. {@code ${queueOrder}}: H2 picks indexes by the filter
     * alone and would sort every queued task to find the first, so it is told the ordered index;
     * PostgreSQL's planner finds it itself. {@code ${skipLocked}}: replicas sharing PostgreSQL
     * claim side by side and skip each other's locked rows; H2 serves one process, whose one
     * dispatcher claims, and its FOR UPDATE would lock every queued row before the limit applies;
     * there {@code ${claimGuard}} re-checks the state as each row is updated, so a row is never
     * claimed twice. On PostgreSQL that outer condition would let the planner re-run the locking
     * subquery per row (and claim more than asked), so it is left out: the locked rows are queued.
     */
    String sql(String template) {
        return template.replace("${queueOrder}", this == H2 ? "USE INDEX (task_queue_order)" : "")
                .replace("${skipLocked}", this == H2 ? "" : "FOR UPDATE SKIP LOCKED")
                .replace("${claimGuard}", this == H2 ? "state = 'QUEUED' AND" : "");
    }

    /** One statement that claims up to {@code :max} queued tasks and returns the claimed rows. */
    String claimQueued() {
        return returning(sql(JdbcTaskStore.CLAIM_QUEUED), JdbcTaskStore.COLUMNS);
    }

    /** One statement that claims the rest of a batch's chunk and returns the claimed rows. */
    String claimChunk() {
        return returning(this == H2 ? JdbcTaskStore.CLAIM_CHUNK_DIRECT : sql(JdbcTaskStore.CLAIM_CHUNK),
                JdbcTaskStore.COLUMNS);
    }

    /** One statement that cancels a batch's queued items and returns their ids. */
    String cancelQueuedItems() {
        return returning(JdbcBatchStore.CANCEL_QUEUED_ITEMS, "id");
    }

    /**
     * A query answering whether this transaction may delete what is past its retention. On
     * PostgreSQL it takes the sweep's advisory lock until the transaction ends, so replicas sweep
     * one at a time, unless another transaction holds it; H2 serves one process, which always may.
     */
    String sweepLock() {
        return this == H2 ? "SELECT TRUE" : "SELECT pg_try_advisory_xact_lock(" + JdbcRetentionStore.SWEEP_LOCK + ")";
    }

    static SqlDialect forProductName(String databaseProductName) {
        String name = databaseProductName.toLowerCase(Locale.ROOT);
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        if (name.contains("h2")) {
            return H2;
        }
        throw new IllegalStateException("unsupported database '" + databaseProductName
                + "': taskpool runs on H2 or PostgreSQL");
    }
}
