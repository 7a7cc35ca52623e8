package io.taskpool.store;

import java.util.Locale;

/**
 * The little SQL that differs between H2 and PostgreSQL: how an UPDATE hands back the rows it
 * changed.
 */
enum SqlDialect {
    /** H2 has no UPDATE ... RETURNING, but reads the changed rows through a data change delta table. */
    H2 {
        @Override
        String claimQueued() {
            return "SELECT * FROM FINAL TABLE (" + JdbcTaskStore.CLAIM_QUEUED + ")";
        }
    },
    POSTGRESQL {
        @Override
        String claimQueued() {
            return JdbcTaskStore.CLAIM_QUEUED + " RETURNING *";
        }
    };

    /** One statement that claims up to {@code :max} queued tasks and returns the claimed rows. */
    abstract String claimQueued();

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
