package io.taskpool.store;

import javax.sql.DataSource;

/** The retention contract on an in-memory H2, the default database. */
class H2RetentionStoreTest extends RetentionStoreContract {

    private static final DataSource dataSource = TestDatabases.freshH2("retention");

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.H2;
    }
}
