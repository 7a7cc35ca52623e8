package io.taskpool.store;

import static io.taskpool.support.TaskFixtures.aQueuedTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.taskpool.support.ManualClock;
import io.taskpool.task.Batch;
import io.taskpool.task.BatchStore;
import io.taskpool.task.Idempotency;
import io.taskpool.task.RetentionStore;
import io.taskpool.task.Task;
import io.taskpool.task.TaskFailure;
import io.taskpool.task.TaskQuery;
import io.taskpool.task.TaskState;
import io.taskpool.task.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@link RetentionStore} deletes and what it keeps, run against each database the service
 * supports: single tasks on their own age, batches only when finished and then with all their
 * items, and never more than a slice per call. Tasks and batches reach their states through the
 * task and batch stores, at times set by a manual clock.
 */
abstract class RetentionStoreContract {

    private static final String NODE = "node-a";

    /** A data source on the database under test; a fresh connection per {@code getConnection()}. */
    protected abstract DataSource dataSource();

    protected abstract SqlDialect dialect();

    /** When the tasks of a test finish, unless it moves the clock. */
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:20:00.000001Z"));

    RetentionStore retention;
    TaskStore tasks;
    BatchStore batches;

    @BeforeEach
    void startFromAnEmptyMigratedSchema() {
        TestDatabases.cleanAndMigrate(dataSource());
        JdbcClient jdbc = JdbcClient.create(dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource()));
        JsonMapper json = JsonMapper.builder().build();
        retention = new JdbcRetentionStore(jdbc, dialect(), transactions);
        tasks = new JdbcTaskStore(jdbc, dialect(), transactions, json);
        batches = new JdbcBatchStore(jdbc, new JdbcTemplate(dataSource()), dialect(), transactions, json);
    }

    // ---- helpers ----

    /** A cutoff that everything finished so far is before: a microsecond, the columns' precision, after now. */
    Instant pastEverythingSoFar() {
        return clock.instant().plusNanos(1000);
    }

    /** Inserts a task, claims it (it must be the only queued one) and lets it succeed now. */
    Task succeeded(Task task) {
        running(task);
        assertThat(tasks.succeed(task.id(), 1, "{}", clock.instant())).isTrue();
        return tasks.find(task.id()).orElseThrow();
    }

    private Task running(Task task) {
        tasks.insert(task);
        assertThat(tasks.claimQueued(1, NODE, clock.instant())).extracting(Task::id).containsExactly(task.id());
        return tasks.find(task.id()).orElseThrow();
    }

    List<UUID> storedTaskIds() {
        return tasks.list(new TaskQuery(null, null, null, null, 1000)).stream().map(Task::id).toList();
    }

    /** A complete batch of {@code size} inputs, stored in one slice with {@code key}, items not yet written. */
    private Batch submittedBatch(int size, String key) {
        Batch batch = new Batch(UUID.randomUUID(), "noop", size, 1, 0, 60_000, Map.of(), clock.instant(), false);
        batches.inTransaction(() -> {
            batches.insertBatch(batch, key);
            batches.insertInputs(batch.id(), 0, IntStream.range(0, size).mapToObj(i -> "{\"n\":" + i + "}").toList());
            batches.completeBatch(batch, 0, "hash");
            return null;
        });
        return batch;
    }

    /** A batch whose items are all written as tasks and QUEUED. */
    private Batch writtenBatch(int size, String key) {
        Batch batch = submittedBatch(size, key);
        assertThat(batches.writeNextItems(batch.id(), 3, clock.instant(), Integer.MAX_VALUE)).isPresent();
        return batch;
    }

    /** Claims every queued task (batch items, chunk by chunk) and lets each succeed now. */
    private void finishEverythingQueued() {
        for (List<List<Task>> claimed = tasks.claimChunks(10, NODE, clock.instant()); !claimed.isEmpty();
                claimed = tasks.claimChunks(10, NODE, clock.instant())) {
            claimed.stream().flatMap(List::stream)
                    .forEach(task -> assertThat(tasks.succeed(task.id(), task.attempt(), "{}", clock.instant())).isTrue());
        }
    }

    /** Deletes the batch's expired items slice by slice, then its row, as a sweep does; the slices' sizes. */
    private List<Integer> deleteAsASweepDoes(UUID batchId, Instant cutoff, int slice) {
        List<Integer> slices = new ArrayList<>();
        int deleted;
        do {
            deleted = retention.deleteItems(batchId, cutoff, slice).orElseThrow();
            slices.add(deleted);
        } while (deleted == slice);
        assertThat(retention.deleteBatch(batchId)).hasValue(1);
        return slices;
    }

    // ---- single tasks ----

    @Test
    void singleTasksInEveryTerminalStateGoOnceTheyFinishedBeforeTheCutoff() {
        Task succeeded = succeeded(aQueuedTask());
        Task failed = running(aQueuedTask());
        tasks.fail(failed.id(), 1, new TaskFailure.ProtocolViolation("garbage"), clock.instant());
        Task timedOut = running(aQueuedTask());
        tasks.fail(timedOut.id(), 1, new TaskFailure.TimedOut(1), clock.instant());
        Task cancelled = aQueuedTask();
        tasks.insert(cancelled);
        tasks.cancelQueued(cancelled.id(), clock.instant());
        assertThat(storedTaskIds()).hasSize(4);

        assertThat(retention.deleteTasks(pastEverythingSoFar(), 100)).hasValue(4);

        assertThat(storedTaskIds()).isEmpty();
        for (Task task : List.of(succeeded, failed, timedOut, cancelled)) {
            assertThat(tasks.find(task.id())).isEmpty();
        }
    }

    @Test
    void aTaskThatFinishedAtTheCutoffOrLaterIsKept() {
        Task atTheCutoff = succeeded(aQueuedTask());
        Instant cutoff = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        Task later = succeeded(aQueuedTask());

        assertThat(retention.deleteTasks(cutoff, 100)).hasValue(0);

        assertThat(storedTaskIds()).containsExactlyInAnyOrder(atTheCutoff.id(), later.id());
    }

    @Test
    void queuedAndRunningTasksAreKeptHoweverOld() {
        Task runningTask = running(aQueuedTask());
        Task queued = aQueuedTask();
        tasks.insert(queued);
        clock.advance(Duration.ofDays(30));

        assertThat(retention.deleteTasks(clock.instant(), 100)).hasValue(0);

        assertThat(storedTaskIds()).containsExactlyInAnyOrder(runningTask.id(), queued.id());
        assertThat(tasks.find(runningTask.id()).orElseThrow().state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void aDeletedTasksIdempotencyKeyCanBeUsedAgain() {
        Task first = aQueuedTask();
        tasks.insert(first, new Idempotency("order-7781", "hash-a"), () -> {});
        assertThat(tasks.claimQueued(1, NODE, clock.instant())).hasSize(1);
        tasks.succeed(first.id(), 1, "{}", clock.instant());

        assertThat(retention.deleteTasks(pastEverythingSoFar(), 100)).hasValue(1);
        assertThat(tasks.findByIdempotencyKey("order-7781")).isEmpty();

        Task second = aQueuedTask();
        assertThatCode(() -> tasks.insert(second, new Idempotency("order-7781", "hash-b"), () -> {})).doesNotThrowAnyException();
        assertThat(tasks.findByIdempotencyKey("order-7781")).get()
                .satisfies(found -> assertThat(found.resource().id()).isEqualTo(second.id()))
                .satisfies(found -> assertThat(found.requestHash()).isEqualTo("hash-b"));
    }

    @Test
    void eachCallDeletesAtMostItsLimitAndRepeatedCallsReachTheEnd() {
        for (int i = 0; i < 7; i++) {
            succeeded(aQueuedTask());
        }
        Instant cutoff = pastEverythingSoFar();

        List<Integer> slices = new ArrayList<>();
        int deleted;
        do {
            deleted = retention.deleteTasks(cutoff, 3).orElseThrow();
            slices.add(deleted);
        } while (deleted == 3);

        assertThat(slices).containsExactly(3, 3, 1);
        assertThat(storedTaskIds()).isEmpty();
        assertThat(retention.deleteTasks(cutoff, 3)).hasValue(0);
    }

    @Test
    void singleTaskDeletionLeavesOldItemsOfBatchesAlone() {
        Batch batch = writtenBatch(2, null);
        finishEverythingQueued();
        Task single = succeeded(aQueuedTask());

        assertThat(retention.deleteTasks(pastEverythingSoFar(), 100)).hasValue(1);

        assertThat(tasks.find(single.id())).isEmpty();
        assertThat(batches.counts(batch.id()).succeeded()).isEqualTo(2);
    }

    // ---- batches ----

    @Test
    void aFinishedBatchGoesWithAllItsItemsInSlicesAndItsKeyCanBeUsedAgain() {
        Batch batch = writtenBatch(5, "nightly-2026-03-01");
        finishEverythingQueued();
        Instant cutoff = pastEverythingSoFar();

        assertThat(retention.finishedBatches(cutoff, 10)).containsExactly(batch.id());
        assertThat(retention.deleteBatch(batch.id())).as("not while items are left").hasValue(0);
        assertThat(deleteAsASweepDoes(batch.id(), cutoff, 2)).containsExactly(2, 2, 1);

        assertThat(batches.find(batch.id())).isEmpty();
        assertThat(storedTaskIds()).isEmpty();
        assertThat(retention.finishedBatches(cutoff, 10)).isEmpty();
        assertThat(batches.findByIdempotencyKey("nightly-2026-03-01")).isEmpty();
        assertThatCode(() -> submittedBatch(1, "nightly-2026-03-01")).doesNotThrowAnyException();
    }

    @Test
    void aBatchWithAnItemStillQueuedOrRunningKeepsEveryItemHoweverOld() {
        Batch runningItem = writtenBatch(2, null);
        List<Task> both = tasks.claimChunks(10, NODE, clock.instant()).stream().flatMap(List::stream).toList();
        tasks.succeed(both.get(0).id(), 1, "{}", clock.instant());
        Batch queuedItem = writtenBatch(3, null);
        // One item per chunk: two chunks are the batch's first two items.
        tasks.claimChunks(2, NODE, clock.instant()).stream().flatMap(List::stream)
                .forEach(item -> tasks.succeed(item.id(), 1, "{}", clock.instant()));
        assertThat(batches.counts(runningItem.id()).running()).isEqualTo(1);
        assertThat(batches.counts(queuedItem.id()).queued()).isEqualTo(1);
        clock.advance(Duration.ofDays(30));

        assertThat(retention.finishedBatches(clock.instant(), 10)).isEmpty();
        assertThat(retention.deleteTasks(clock.instant(), 100)).hasValue(0);

        assertThat(storedTaskIds()).hasSize(5);
    }

    @Test
    void aBatchWithInputsNotYetWrittenAsTasksIsNotFinished() {
        Batch batch = submittedBatch(3, null);
        clock.advance(Duration.ofDays(30));

        assertThat(retention.finishedBatches(clock.instant(), 10)).isEmpty();
        assertThat(batches.find(batch.id())).isPresent();
    }

    @Test
    void aBatchCancelledBeforeItsItemsWereWrittenGoesWithItsStoredInputs() {
        Batch batch = submittedBatch(3, "cancelled-unwritten");
        assertThat(batches.requestCancel(batch.id())).isTrue();
        clock.advance(Duration.ofDays(30));

        assertThat(retention.finishedBatches(clock.instant(), 10)).containsExactly(batch.id());
        assertThat(retention.deleteBatch(batch.id())).hasValue(1);
        assertThat(batches.find(batch.id())).isEmpty();
        assertThat(batches.inputsFrom(batch.id(), 0)).isEmpty();
    }

    @Test
    void aFinishedBatchIsKeptWhileItsNewestItemIsYoungerThanTheCutoff() {
        Batch batch = writtenBatch(2, null);
        List<Task> items = tasks.claimChunks(10, NODE, clock.instant()).stream().flatMap(List::stream).toList();
        tasks.succeed(items.get(0).id(), 1, "{}", clock.instant());
        Instant cutoff = pastEverythingSoFar();
        clock.advance(Duration.ofHours(1));
        tasks.succeed(items.get(1).id(), 1, "{}", clock.instant());

        assertThat(retention.finishedBatches(cutoff, 10)).isEmpty();
        assertThat(retention.finishedBatches(clock.instant().plusNanos(1000), 10)).containsExactly(batch.id());
    }

    @Test
    void aBatchWhoseItemsClientsDeletedGoesOnceItWasCreatedBeforeTheCutoff() {
        Batch batch = writtenBatch(2, null);
        finishEverythingQueued();
        storedTaskIds().forEach(id -> assertThat(tasks.deleteTerminal(id)).isTrue());

        assertThat(retention.finishedBatches(batch.createdAt(), 10)).isEmpty();
        assertThat(retention.finishedBatches(pastEverythingSoFar(), 10)).containsExactly(batch.id());
        assertThat(retention.deleteBatch(batch.id())).hasValue(1);
        assertThat(batches.find(batch.id())).isEmpty();
    }

    @Test
    void finishedBatchesAreListedOldestFirstUpToTheLimit() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(writtenBatch(1, null).id());
            clock.advance(Duration.ofSeconds(1));
        }
        finishEverythingQueued();

        assertThat(retention.finishedBatches(pastEverythingSoFar(), 2)).containsExactly(ids.get(0), ids.get(1));
    }

    @Test
    void deletingOneBatchsItemsLeavesOtherBatchesAlone() {
        Batch deleted = writtenBatch(3, null);
        Batch other = writtenBatch(2, null);
        finishEverythingQueued();

        deleteAsASweepDoes(deleted.id(), pastEverythingSoFar(), 500);

        assertThat(batches.find(other.id())).isPresent();
        assertThat(batches.counts(other.id()).succeeded()).isEqualTo(2);
        assertThat(storedTaskIds()).hasSize(2);
    }

    @Test
    void theSweepLockIsFreeWhenNoOtherTransactionHoldsIt() {
        assertThat(retention.deleteTasks(clock.instant(), 1)).isEqualTo(OptionalInt.of(0));
        assertThat(retention.deleteItems(UUID.randomUUID(), clock.instant(), 1)).isEqualTo(OptionalInt.of(0));
        assertThat(retention.deleteBatch(UUID.randomUUID())).isEqualTo(OptionalInt.of(0));
    }
}
