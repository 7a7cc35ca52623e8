package io.taskpool.store;

import static io.taskpool.support.TaskFixtures.aQueuedTask;
import static io.taskpool.support.TaskFixtures.ofTenant;
import static io.taskpool.support.TaskFixtures.withAttempt;
import static io.taskpool.support.TaskFixtures.withLabels;
import static io.taskpool.support.TaskFixtures.withType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.taskpool.support.ManualClock;
import io.taskpool.task.Batch;
import io.taskpool.task.BatchItem;
import io.taskpool.task.BatchStore;
import io.taskpool.task.Idempotency;
import io.taskpool.task.IdempotencyKeyTakenException;
import io.taskpool.task.Task;
import io.taskpool.task.TaskAttempt;
import io.taskpool.task.TaskError;
import io.taskpool.task.TaskFailure;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskQuery;
import io.taskpool.task.TaskState;
import io.taskpool.task.TaskStore;
import io.taskpool.task.WrittenItems;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * Every queue behaviour of {@link TaskStore}, run against each database the service supports. A
 * subclass supplies a data source (a fresh connection per {@code getConnection()}, so concurrent
 * claimers really are separate sessions) and the dialect; each test starts from a freshly
 * migrated, empty schema.
 */
abstract class TaskStoreContract {

    private static final String NODE_A = "node-a";
    private static final String NODE_B = "node-b";
    private static final TaskFailure.NodeLost LOST = new TaskFailure.NodeLost("service stopped");

    /** A data source on the database under test; the same one for every test of the class. */
    protected abstract DataSource dataSource();

    protected abstract SqlDialect dialect();

    /** Microsecond precision, like the columns; moved forward by tests that need "later". */
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:20:00.000001Z"));

    TaskStore store;

