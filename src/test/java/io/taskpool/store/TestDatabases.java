package io.taskpool.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The databases the store contracts run on. Each contract migrates a clean schema before every
 * test, so one PostgreSQL server serves every contract of the test run.
 */
final class TestDatabases {

    private static DataSource postgres;

    private TestDatabases() {}

    /** Empties the database and builds the schema with the service's migrations. */
    static void cleanAndMigrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .cleanDisabled(false)
                .load();
        flyway.clean();
        flyway.migrate();
    }

    /**
     * A new in-memory H2 database. A new connection per {@code getConnection()}, so that
     * concurrent claimers are separate sessions.
     */
    static DataSource freshH2(String name) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        return dataSource;
    }

    /**
     * The PostgreSQL server of this test run, from Maven Central binaries (no Docker), started on
     * first use and stopped when the JVM exits.
     */
    static synchronized DataSource postgres() {
        if (postgres == null) {
            try {
                EmbeddedPostgres server = EmbeddedPostgres.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        server.close();
                    } catch (IOException ignored) {
                        // the JVM is going away; the server's directory is temporary
                    }
                }));
                postgres = server.getPostgresDatabase();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start PostgreSQL for the store tests", e);
            }
        }
        return postgres;
    }
}
