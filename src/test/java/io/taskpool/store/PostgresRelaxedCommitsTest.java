package io.taskpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a relaxed commit does not wait for its WAL flush, a durable one does, and neither
 * leaves the setting behind on the connection for the next user of the pool. What each commit
 * really ran with is read at commit time by a deferred trigger, not inferred from timing. The
 * server runs with PostgreSQL's own default, {@code synchronous_commit} on (the shared test
 * server, like most embedded ones, turns it off for speed).
 */
class PostgresRelaxedCommitsTest {

    private static EmbeddedPostgres server;
    private CommitTrackingDataSource dataSource;
    private Connection connection;

    @BeforeAll
    static void startServerWithDurableCommits() throws IOException {
        server = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").start();
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    @BeforeEach
    void recordEachCommitsSetting() throws SQLException {
        dataSource = new CommitTrackingDataSource(server.getPostgresDatabase());
        connection = dataSource.getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMP TABLE written (n INTEGER)");
            statement.execute("CREATE TEMP TABLE commit_settings (setting TEXT)");
            statement.execute("""
                    CREATE FUNCTION pg_temp.note_commit_setting() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO commit_settings VALUES (current_setting('synchronous_commit'));
                        RETURN NULL;
                    END $$""");
            // Deferred: it runs as the transaction commits, after the data source's last word.
            statement.execute("""
                    CREATE CONSTRAINT TRIGGER note_commit_setting AFTER INSERT ON written
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.note_commit_setting()""");
        }
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    @Test
    void aRelaxedTransactionDoesNotWaitForItsFlushAndIsNotCounted() throws SQLException {
        long before = dataSource.durableCommits();
        connection.setAutoCommit(false);
        Durability.relaxed(() -> insertAndCommit());
        connection.setAutoCommit(true);

        assertThat(commitSettings()).containsExactly("off");
        assertThat(dataSource.durableCommits()).isEqualTo(before);
        assertThat(sessionSetting()).isEqualTo("on");
    }

    @Test
    void aDurableTransactionWaitsForItsFlushAndIsCounted() throws SQLException {
        long before = dataSource.durableCommits();
        connection.setAutoCommit(false);
        insertAndCommit();
        connection.setAutoCommit(true);

        assertThat(commitSettings()).containsExactly("on");
        assertThat(dataSource.durableCommits()).isEqualTo(before + 1);
    }

    @Test
    void aRelaxedAutoCommittedWriteDoesNotWaitAndLeavesTheSessionAsItWas() throws SQLException {
        long before = dataSource.durableCommits();
        Durability.relaxed(() -> insert());

        assertThat(commitSettings()).containsExactly("off");
        assertThat(dataSource.durableCommits()).isEqualTo(before);
        assertThat(sessionSetting()).isEqualTo("on");

        insert();
        assertThat(commitSettings()).containsExactly("off", "on");
        assertThat(dataSource.durableCommits()).isEqualTo(before + 1);
    }

    private void insert() {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO written VALUES (1)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insertAndCommit() {
        insert();
        try {
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> commitSettings() throws SQLException {
        List<String> settings = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT setting FROM commit_settings")) {
            while (rows.next()) {
                settings.add(rows.getString(1));
            }
        }
        return settings;
    }

    private String sessionSetting() throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW synchronous_commit")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
