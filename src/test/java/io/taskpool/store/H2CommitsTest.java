package io.taskpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On the embedded H2 store a durable commit is a commit followed by a write-out of the file;
 * what waits for the commit ({@link Durability#whenCommitted}) runs between the two, so that a
 * claim overlaps with the write-out. Which side of the write-out it ran on is read from the
 * write-out count, not from timing.
 */
class H2CommitsTest {

    private final CommitTrackingDataSource dataSource = new CommitTrackingDataSource(TestDatabases.freshH2("commits"));
    private final JdbcClient jdbc = JdbcClient.create(dataSource);
    private final List<Long> writeOutsSeen = new ArrayList<>();

    @BeforeEach
    void createATable() {
        jdbc.sql("CREATE TABLE item (id INT PRIMARY KEY)").update();
    }

    private void noteWriteOuts() {
        writeOutsSeen.add(dataSource.durableCommits());
    }

    @Test
    void anAutoCommittedWriteRunsWhatWaitsForItsCommitBeforeItsWriteOut() {
        long before = dataSource.durableCommits();

        Durability.whenCommitted(this::noteWriteOuts, () -> jdbc.sql("INSERT INTO item VALUES (1)").update());

        assertThat(writeOutsSeen).containsExactly(before);
        assertThat(dataSource.durableCommits()).isEqualTo(before + 1);
    }

    @Test
    void aTransactionRunsWhatWaitsForItsCommitBeforeItsWriteOut() {
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        long before = dataSource.durableCommits();

        Durability.whenCommitted(this::noteWriteOuts, () -> transactions.executeWithoutResult(status -> {
            jdbc.sql("INSERT INTO item VALUES (1)").update();
            jdbc.sql("INSERT INTO item VALUES (2)").update();
        }));

        assertThat(writeOutsSeen).as("run once, after the commit and before its write-out").containsExactly(before);
        assertThat(dataSource.durableCommits()).isEqualTo(before + 1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM item").query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void aRelaxedWriteRunsWhatWaitsForItsCommitWithoutAWriteOut() {
        long before = dataSource.durableCommits();

        Durability.relaxed(() -> Durability.whenCommitted(this::noteWriteOuts,
                () -> jdbc.sql("INSERT INTO item VALUES (1)").update()));

        assertThat(writeOutsSeen).containsExactly(before);
        assertThat(dataSource.durableCommits()).isEqualTo(before);
    }

    @Test
    void aFailedWriteNeverRunsWhatWaitsForItsCommit() {
        jdbc.sql("INSERT INTO item VALUES (1)").update();

        assertThatThrownBy(() -> Durability.whenCommitted(this::noteWriteOuts,
                () -> jdbc.sql("INSERT INTO item VALUES (1)").update())).isInstanceOf(DuplicateKeyException.class);
        jdbc.sql("INSERT INTO item VALUES (2)").update();

        assertThat(writeOutsSeen).isEmpty();
    }

    @Test
    void whatWaitsForACommitThatFailsDoesNotFailTheCommit() {
        Durability.whenCommitted(() -> {
            throw new IllegalStateException("a listener broke");
        }, () -> jdbc.sql("INSERT INTO item VALUES (1)").update());

        assertThat(jdbc.sql("SELECT COUNT(*) FROM item").query(Long.class).single()).isEqualTo(1);
    }
}