    @BeforeEach
    void startFromAnEmptyMigratedSchema() {
        TestDatabases.cleanAndMigrate(dataSource());
        store = new JdbcTaskStore(JdbcClient.create(dataSource()), dialect(),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource())), JsonMapper.builder().build());
    }

    /** The same table, seen by a store that serves one process only (an embedded H2 file). */
    private TaskStore singleNodeStore() {
        return new JdbcTaskStore(JdbcClient.create(dataSource()), dialect(),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource())), JsonMapper.builder().build(),
                true);
    }

    // ---- helpers ----

    private Task inserted(Task task) {
        store.insert(task);
        return store.find(task.id()).orElseThrow();
    }

    /**
     * Inserts {@code task} and claims it for {@code owner}. Only call while no other task is
     * QUEUED, so that the claim can only take this one.
     */
    private Task running(Task task, String owner) {
        store.insert(task);
        List<Task> claimed = store.claimQueued(1, owner, clock.instant());
        assertThat(claimed).extracting(Task::id).as("the only queued task is claimed").containsExactly(task.id());
        return claimed.get(0);
    }

    private Task reread(Task task) {
        return store.find(task.id()).orElseThrow();
    }

    private static List<UUID> ids(List<Task> tasks) {
        return tasks.stream().map(Task::id).toList();
    }

    private static TaskQuery all(int limit) {
        return new TaskQuery(null, null, null, null, limit);
    }

    // ---- insert and find ----

    @Test
    void aQueuedTaskRoundTripsEveryField() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "ingest");
        labels.put("note", "ünïcødé ✓ \"quoted\", {braces}");
        Task task = Task.builder().id(UUID.randomUUID()).type("primes.count")
                .inputJson("{\"limit\":1000,\"name\":\"ö\"}").priority(7).timeoutMs(123_456).attempt(2)
                .maxAttempts(5).labels(labels).createdAt(Instant.parse("2026-02-03T04:05:06.789012Z")).build();

        store.insert(task);
        Task found = store.find(task.id()).orElseThrow();

        assertThat(found.sequence()).isPositive();
        assertThat(found).usingRecursiveComparison().ignoringFields("sequence").isEqualTo(task);
        assertThat(found.labels()).containsExactlyInAnyOrderEntriesOf(labels);
        assertThat(found.createdAt()).isEqualTo(Instant.parse("2026-02-03T04:05:06.789012Z"));
    }

    @Test
    void emptyLabelsStayAnEmptyMapAndUnsetFieldsAreNull() {
        Task found = inserted(aQueuedTask());

        assertThat(found.labels()).isNotNull().isEmpty();
        assertThat(found.resultJson()).isNull();
        assertThat(found.error()).isNull();
        assertThat(found.progress()).isNull();
        assertThat(found.startedAt()).isNull();
        assertThat(found.finishedAt()).isNull();
        assertThat(found.workerPid()).isNull();
        assertThat(found.owner()).isNull();
        assertThat(found.cancelRequested()).isFalse();
    }

    @Test
    void theSequenceGrowsWithEachSubmission() {
        Task first = inserted(aQueuedTask());
        Task second = inserted(aQueuedTask());

        assertThat(second.sequence()).isGreaterThan(first.sequence());
    }

    @Test
    void anUnknownIdIsEmpty() {
        assertThat(store.find(UUID.randomUUID())).isEmpty();
    }

    /** The store as the service builds it: through the data source that sees each commit. */
    private TaskStore storeSeeingCommits() {
        CommitTrackingDataSource commits = new CommitTrackingDataSource(dataSource());
        return new JdbcTaskStore(JdbcClient.create(commits), dialect(),
                new TransactionTemplate(new DataSourceTransactionManager(commits)), JsonMapper.builder().build());
    }

    @Test
    void aNewTaskCanBeClaimedFromTheMomentItsCommitReturns() throws Exception {
        TaskStore seeingCommits = storeSeeingCommits();
        ExecutorService claimer = Executors.newSingleThreadExecutor();
        try {
            for (Idempotency idempotency : new Idempotency[] {null, new Idempotency("key-1", "hash")}) {
                Task task = aQueuedTask();
                List<UUID> claimedBeforeInsertReturned = new ArrayList<>();
                // Another session claims it while the inserting thread is still inside insert().
                seeingCommits.insert(task, idempotency, () -> claimedBeforeInsertReturned.addAll(ids(
                        join(claimer.submit(() -> store.claimQueued(5, NODE_A, clock.instant()))))));

                assertThat(claimedBeforeInsertReturned).as("keyed: %s", idempotency != null)
                        .containsExactly(task.id());
            }
        } finally {
            claimer.shutdownNow();
        }
    }

    @Test
    void whatWaitsForTheCommitOfAnInsertThatFailsNeverRuns() {
        TaskStore seeingCommits = storeSeeingCommits();
        Idempotency key = new Idempotency("key-1", "hash");
        seeingCommits.insert(aQueuedTask(), key, () -> {});
        List<String> ran = new ArrayList<>();

        assertThatThrownBy(() -> seeingCommits.insert(aQueuedTask(), key, () -> ran.add("committed")))
                .isInstanceOf(IdempotencyKeyTakenException.class);
        Task next = aQueuedTask();
        seeingCommits.insert(next, null, () -> ran.add("next"));

        assertThat(ran).as("the failed insert's callback is not left for the next commit").containsExactly("next");
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the claim on another session did not finish", e);
        }
    }

    @Test
    void aSucceededTaskRoundTripsItsRunFields() {
        Instant claimedAt = clock.instant();
        Task task = running(aQueuedTask(), NODE_A);
        assertThat(store.recordWorker(task.id(), task.attempt(), 4_321_987_654L)).isTrue();
        assertThat(store.recordProgress(task.id(), task.attempt(), new TaskProgress(0.25, "a quarter ✓")))
                .isTrue();
        Instant finishedAt = clock.advance(Duration.ofNanos(1_234_567_000L));

        assertThat(store.succeed(task.id(), task.attempt(), "{\"answer\":42,\"text\":\"π\"}", finishedAt))
                .isTrue();

        Task found = reread(task);
        assertThat(found.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(found.resultJson()).isEqualTo("{\"answer\":42,\"text\":\"π\"}");
        assertThat(found.startedAt()).isEqualTo(claimedAt);
        assertThat(found.finishedAt()).isEqualTo(finishedAt);
        assertThat(found.workerPid()).isEqualTo(4_321_987_654L);
        assertThat(found.progress().fraction()).isEqualTo(1.0);
        assertThat(found.owner()).isNull();
        assertThat(found.error()).isNull();
    }

    // ---- logs ----

    @Test
    void aTaskHasAnEmptyLogUntilItLogsAndAnUnknownOneHasNone() {
        Task task = inserted(aQueuedTask());

        assertThat(store.findLog(task.id())).contains("");
        assertThat(store.findLog(UUID.randomUUID())).isEmpty();
    }

    @Test
    void appendedLogTextIsKeptInOrder() {
        Task task = running(aQueuedTask(), NODE_A);

        assertThat(store.appendLog(task.id(), task.attempt(), "first ✓\n", 1000)).isTrue();
        assertThat(store.appendLog(task.id(), task.attempt(), "second\nthird\n", 1000)).isTrue();

        assertThat(store.findLog(task.id())).contains("first ✓\nsecond\nthird\n");
    }

    @Test
    void appendingKeepsOnlyTheLastCharacters() {
        Task task = running(aQueuedTask(), NODE_A);

        store.appendLog(task.id(), task.attempt(), "abcdef", 4);
        assertThat(store.findLog(task.id())).contains("cdef");
        store.appendLog(task.id(), task.attempt(), "gh", 4);
        assertThat(store.findLog(task.id())).contains("efgh");
        store.appendLog(task.id(), task.attempt(), "0123456789", 4);
        assertThat(store.findLog(task.id())).contains("6789");
    }

    @Test
    void onlyARunningTaskAtItsAttemptAppendsToItsLog() {
        Task task = running(aQueuedTask(), NODE_B);
        Task queued = inserted(aQueuedTask());
        assertThat(store.appendLog(queued.id(), queued.attempt(), "x", 100)).isFalse();
        assertThat(store.appendLog(UUID.randomUUID(), 1, "x", 100)).isFalse();

        assertThat(store.appendLog(task.id(), task.attempt() + 1, "stale", 100)).isFalse();
        store.appendLog(task.id(), task.attempt(), "kept", 100);
        store.succeed(task.id(), task.attempt(), "{}", clock.instant());
        assertThat(store.appendLog(task.id(), task.attempt(), "late", 100)).isFalse();

        assertThat(store.findLog(task.id())).contains("kept");
        assertThat(reread(task).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aFailedTaskRoundTripsItsError() {
        Task task = running(aQueuedTask(), NODE_A);
        Instant now = clock.advance(Duration.ofMillis(5));

        assertThat(store.fail(task.id(), task.attempt(),
                new TaskFailure.TaskError("java.lang.IllegalStateException", "boom ✗", "at x.y(Z.java:1)"), now))
                .isTrue();

        Task found = reread(task);
        assertThat(found.state()).isEqualTo(TaskState.FAILED);
        assertThat(found.error()).isEqualTo(
                new TaskError("TASK_FAILED", "java.lang.IllegalStateException: boom ✗", "at x.y(Z.java:1)"));
        assertThat(found.finishedAt()).isEqualTo(now);
        assertThat(found.resultJson()).isNull();
        assertThat(found.owner()).isNull();
    }

    // ---- claim ----

    @Test
    void claimTakesHigherPriorityFirstThenFirstSubmittedFirst() {
        Task low1 = inserted(aQueuedTask(0));
        Task high1 = inserted(aQueuedTask(5));
        Task negative = inserted(aQueuedTask(-3));
        Task low2 = inserted(aQueuedTask(0));
        Task high2 = inserted(aQueuedTask(5));

        List<Task> claimed = store.claimQueued(10, NODE_A, clock.instant());

        assertThat(ids(claimed)).containsExactly(high1.id(), high2.id(), low1.id(), low2.id(), negative.id());
    }

    @Test
    void successiveClaimsFollowTheQueueOrder() {
        Task low1 = inserted(aQueuedTask(0));
        Task high1 = inserted(aQueuedTask(5));
        Task low2 = inserted(aQueuedTask(0));
        Task high2 = inserted(aQueuedTask(5));

        assertThat(ids(store.claimQueued(1, NODE_A, clock.instant()))).containsExactly(high1.id());
        assertThat(ids(store.claimQueued(2, NODE_A, clock.instant()))).containsExactly(high2.id(), low1.id());
        assertThat(ids(store.claimQueued(2, NODE_A, clock.instant()))).containsExactly(low2.id());
        assertThat(store.claimQueued(2, NODE_A, clock.instant())).isEmpty();
    }

    @Test
    void claimTakesAtMostMax() {
        for (int i = 0; i < 5; i++) {
            store.insert(aQueuedTask());
        }

        assertThat(store.claimQueued(3, NODE_A, clock.instant())).hasSize(3);
        assertThat(store.countQueued()).isEqualTo(2);
    }

    @Test
    void claimOnAnEmptyQueueGivesNothing() {
        assertThat(store.claimQueued(5, NODE_A, clock.instant())).isEmpty();
    }

    @Test
    void claimSetsRunningOwnerAndStartedAtAndKeepsTheAttempt() {
        Task queued = inserted(withAttempt(aQueuedTask(), 2, 3));
        Instant now = clock.advance(Duration.ofSeconds(3));

        Task claimed = store.claimQueued(1, NODE_A, now).get(0);

        for (Task task : List.of(claimed, reread(queued))) {
            assertThat(task.id()).isEqualTo(queued.id());
            assertThat(task.state()).isEqualTo(TaskState.RUNNING);
            assertThat(task.owner()).isEqualTo(NODE_A);
            assertThat(task.startedAt()).isEqualTo(now);
            assertThat(task.attempt()).isEqualTo(2);
            assertThat(task.sequence()).isEqualTo(queued.sequence());
            assertThat(task.workerPid()).isNull();
            assertThat(task.progress()).isNull();
        }
    }

    @Test
    void claimSkipsTasksThatAreNotQueued() {
        Task runningTask = running(aQueuedTask(9), NODE_B);
        Task cancelled = inserted(aQueuedTask(9));
        store.cancelQueued(cancelled.id(), clock.instant());
        Task queued = inserted(aQueuedTask(0));

        assertThat(ids(store.claimQueued(10, NODE_A, clock.instant()))).containsExactly(queued.id());
        assertThat(reread(runningTask).owner()).isEqualTo(NODE_B);
        assertThat(reread(cancelled).state()).isEqualTo(TaskState.CANCELLED);
    }

    @Test
    void concurrentClaimersNeverShareATaskAndTogetherTakeAll() throws Exception {
        int taskCount = 200;
        int claimers = 4;
        Set<UUID> submitted = new HashSet<>();
        for (int i = 0; i < taskCount; i++) {
            Task task = aQueuedTask(i % 3);
            store.insert(task);
            submitted.add(task.id());
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        try {
            List<Future<List<UUID>>> results = new ArrayList<>();
            for (int c = 0; c < claimers; c++) {
                String owner = "claimer-" + c;
                Callable<List<UUID>> claimer = () -> {
                    start.await();
                    List<UUID> mine = new ArrayList<>();
                    // Until the queue is empty. A claim may come back empty while rows are still
                    // QUEUED ("up to max"): H2 does so when the row it picked was claimed by
                    // another session just before it could lock it. So only the count ends it.
                    while (!Thread.currentThread().isInterrupted()) {
                        List<Task> claimed = store.claimQueued(1, owner, clock.instant());
                        if (claimed.isEmpty() && store.countQueued() == 0) {
                            return mine;
                        }
                        claimed.forEach(task -> assertThat(task.owner()).isEqualTo(owner));
                        mine.addAll(ids(claimed));
                    }
                    return mine;
                };
                results.add(pool.submit(claimer));
            }
            start.countDown();

            List<UUID> allClaims = new ArrayList<>();
            for (Future<List<UUID>> result : results) {
                allClaims.addAll(result.get(2, TimeUnit.MINUTES));
            }

            assertThat(allClaims).as("claims across all claimers").doesNotHaveDuplicates()
                    .hasSize(taskCount);
            assertThat(new HashSet<>(allClaims)).isEqualTo(submitted);
            assertThat(store.countQueued()).isZero();
            assertThat(store.list(new TaskQuery(TaskState.RUNNING, null, null, null, taskCount + 1)))
                    .hasSize(taskCount);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    // ---- guarded transitions ----

    @Test
    void succeedTwiceOnlyTheFirstWins() {
        Task task = running(aQueuedTask(), NODE_A);

        assertThat(store.succeed(task.id(), task.attempt(), "{\"n\":1}", clock.instant())).isTrue();
        assertThat(store.succeed(task.id(), task.attempt(), "{\"n\":2}", clock.instant())).isFalse();

        assertThat(reread(task).resultJson()).isEqualTo("{\"n\":1}");
    }

    @Test
    void failAfterSucceedLoses() {
        Task task = running(aQueuedTask(), NODE_A);
        store.succeed(task.id(), task.attempt(), "{}", clock.instant());

        assertThat(store.fail(task.id(), task.attempt(), new TaskFailure.TimedOut(10), clock.instant())).isFalse();

        Task found = reread(task);
        assertThat(found.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(found.error()).isNull();
    }

    @Test
    void succeedAfterFailLoses() {
        Task task = running(aQueuedTask(), NODE_A);
        store.fail(task.id(), task.attempt(), new TaskFailure.WorkerCrashed("exit 137", null), clock.instant());

        assertThat(store.succeed(task.id(), task.attempt(), "{}", clock.instant())).isFalse();

        Task found = reread(task);
        assertThat(found.state()).isEqualTo(TaskState.FAILED);
        assertThat(found.resultJson()).isNull();
    }

    @Test
    void aWrongAttemptLoses() {
        Task task = running(withAttempt(aQueuedTask(), 2, 3), NODE_A);

        assertThat(store.succeed(task.id(), 1, "{}", clock.instant())).isFalse();
        assertThat(store.succeed(task.id(), 3, "{}", clock.instant())).isFalse();
        assertThat(store.fail(task.id(), 1, new TaskFailure.TimedOut(10), clock.instant())).isFalse();

        assertThat(reread(task).state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void aQueuedTaskCannotSucceedOrFail() {
        Task task = inserted(aQueuedTask());

        assertThat(store.succeed(task.id(), task.attempt(), "{}", clock.instant())).isFalse();
        assertThat(store.fail(task.id(), task.attempt(), new TaskFailure.TimedOut(10), clock.instant())).isFalse();

        assertThat(reread(task).state()).isEqualTo(TaskState.QUEUED);
    }

    @Test
    void eachFailureEndsInItsOwnState() {
        Task timedOut = running(aQueuedTask(), NODE_A);
        Task cancelled = running(aQueuedTask(), NODE_A);
        Task crashed = running(aQueuedTask(), NODE_A);

        assertThat(store.fail(timedOut.id(), 1, new TaskFailure.TimedOut(1500), clock.instant())).isTrue();
        assertThat(store.fail(cancelled.id(), 1, new TaskFailure.Cancelled("cancelled by a client"),
                clock.instant())).isTrue();
        assertThat(store.fail(crashed.id(), 1, new TaskFailure.WorkerCrashed("exit 137", "last line"),
                clock.instant())).isTrue();

        assertThat(reread(timedOut).state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(reread(timedOut).error().code()).isEqualTo("TIMED_OUT");
        assertThat(reread(cancelled).state()).isEqualTo(TaskState.CANCELLED);
        assertThat(reread(cancelled).error().code()).isEqualTo("CANCELLED");
        assertThat(reread(crashed).state()).isEqualTo(TaskState.FAILED);
        assertThat(reread(crashed).error()).isEqualTo(new TaskError("WORKER_CRASHED", "exit 137", "last line"));
    }

    @Test
    void cancelQueuedCancelsAQueuedTaskOnce() {
        Task task = inserted(aQueuedTask());
        Instant now = clock.advance(Duration.ofSeconds(1));

        assertThat(store.cancelQueued(task.id(), now)).isTrue();
        assertThat(store.cancelQueued(task.id(), now)).isFalse();

        Task found = reread(task);
        assertThat(found.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(found.error().code()).isEqualTo("CANCELLED");
        assertThat(found.finishedAt()).isEqualTo(now);
    }

    @Test
    void cancelQueuedOnARunningTaskLoses() {
        Task task = running(aQueuedTask(), NODE_A);

        assertThat(store.cancelQueued(task.id(), clock.instant())).isFalse();

        Task found = reread(task);
        assertThat(found.state()).isEqualTo(TaskState.RUNNING);
        assertThat(found.error()).isNull();
        assertThat(found.finishedAt()).isNull();
    }

    @Test
    void requestCancelMarksOnlyARunningTask() {
        Task queued = inserted(aQueuedTask());
        assertThat(store.requestCancel(queued.id())).isFalse();
        assertThat(reread(queued).cancelRequested()).isFalse();

        store.cancelQueued(queued.id(), clock.instant());
        Task runningTask = running(aQueuedTask(), NODE_A);
        assertThat(store.requestCancel(runningTask.id())).isTrue();
        assertThat(reread(runningTask).cancelRequested()).isTrue();
        assertThat(reread(runningTask).state()).isEqualTo(TaskState.RUNNING);

        store.succeed(runningTask.id(), runningTask.attempt(), "{}", clock.instant());
        assertThat(store.requestCancel(runningTask.id())).isFalse();
    }

    @Test
    void anUnknownTaskLosesEveryTransition() {
        UUID unknown = UUID.randomUUID();

        assertThat(store.succeed(unknown, 1, "{}", clock.instant())).isFalse();
        assertThat(store.fail(unknown, 1, new TaskFailure.TimedOut(1), clock.instant())).isFalse();
        assertThat(store.cancelQueued(unknown, clock.instant())).isFalse();
        assertThat(store.requestCancel(unknown)).isFalse();
        assertThat(store.recordWorker(unknown, 1, 42)).isFalse();
        assertThat(store.recordProgress(unknown, 1, new TaskProgress(0.5, null))).isFalse();
        assertThat(store.deleteTerminal(unknown)).isFalse();
    }

    // ---- worker and progress ----

    @Test
    void workerAndProgressAreRecordedOnARunningTaskOfTheSameAttempt() {
        Task task = running(aQueuedTask(), NODE_A);

        assertThat(store.recordWorker(task.id(), task.attempt(), 777)).isTrue();
        assertThat(store.recordProgress(task.id(), task.attempt(), new TaskProgress(0.5, "half"))).isTrue();
        assertThat(store.recordProgress(task.id(), task.attempt(), new TaskProgress(0.75, null))).isTrue();

        Task found = reread(task);
        assertThat(found.workerPid()).isEqualTo(777L);
        assertThat(found.progress()).isEqualTo(new TaskProgress(0.75, null));
    }

    @Test
    void workerAndProgressAreNotRecordedForAnotherAttempt() {
        Task task = running(aQueuedTask(), NODE_A);

        assertThat(store.recordWorker(task.id(), task.attempt() + 1, 777)).isFalse();
        assertThat(store.recordProgress(task.id(), task.attempt() + 1, new TaskProgress(0.5, "half"))).isFalse();

        Task found = reread(task);
        assertThat(found.workerPid()).isNull();
        assertThat(found.progress()).isNull();
    }

    @Test
    void workerAndProgressAreNotRecordedOnAQueuedTask() {
        Task task = inserted(aQueuedTask());

        assertThat(store.recordWorker(task.id(), task.attempt(), 777)).isFalse();
        assertThat(store.recordProgress(task.id(), task.attempt(), new TaskProgress(0.5, "half"))).isFalse();

        assertThat(reread(task).workerPid()).isNull();
        assertThat(reread(task).progress()).isNull();
    }

    @Test
    void workerAndProgressAreNotRecordedOnAFinishedTask() {
        Task task = running(aQueuedTask(), NODE_A);
        store.fail(task.id(), task.attempt(), new TaskFailure.TimedOut(10), clock.instant());

        assertThat(store.recordWorker(task.id(), task.attempt(), 777)).isFalse();
        assertThat(store.recordProgress(task.id(), task.attempt(), new TaskProgress(0.5, "half"))).isFalse();

        assertThat(reread(task).workerPid()).isNull();
        assertThat(reread(task).progress()).isNull();
    }

    // ---- list and count ----

    @Test
    void listIsNewestFirst() {
        Task first = inserted(aQueuedTask(9));
        Task second = inserted(aQueuedTask(0));
        Task third = inserted(aQueuedTask(5));

        assertThat(ids(store.list(all(10)))).containsExactly(third.id(), second.id(), first.id());
        assertThat(ids(store.list(all(2)))).containsExactly(third.id(), second.id());
    }

    @Test
    void listFiltersByStateAndType() {
        Task runningPrimes = running(withType(aQueuedTask(), "primes"), NODE_A);
        Task queuedPrimes = inserted(withType(aQueuedTask(), "primes"));
        Task queuedSha = inserted(withType(aQueuedTask(), "sha256"));
        Task queuedNoop = inserted(aQueuedTask());

        assertThat(ids(store.list(new TaskQuery(TaskState.QUEUED, null, null, null, 10))))
                .containsExactly(queuedNoop.id(), queuedSha.id(), queuedPrimes.id());
        assertThat(ids(store.list(new TaskQuery(TaskState.RUNNING, null, null, null, 10))))
                .containsExactly(runningPrimes.id());
        assertThat(ids(store.list(new TaskQuery(null, "primes", null, null, 10))))
                .containsExactly(queuedPrimes.id(), runningPrimes.id());
        assertThat(ids(store.list(new TaskQuery(TaskState.QUEUED, "primes", null, null, 10))))
                .containsExactly(queuedPrimes.id());
        assertThat(store.list(new TaskQuery(TaskState.SUCCEEDED, null, null, null, 10))).isEmpty();
        assertThat(store.list(new TaskQuery(null, "unknown", null, null, 10))).isEmpty();
    }

    @Test
    void listFiltersByLabelsMatchingWholeKeysAndValues() {
        Task search = inserted(withLabels(aQueuedTask(), Map.of("team", "search", "env", "prod")));
        Task searchDev = inserted(withLabels(aQueuedTask(), Map.of("team", "search", "env", "dev")));
        inserted(withLabels(aQueuedTask(), Map.of("team", "searchers", "myteam", "search")));
        Task wild = inserted(withLabels(aQueuedTask(), Map.of("pct", "50%_off", "quote", "say \"hi\" \\ ö")));
        inserted(withLabels(aQueuedTask(), Map.of("pct", "50xxoff")));
        inserted(aQueuedTask());

        assertThat(ids(store.list(byLabels(Map.of("team", "search"))))).containsExactly(searchDev.id(), search.id());
        assertThat(ids(store.list(byLabels(Map.of("team", "search", "env", "prod"))))).containsExactly(search.id());
        assertThat(store.list(byLabels(Map.of("team", "sea")))).as("a value matches whole").isEmpty();
        assertThat(store.list(byLabels(Map.of("eam", "search")))).as("a key matches whole").isEmpty();
        assertThat(ids(store.list(byLabels(Map.of("pct", "50%_off"))))).as("LIKE wildcards are literal")
                .containsExactly(wild.id());
        assertThat(ids(store.list(byLabels(Map.of("quote", "say \"hi\" \\ ö"))))).containsExactly(wild.id());
        assertThat(ids(store.list(new TaskQuery(null, null, null, Map.of("team", "search"), searchDev.sequence(),
                10, null)))).as("with the cursor").containsExactly(search.id());
    }

    private static TaskQuery byLabels(Map<String, String> labels) {
        return new TaskQuery(null, null, null, labels, null, 10, null);
    }

    @Test
    void queuedByPriorityAndRunningAreCountedInAllAndPerTenant() {
        running(ofTenant(aQueuedTask(9), "beta"), NODE_A);
        store.insert(ofTenant(aQueuedTask(5), "acme"));
        store.insert(ofTenant(aQueuedTask(5), "beta"));
        store.insert(ofTenant(aQueuedTask(0), "beta"));

        assertThat(store.queuedByPriority()).containsExactlyInAnyOrderEntriesOf(Map.of(5, 2L, 0, 1L));
        assertThat(store.queuedByPriorityOf("beta")).containsExactlyInAnyOrderEntriesOf(Map.of(5, 1L, 0, 1L));
        assertThat(store.queuedByPriorityOf("nobody")).isEmpty();
        assertThat(store.countRunning()).isEqualTo(1);
        assertThat(store.countRunningOf("beta")).isEqualTo(1);
        assertThat(store.countRunningOf("acme")).isZero();
    }

    @Test
    void listBeforeSequenceIsAnExclusiveCursor() {
        Task first = inserted(aQueuedTask());
        Task second = inserted(aQueuedTask());
        Task third = inserted(aQueuedTask());

        assertThat(ids(store.list(new TaskQuery(null, null, null, third.sequence(), 10))))
                .containsExactly(second.id(), first.id());
        assertThat(store.list(new TaskQuery(null, null, null, first.sequence(), 10))).isEmpty();
    }

    @Test
    void listPagingReturnsEveryTaskExactlyOnceWhileTasksAreSubmitted() {
        Set<UUID> before = new HashSet<>();
        for (int i = 0; i < 11; i++) {
            before.add(inserted(aQueuedTask(i % 4)).id());
        }

        List<Task> seen = new ArrayList<>();
        Long cursor = null;
        int pages = 0;
        while (true) {
            List<Task> page = store.list(new TaskQuery(null, null, null, cursor, 3));
            pages++;
            if (page.isEmpty()) {
                break;
            }
            seen.addAll(page);
            cursor = page.get(page.size() - 1).sequence();
            // Submissions between page reads land before the cursor, not in a later page.
            store.insert(aQueuedTask(9));
            assertThat(pages).as("pages read").isLessThan(20);
        }

        assertThat(ids(seen)).doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids(seen))).isEqualTo(before);
        assertThat(seen).extracting(Task::sequence).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void countQueuedCountsOnlyQueuedTasks() {
        assertThat(store.countQueued()).isZero();
        Task runningTask = running(aQueuedTask(), NODE_A);
        Task cancelled = inserted(aQueuedTask());
        store.cancelQueued(cancelled.id(), clock.instant());
        store.insert(aQueuedTask());
        store.insert(aQueuedTask());

        assertThat(store.countQueued()).isEqualTo(2);

        store.succeed(runningTask.id(), runningTask.attempt(), "{}", clock.instant());
        store.claimQueued(1, NODE_A, clock.instant());
        assertThat(store.countQueued()).isEqualTo(1);
    }

    // ---- unclaim ----

    @Test
    void unclaimPutsClaimedTasksBackInTheQueueWithTheAttemptUnchanged() {
        Task first = inserted(withAttempt(aQueuedTask(), 2, 3));
        Task second = inserted(aQueuedTask());
        Task third = inserted(aQueuedTask());
        List<Task> claimed = store.claimQueued(3, NODE_A, clock.instant());
        assertThat(claimed).hasSize(3);

        assertThat(store.unclaim(List.of(first.id(), second.id()), NODE_A, clock.instant())).isEqualTo(2);

        for (Task task : List.of(reread(first), reread(second))) {
            assertThat(task.state()).isEqualTo(TaskState.QUEUED);
            assertThat(task.owner()).isNull();
            assertThat(task.startedAt()).isNull();
            assertThat(task.workerPid()).isNull();
        }
        assertThat(reread(first).attempt()).isEqualTo(2);
        assertThat(reread(second).attempt()).isEqualTo(1);
        assertThat(reread(third).state()).isEqualTo(TaskState.RUNNING);
        assertThat(store.countQueued()).isEqualTo(2);
        // Back in their old place in the queue.
        assertThat(ids(store.claimQueued(5, NODE_A, clock.instant()))).containsExactly(first.id(), second.id());
    }

    @Test
    void unclaimCancelsAClaimedTaskWhoseCancelWasRequested() {
        Task task = inserted(aQueuedTask());
        store.claimQueued(1, NODE_A, clock.instant());
        assertThat(store.requestCancel(task.id())).isTrue();

        assertThat(store.unclaim(List.of(task.id()), NODE_A, clock.instant())).isZero();

        Task after = reread(task);
        assertThat(after.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(after.error().code()).isEqualTo("CANCELLED");
        assertThat(after.finishedAt()).isNotNull();
    }

    @Test
    void unclaimLeavesAnotherOwnersAndFinishedTasksAlone() {
        Task other = running(aQueuedTask(), NODE_B);
        Task finished = running(aQueuedTask(), NODE_A);
        store.succeed(finished.id(), finished.attempt(), "{}", clock.instant());
        Task queued = inserted(aQueuedTask());

        assertThat(store.unclaim(List.of(other.id(), finished.id(), queued.id()), NODE_A, clock.instant())).isZero();

        assertThat(reread(other).state()).isEqualTo(TaskState.RUNNING);
        assertThat(reread(other).owner()).isEqualTo(NODE_B);
        assertThat(reread(finished).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(reread(queued).state()).isEqualTo(TaskState.QUEUED);
    }

    // ---- recovery after a restart ----

    @Test
    void recoveryRequeuesLostRunsWithoutCountingThemAndFailsTasksInterruptedTooOften() {
        Task lastAttempt = running(withAttempt(aQueuedTask(), 3, 3), NODE_A);
        store.recordWorker(lastAttempt.id(), lastAttempt.attempt(), 99);
        store.recordProgress(lastAttempt.id(), lastAttempt.attempt(), new TaskProgress(0.4, "forty"));
        Task cancelling = running(aQueuedTask(), NODE_A);
        store.requestCancel(cancelling.id());
        Task otherOwner = running(withAttempt(aQueuedTask(), 3, 3), NODE_B);
        Task finished = running(aQueuedTask(), NODE_A);
        store.succeed(finished.id(), finished.attempt(), "{}", clock.instant());
        Task queued = inserted(aQueuedTask());
        Instant now = clock.advance(Duration.ofMinutes(1));

        TaskStore.Recovery recovery = store.recoverRunning(NODE_A, false, LOST, 3, now);

        assertThat(recovery.requeued()).isEqualTo(1);
        assertThat(recovery.failed()).containsExactly(cancelling.id());

        Task requeued = reread(lastAttempt);
        assertThat(requeued.state()).isEqualTo(TaskState.QUEUED);
        assertThat(requeued.attempt()).isEqualTo(4);
        assertThat(requeued.interruptions()).isEqualTo(1);
        assertThat(requeued.attemptsCounted()).as("the lost run is not counted").isEqualTo(3);
        assertThat(requeued.owner()).isNull();
        assertThat(requeued.startedAt()).isNull();
        assertThat(requeued.workerPid()).isNull();
        assertThat(requeued.progress()).isNull();
        assertThat(requeued.cancelRequested()).isFalse();
        assertThat(store.earlierAttempts(List.of(lastAttempt.id())).get(lastAttempt.id())).singleElement()
                .satisfies(attempt -> {
                    assertThat(attempt.attempt()).isEqualTo(3);
                    assertThat(attempt.workerPid()).isEqualTo(99L);
                    assertThat(attempt.error().code()).isEqualTo("NODE_LOST");
                    assertThat(attempt.error().message()).isEqualTo("service stopped");
                });

        Task cancelled = reread(cancelling);
        assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(cancelled.error().code()).isEqualTo("CANCELLED");
        assertThat(cancelled.finishedAt()).isEqualTo(now);

        assertThat(reread(otherOwner)).usingRecursiveComparison().isEqualTo(otherOwner);
        assertThat(reread(finished).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(reread(queued)).usingRecursiveComparison().isEqualTo(queued);
    }

    @Test
    void aTaskInterruptedMoreThanTheLimitFailsWithNodeLost() {
        Task task = inserted(withAttempt(aQueuedTask(), 1, 1));
        for (int interruption = 1; interruption <= 2; interruption++) {
            store.claimQueued(1, NODE_A, clock.instant());
            TaskStore.Recovery recovery =
                    store.recoverRunning(NODE_A, false, LOST, 2, clock.advance(Duration.ofSeconds(1)));
            assertThat(recovery.requeued()).as("interruption %d", interruption).isEqualTo(1);
        }
        store.claimQueued(1, NODE_A, clock.instant());

        TaskStore.Recovery recovery =
                store.recoverRunning(NODE_A, false, LOST, 2, clock.advance(Duration.ofSeconds(1)));

        assertThat(recovery.requeued()).isZero();
        assertThat(recovery.failed()).containsExactly(task.id());
        Task failed = reread(task);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.attempt()).isEqualTo(3);
        assertThat(failed.error().code()).isEqualTo("NODE_LOST");
        assertThat(failed.error().message()).startsWith("service stopped; the task was interrupted 3 times")
                .contains("taskpool.tasks.max-interruptions (2)");
        assertThat(store.earlierAttempts(List.of(task.id())).get(task.id())).extracting(TaskAttempt::attempt,
                attempt -> attempt.error().code()).containsExactly(tuple(1, "NODE_LOST"), tuple(2, "NODE_LOST"));
    }

    @Test
    void aFailureAfterAnInterruptionIsRetriedAsIfTheLostRunHadNotHappened() {
        Task task = inserted(withAttempt(aQueuedTask(), 1, 2));
        store.claimQueued(1, NODE_A, clock.instant());
        store.recoverRunning(NODE_A, false, LOST, 3, clock.instant());
        Task second = store.claimQueued(1, NODE_A, clock.instant()).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        TaskFailure boom = new TaskFailure.TaskError("java.lang.IllegalStateException", "boom", null);

        assertThat(store.retry(task.id(), 2, boom, clock.instant(), clock.instant()))
                .as("one counted attempt of two used").isTrue();
        Task third = store.claimQueued(1, NODE_A, clock.instant()).get(0);
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(third.attemptsCounted()).isEqualTo(2);
        assertThat(store.retry(task.id(), 3, boom, clock.instant(), clock.instant()))
                .as("both counted attempts used").isFalse();
    }

    @Test
    void aRecoveredTaskIsClaimedAgainInItsOldPlace() {
        Task interrupted = running(aQueuedTask(), NODE_A);
        Task later = inserted(aQueuedTask());

        store.recoverRunning(NODE_A, false, LOST, 3, clock.instant());

        List<Task> claimed = store.claimQueued(2, NODE_A, clock.instant());
        assertThat(ids(claimed)).containsExactly(interrupted.id(), later.id());
        assertThat(claimed.get(0).attempt()).isEqualTo(2);
    }

    @Test
    void recoveryWithNothingOfItsOwnChangesNothing() {
        Task other = running(aQueuedTask(), NODE_B);

        TaskStore.Recovery recovery = store.recoverRunning(NODE_A, false, LOST, 3, clock.instant());

        assertThat(recovery.requeued()).isZero();
        assertThat(recovery.failed()).isEmpty();
        assertThat(reread(other)).usingRecursiveComparison().isEqualTo(other);
    }

    @Test
    void aSingleNodeStoreRecoversTheRunningTasksOfEveryEarlierNodeId() {
        Task underOldName = running(aQueuedTask(), NODE_A);
        Task underOtherName = running(withAttempt(aQueuedTask(), 3, 3), NODE_B);
        Task finished = running(aQueuedTask(), NODE_B);
        store.succeed(finished.id(), finished.attempt(), "{}", clock.instant());

        TaskStore.Recovery recovery = singleNodeStore().recoverRunning("node-c", false, LOST, 3, clock.instant());

        assertThat(recovery.requeued()).isEqualTo(2);
        assertThat(recovery.failed()).isEmpty();
        assertThat(reread(underOldName).state()).isEqualTo(TaskState.QUEUED);
        assertThat(reread(underOldName).attempt()).isEqualTo(2);
        assertThat(reread(underOtherName).state()).isEqualTo(TaskState.QUEUED);
        assertThat(reread(underOtherName).attempt()).isEqualTo(4);
        assertThat(reread(finished).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aRestartRecoversEveryEarlierLifeOfItsNameAndNoOtherName() {
        Task ofAnEarlierLife = running(aQueuedTask(), "node_a#1k2");
        Task underTheBareName = running(aQueuedTask(), "node_a");
        Task ofALongerName = running(aQueuedTask(), "node_ab#1k2");
        Task ofALookAlike = running(aQueuedTask(), "nodeXa#1k2");

        TaskStore.Recovery recovery = store.recoverRunning("node_a", false, LOST, 3, clock.instant());

        assertThat(recovery.requeued()).isEqualTo(2);
        assertThat(reread(ofAnEarlierLife).state()).isEqualTo(TaskState.QUEUED);
        assertThat(reread(underTheBareName).state()).isEqualTo(TaskState.QUEUED);
        assertThat(reread(ofALongerName)).usingRecursiveComparison().isEqualTo(ofALongerName);
        assertThat(reread(ofALookAlike)).usingRecursiveComparison().isEqualTo(ofALookAlike);
    }

    @Test
    void aRestartUnderASharedNameLeavesTheLeasesOthersStillRenew() {
        Task ofTheDeadLife = running(aQueuedTask(), NODE_A + "#dead");
        clock.advance(Duration.ofSeconds(14));
        Task ofALiveNeighbour = running(aQueuedTask(), NODE_A + "#alive");
        Instant now = clock.advance(Duration.ofSeconds(2));

        TaskStore.Recovery recovery = store.recoverRunning(NODE_A, true, LOST, 3, now);

        assertThat(recovery.requeued()).isEqualTo(1);
        assertThat(reread(ofTheDeadLife).state()).isEqualTo(TaskState.QUEUED);
        assertThat(reread(ofALiveNeighbour)).usingRecursiveComparison().isEqualTo(ofALiveNeighbour);
    }

    @Test
    void aLostReplicasExpiredRunsAreRequeuedButNotThoseItRenewed() {
        Duration lease = Duration.ofSeconds(15); // the store's default
        Task expired = running(aQueuedTask(), NODE_A);
        clock.advance(Duration.ofSeconds(10));
        Task renewedLater = running(aQueuedTask(), NODE_A);
        Task ofAnotherNode = running(aQueuedTask(), NODE_B);
        Instant now = clock.advance(lease.minusSeconds(5).plusMillis(1));

        TaskStore.Recovery recovery = store.recoverExpired(NODE_A, LOST, 3, now);

        assertThat(recovery.requeued()).isEqualTo(1);
        assertThat(reread(expired).state()).isEqualTo(TaskState.QUEUED);
        assertThat(reread(expired).interruptions()).isEqualTo(1);
        assertThat(reread(renewedLater)).usingRecursiveComparison().isEqualTo(renewedLater);
        assertThat(reread(ofAnotherNode)).usingRecursiveComparison().isEqualTo(ofAnotherNode);
    }

    // ---- retries ----

    @Test
    void retryRequeuesTheNextAttemptNotClaimableBeforeItsTimeAndKeepsTheFailedOne() {
        Task task = running(aQueuedTask(), NODE_A);
        store.recordWorker(task.id(), task.attempt(), 4242);
        Instant notBefore = clock.instant().plusSeconds(5);

        assertThat(store.retry(task.id(), 1, new TaskFailure.TaskError("java.lang.IllegalStateException", "boom", null), notBefore,
                clock.instant())).isTrue();

        Task queued = reread(task);
        assertThat(queued.state()).isEqualTo(TaskState.QUEUED);
        assertThat(queued.attempt()).isEqualTo(2);
        assertThat(queued.notBefore()).isEqualTo(notBefore);
        assertThat(queued.owner()).isNull();
        assertThat(queued.workerPid()).isNull();
        assertThat(store.earlierAttempts(List.of(task.id())).get(task.id())).singleElement().satisfies(attempt -> {
            assertThat(attempt.attempt()).isEqualTo(1);
            assertThat(attempt.workerPid()).isEqualTo(4242L);
            assertThat(attempt.startedAt()).isEqualTo(task.startedAt());
            assertThat(attempt.error().code()).isEqualTo("TASK_FAILED");
        });
        assertThat(store.claimQueued(1, NODE_A, clock.instant())).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(store.claimQueued(1, NODE_B, clock.instant())).extracting(Task::id, Task::attempt)
                .containsExactly(tuple(task.id(), 2));
    }

    @Test
    void retryOfAnOldAttemptOrOfATaskBeingCancelledOrOutOfAttemptsChangesNothing() {
        Task task = running(aQueuedTask(), NODE_A);
        Instant later = clock.instant().plusSeconds(1);
        TaskFailure failure = new TaskFailure.TaskError("java.lang.IllegalStateException", "boom", null);

        assertThat(store.retry(task.id(), 2, failure, later, clock.instant())).as("another attempt").isFalse();
        store.requestCancel(task.id());
        assertThat(store.retry(task.id(), 1, failure, later, clock.instant())).as("being cancelled").isFalse();
        Task last = running(withAttempt(aQueuedTask(), 3, 3), NODE_B);
        assertThat(store.retry(last.id(), 3, failure, later, clock.instant())).as("out of attempts").isFalse();

        assertThat(reread(task).state()).isEqualTo(TaskState.RUNNING);
        assertThat(reread(last).state()).isEqualTo(TaskState.RUNNING);
        assertThat(store.earlierAttempts(List.of(task.id(), last.id()))).isEmpty();
    }

    // ---- leases ----

    @Test
    void aClaimHoldsALeaseThatItsOwnerRenewsAndThatOthersSeeRunOut() {
        Duration lease = Duration.ofSeconds(15); // the store's default
        Task task = running(aQueuedTask(), NODE_A);

        assertThat(store.expiredLeases(NODE_B, clock.instant().plus(lease).minusMillis(1))).isEmpty();
        assertThat(store.expiredLeases(NODE_B, clock.instant().plus(lease).plusMillis(1))).extracting(Task::id)
                .containsExactly(task.id());
        assertThat(store.expiredLeases(NODE_A, clock.instant().plus(lease).plusMillis(1)))
                .as("a node never recovers its own tasks by lease").isEmpty();

        clock.advance(Duration.ofSeconds(10));
        assertThat(store.renewLeases(NODE_A, clock.instant())).isEqualTo(1);
        assertThat(store.renewLeases(NODE_B, clock.instant())).isZero();
        assertThat(store.expiredLeases(NODE_B, clock.instant().plus(lease).minusMillis(1))).isEmpty();
    }

    @Test
    void aRecoveredTaskNoLongerTakesItsLostOwnersResult() {
        Task task = running(withAttempt(aQueuedTask(), 1, 2), NODE_A);
        TaskFailure lost = new TaskFailure.WorkerCrashed("node 'node-a' was lost", null);
        assertThat(store.retry(task.id(), 1, lost, clock.instant(), clock.instant())).isTrue();
        Task again = store.claimQueued(1, NODE_B, clock.instant()).get(0);

        // node-a comes back and reports its old attempt: refused, whoever runs the task now.
        assertThat(store.succeed(task.id(), 1, "{\"from\":\"node-a\"}", clock.instant())).isFalse();
        assertThat(store.cancelRequestedOf(NODE_A)).isEmpty();
        assertThat(store.renewLeases(NODE_A, clock.instant())).isZero();
        assertThat(store.succeed(task.id(), again.attempt(), "{\"from\":\"node-b\"}", clock.instant())).isTrue();
        assertThat(reread(task).resultJson()).contains("node-b");
    }

    @Test
    void cancelRequestsAreFoundByTheTasksOwnerAndFinishedTasksByAnyone() {
        Task mine = running(aQueuedTask(), NODE_A);
        store.requestCancel(mine.id());
        Task theirs = running(aQueuedTask(), NODE_B);
        store.requestCancel(theirs.id());
        Task done = running(aQueuedTask(), NODE_B);
        store.succeed(done.id(), 1, "{}", clock.instant());

        assertThat(store.cancelRequestedOf(NODE_A)).containsExactly(mine.id());
        assertThat(store.finishedAmong(List.of(mine.id(), theirs.id(), done.id()))).containsExactly(done.id());
    }

    // ---- delete ----

    @Test
    void deleteTerminalDeletesEachTerminalState() {
        Task succeeded = running(aQueuedTask(), NODE_A);
        store.succeed(succeeded.id(), 1, "{}", clock.instant());
        Task failed = running(aQueuedTask(), NODE_A);
        store.fail(failed.id(), 1, new TaskFailure.ProtocolViolation("garbage"), clock.instant());
        Task timedOut = running(aQueuedTask(), NODE_A);
        store.fail(timedOut.id(), 1, new TaskFailure.TimedOut(1), clock.instant());
        Task cancelled = inserted(aQueuedTask());
        store.cancelQueued(cancelled.id(), clock.instant());

        for (Task task : List.of(succeeded, failed, timedOut, cancelled)) {
            TaskState state = reread(task).state();
            assertThat(state.isTerminal()).as("%s is terminal", state).isTrue();
            assertThat(store.deleteTerminal(task.id())).as("delete a %s task", state).isTrue();
            assertThat(store.find(task.id())).isEmpty();
        }
    }

    @Test
    void deleteTerminalKeepsQueuedAndRunningTasks() {
        Task runningTask = running(aQueuedTask(), NODE_A);
        Task queued = inserted(aQueuedTask());

        assertThat(store.deleteTerminal(runningTask.id())).isFalse();
        assertThat(store.deleteTerminal(queued.id())).isFalse();

        assertThat(store.list(all(10))).extracting(Task::id)
                .containsExactlyInAnyOrder(runningTask.id(), queued.id());
    }

    @Test
    void deleteTerminalDeletesOnlyTheGivenTask() {
        List<Task> done = IntStream.range(0, 3).mapToObj(i -> {
            Task task = running(aQueuedTask(), NODE_A);
            store.succeed(task.id(), 1, "{}", clock.instant());
            return task;
        }).toList();

        assertThat(store.deleteTerminal(done.get(1).id())).isTrue();

        assertThat(store.list(all(10)).stream().map(Task::id).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(done.get(0).id(), done.get(2).id());
    }

    // ---- batches: inputs stored in slices, items written as tasks afterwards ----

    private BatchStore batchStore() {
        return new JdbcBatchStore(JdbcClient.create(dataSource()), new JdbcTemplate(dataSource()), dialect(),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource())), JsonMapper.builder().build());
    }

    /** A complete batch of {@code size} inputs {"n": i}, stored in slices of {@code sliceSize}. */
    /** A writer's limit of queued items that never stops it. */
    private static final int ANY_QUEUED = Integer.MAX_VALUE;

    private Batch submittedBatch(BatchStore batches, int size, int sliceSize, int chunkSize) {
        Batch batch = new Batch(UUID.randomUUID(), "noop", size, chunkSize, 0, 60_000, Map.of("team", "a"),
                clock.instant(), false);
        batches.inTransaction(() -> {
            batches.insertBatch(batch, null);
            for (int first = 0; first < size; first += sliceSize) {
                batches.insertInputs(batch.id(), first, IntStream.range(first, Math.min(size, first + sliceSize))
                        .mapToObj(i -> "{\"n\":" + i + "}").toList());
            }
            batches.completeBatch(batch, 7, "hash");
            return null;
        });
        return batch;
    }

    @Test
    void storedInputsCountAsQueuedItemsUntilWrittenAsTasksInInputOrder() {
        BatchStore batches = batchStore();
        Batch batch = submittedBatch(batches, 5, 2, 2);

        assertThat(batches.counts(batch.id()).queued()).isEqualTo(5);
        assertThat(batches.unfinished(batch.id())).isEqualTo(5);
        assertThat(store.countQueued()).isEqualTo(5);
        assertThat(batches.items(batch.id(), 0, 10)).extracting(BatchItem::index, BatchItem::state)
                .containsExactly(tuple(0, TaskState.QUEUED), tuple(1, TaskState.QUEUED), tuple(2, TaskState.QUEUED),
                        tuple(3, TaskState.QUEUED), tuple(4, TaskState.QUEUED));
        assertThat(batches.withUnwrittenItems()).containsExactly(batch.id());
        assertThat(store.list(all(10))).isEmpty();

        List<WrittenItems> written = new ArrayList<>();
        for (Optional<WrittenItems> next = batches.writeNextItems(batch.id(), 3, clock.instant(), ANY_QUEUED); next.isPresent();
                next = batches.writeNextItems(batch.id(), 3, clock.instant(), ANY_QUEUED)) {
            written.add(next.get());
        }

        assertThat(written).extracting(WrittenItems::firstIndex, WrittenItems::count)
                .containsExactly(tuple(0, 2), tuple(2, 2), tuple(4, 1));
        assertThat(batches.withUnwrittenItems()).isEmpty();
        assertThat(batches.counts(batch.id()).queued()).isEqualTo(5);
        assertThat(store.countQueued()).isEqualTo(5);
        List<Task> items = store.list(all(10));
        assertThat(items).hasSize(5).allSatisfy(item -> {
            assertThat(item.state()).isEqualTo(TaskState.QUEUED);
            assertThat(item.batchId()).isEqualTo(batch.id());
            assertThat(item.maxAttempts()).isEqualTo(3);
            assertThat(item.labels()).containsEntry("team", "a");
            assertThat(item.inputJson()).isEqualTo("{\"n\":" + item.batchIndex() + "}");
        });
        // One chunk per round from the round fixed at submission: items 0-1 in 7, 2-3 in 8, 4 in 9.
        assertThat(store.claimChunks(1, NODE_A, clock.instant()).get(0)).extracting(Task::batchIndex)
                .containsExactly(0, 1);
    }

    @Test
    void claimsGoRoundRobinBetweenTenantsBeforePriority() {
        List<Task> acme = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Task task = ofTenant(aQueuedTask(9), "acme");
            store.insert(task);
            acme.add(task);
        }
        Task beta = ofTenant(aQueuedTask(0), "beta");
        store.insert(beta);

        List<Task> claimed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            claimed.addAll(store.claimQueued(1, NODE_A, clock.instant()));
        }

        assertThat(claimed).extracting(Task::tenant).containsExactly("acme", "beta", "acme", "acme");
        assertThat(claimed).extracting(Task::id)
                .containsExactly(acme.get(0).id(), beta.id(), acme.get(1).id(), acme.get(2).id());
    }

    @Test
    void oneClaimForSeveralWorkersGivesEachTenantWithWorkAPlace() {
        for (int i = 0; i < 5; i++) {
            store.insert(ofTenant(aQueuedTask(), "acme"));
        }
        store.insert(ofTenant(aQueuedTask(), "beta"));
        store.insert(ofTenant(aQueuedTask(), "gamma"));

        List<List<Task>> claimed = store.claimChunks(3, NODE_A, clock.instant());

        assertThat(claimed).flatExtracting(chunk -> chunk.stream().map(Task::tenant).toList())
                .containsExactlyInAnyOrder("acme", "beta", "gamma");
        // The next claim starts again with the tenant served longest ago that still has work.
        assertThat(store.claimChunks(2, NODE_A, clock.instant())).flatExtracting(chunk -> chunk.stream()
                .map(Task::tenant).toList()).containsExactly("acme", "acme");
    }

    @Test
    void queuedTasksAndListsArePerTenant() {
        Task acme = ofTenant(aQueuedTask(), "acme");
        Task beta = ofTenant(aQueuedTask(), "beta");
        store.insert(acme);
        store.insert(beta);
        store.insert(ofTenant(aQueuedTask(), "beta"));

        assertThat(store.countQueuedOf("acme")).isEqualTo(1);
        assertThat(store.countQueuedOf("beta")).isEqualTo(2);
        assertThat(store.countQueuedOf("nobody")).isZero();
        assertThat(store.find(acme.id())).get().extracting(Task::tenant).isEqualTo("acme");
        assertThat(store.list(new TaskQuery(null, null, null, null, 10, "acme"))).extracting(Task::id)
                .containsExactly(acme.id());
        assertThat(store.list(new TaskQuery(null, null, null, null, 10, "beta"))).hasSize(2)
                .allSatisfy(task -> assertThat(task.tenant()).isEqualTo("beta"));
        assertThat(store.list(all(10))).hasSize(3);
    }

    @Test
    void itemsOfABatchCancelledBeforeTheyWereWrittenAreCancelledAtOnceAndNeverWritten() {
        BatchStore batches = batchStore();
        Batch batch = submittedBatch(batches, 4, 2, 1);
        batches.writeNextItems(batch.id(), 1, clock.instant(), ANY_QUEUED);

        assertThat(batches.requestCancel(batch.id())).isTrue();
        assertThat(batches.cancelQueuedItems(batch.id(), clock.instant())).hasSize(2);
        assertThat(batches.unwrittenItems(batch.id())).isEqualTo(2);

        assertThat(batches.counts(batch.id()).cancelled()).isEqualTo(4);
        assertThat(batches.unfinished(batch.id())).isZero();
        assertThat(store.countQueued()).isZero();
        assertThat(batches.finishedItems(batch.id(), 0, 10)).extracting(BatchItem::index, BatchItem::state)
                .containsExactly(tuple(0, TaskState.CANCELLED), tuple(1, TaskState.CANCELLED),
                        tuple(2, TaskState.CANCELLED), tuple(3, TaskState.CANCELLED));

        assertThat(batches.withUnwrittenItems()).isEmpty();
        assertThat(batches.writeNextItems(batch.id(), 1, clock.instant(), ANY_QUEUED)).isEmpty();
        assertThat(store.list(all(10))).hasSize(2).allSatisfy(item -> {
            assertThat(item.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(item.error().code()).isEqualTo("CANCELLED");
        });
        assertThat(store.claimChunks(1, NODE_A, clock.instant())).isEmpty();
    }

    @Test
    void itemsAreWrittenOnlyWhileTheBatchHasFewerQueuedThanAsked() {
        BatchStore batches = batchStore();
        Batch batch = submittedBatch(batches, 6, 2, 1);

        assertThat(batches.writeNextItems(batch.id(), 1, clock.instant(), 2)).isPresent();
        assertThat(batches.writeNextItems(batch.id(), 1, clock.instant(), 2)).isEmpty();
        assertThat(store.countQueued()).isEqualTo(6);
        assertThat(store.list(all(10))).hasSize(2);

        assertThat(store.claimChunks(1, NODE_A, clock.instant())).hasSize(1);
        assertThat(batches.writeNextItems(batch.id(), 1, clock.instant(), 2)).get()
                .extracting(WrittenItems::firstIndex).isEqualTo(2);
        assertThat(batches.unwrittenItems(batch.id())).isEqualTo(2);
        assertThat(batches.items(batch.id(), 0, 10)).extracting(BatchItem::state).containsExactly(TaskState.RUNNING,
                TaskState.QUEUED, TaskState.QUEUED, TaskState.QUEUED, TaskState.QUEUED, TaskState.QUEUED);
    }

    @Test
    void concurrentWritersWriteEachItemExactlyOnce() throws Exception {
        BatchStore batches = batchStore();
        Batch batch = submittedBatch(batches, 200, 10, 5);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                writers.add(pool.submit(() -> {
                    int items = 0;
                    while (!batches.withUnwrittenItems().isEmpty()) {
                        items += batches.writeNextItems(batch.id(), 1, clock.instant(), ANY_QUEUED).map(WrittenItems::count)
                                .orElse(0);
                    }
                    return items;
                }));
            }
            int total = 0;
            for (Future<Integer> writer : writers) {
                total += writer.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        assertThat(batches.items(batch.id(), 0, 300)).extracting(BatchItem::index)
                .containsExactlyElementsOf(IntStream.range(0, 200).boxed().toList());
        assertThat(store.countQueued()).isEqualTo(200);
    }
}
