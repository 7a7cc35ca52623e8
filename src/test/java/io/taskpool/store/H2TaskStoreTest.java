package io.taskpool.store;

import javax.sql.DataSource;

/** The store contract on an in-memory H2, the default database. */
class H2TaskStoreTest extends TaskStoreContract {

    private static final DataSource dataSource = TestDatabases.freshH2("taskstore");

    @Override
    protected DataSource dataSource() {
        return dataSource;
    }

    @Override
    protected SqlDialect dialect() {
        return SqlDialect.H2;
    }
}
