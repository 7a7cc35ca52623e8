package io.taskpool.store;

import javax.sql.DataSource;

/** The store contract on a real PostgreSQL server, started from Maven Central binaries (no Docker). */
class PostgresTaskStoreTest extends TaskStoreContract {

    private static final DataSource dataSource = TestDatabases.postgres();

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }
}
