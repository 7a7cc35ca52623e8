package io.taskpool.worker;

import static io.taskpool.support.TaskFixtures.aQueuedTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskpool.support.ManualClock;
import io.taskpool.task.Task;
import io.taskpool.task.TaskOutcome;
import io.taskpool.task.TaskProgress;
import io.taskpool.task.TaskType;
import io.taskpool.task.WorkerState;
import io.taskpool.worker.PoolEvent.Assign;
import io.taskpool.worker.PoolEvent.CancelRequested;
import io.taskpool.worker.PoolEvent.FrameReceived;
import io.taskpool.worker.PoolEvent.ProcessExited;
import io.taskpool.worker.PoolEvent.RestartRequested;
import io.taskpool.worker.protocol.Frame;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The supervisor's decisions, driven with events and a fake monotonic clock: no process starts,
 * and no test waits for time to pass.
 */
class SupervisorTest {

    private static final Duration CANCEL_GRACE = Duration.ofSeconds(2);

    private long nanos = 1_000_000_000L;
    private final FakeWorkers workers = new FakeWorkers();
    private final RecordingRecorder recorder = new RecordingRecorder();
    private Supervisor supervisor;

    @Test
    void aCrashFailsOnlyTheRunningTaskAndRefillsTheSlot() {
        Supervisor supervisor = poolOf(2, 0, false);
        FakeWorker first = workers.started.get(0);
        Task task = aQueuedTask();

        assign(supervisor, task);
        assertThat(first.runs()).containsExactly(task.id().toString());
        exit(supervisor, first, 137);

        assertThat(recorder.failureCodes(task)).containsExactly("WORKER_CRASHED");
        assertThat(recorder.failureOf(task).failure().toString()).contains("signal 9 (SIGKILL)");
        assertThat(supervisor.status().restartsByReason()).containsEntry("crash", 1L);
        FakeWorker replacement = workers.started.get(2);
        assertThat(replacement.slot).isEqualTo(first.slot);
        assertThat(supervisor.status().workers().get(0).state()).isEqualTo(WorkerState.STARTING);
        hello(supervisor, replacement);
        assertThat(supervisor.status().idle()).isEqualTo(2);
        assertThat(supervisor.idleWorkers()).isEqualTo(2);
    }

    @Test
    void aTaskPastItsTimeoutIsKilledWithItsWorker() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task task = aQueuedTask().toBuilder().timeoutMs(1_000).build();

        assign(supervisor, task);
        frame(supervisor, worker, new Frame.Ack(worker.lastRequestId()));
        advance(Duration.ofMillis(999));
        assertThat(worker.killed).isFalse();
        assertThat(recorder.outcomes).isEmpty();

        advance(Duration.ofMillis(1));
        assertThat(worker.killed).isTrue();
        assertThat(recorder.failureCodes(task)).containsExactly("TIMED_OUT");
        assertThat(supervisor.status().workers().get(0).state()).isEqualTo(WorkerState.STOPPING);

        exit(supervisor, worker, 137);
        assertThat(supervisor.status().restartsByReason()).containsOnlyKeys("timeout");
        assertThat(recorder.outcomes).hasSize(1);
        assertThat(workers.started).hasSize(2);
    }

    @Test
    void aCancelledTaskThatDoesNotStopIsKilledAfterTheGrace() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task task = aQueuedTask();
        assign(supervisor, task);
        frame(supervisor, worker, new Frame.Ack(worker.lastRequestId()));

        supervisor.post(new CancelRequested(task.id()));
        step(supervisor);
        assertThat(worker.sent).last().isEqualTo(new Frame.Cancel(worker.lastRequestId()));
        advance(CANCEL_GRACE.minusMillis(1));
        assertThat(worker.killed).isFalse();

        advance(Duration.ofMillis(1));
        assertThat(worker.killed).isTrue();
        assertThat(recorder.failureCodes(task)).containsExactly("CANCELLED");
        exit(supervisor, worker, 137);
        assertThat(supervisor.status().restartsByReason()).containsOnlyKeys("cancel");
    }

    @Test
    void aCancelledTaskThatStopsKeepsItsWorker() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task task = aQueuedTask();
        assign(supervisor, task);
        supervisor.post(new CancelRequested(task.id()));
        step(supervisor);

        frame(supervisor, worker, new Frame.Failed(worker.lastRequestId(), Frame.FailureKind.CANCELLED, "", "", ""));
        advance(CANCEL_GRACE.plusSeconds(1));

        assertThat(worker.killed).isFalse();
        assertThat(recorder.failureCodes(task)).containsExactly("CANCELLED");
        assertThat(supervisor.status().idle()).isEqualTo(1);
    }

    @Test
    void aWorkerIsRecycledAfterItsTasksAndNoTaskPaysForIt() {
        Supervisor supervisor = poolOf(1, 2, false);
        FakeWorker worker = workers.started.get(0);
        Task first = aQueuedTask();
        Task second = aQueuedTask();

        runToResult(supervisor, worker, first);
        assertThat(worker.sent).doesNotContain(new Frame.Shutdown());
        runToResult(supervisor, worker, second);
        assertThat(worker.sent).last().isEqualTo(new Frame.Shutdown());
        assertThat(supervisor.status().workers().get(0).state()).isEqualTo(WorkerState.STOPPING);

        exit(supervisor, worker, 0);
        assertThat(recorder.outcomes).allMatch(TaskOutcome::isSuccess).hasSize(2);
        assertThat(supervisor.status().restartsByReason()).containsOnlyKeys("recycle");
        assertThat(workers.started).hasSize(2);
    }

    @Test
    void aRecycledWorkerThatDoesNotExitIsKilledAfterTheStopGrace() {
        Supervisor supervisor = poolOf(1, 1, false);
        FakeWorker worker = workers.started.get(0);
        runToResult(supervisor, worker, aQueuedTask());

        advance(Duration.ofNanos(Supervisor.STOP_GRACE_NANOS));

        assertThat(worker.killed).isTrue();
    }

    @Test
    void theWarmSpareTakesACrashedWorkersSlotAtOnce() {
        Supervisor supervisor = poolOf(1, 0, true);
        FakeWorker worker = workers.started.get(0);
        assertThat(workers.started).hasSize(2); // the pool's worker, then the spare once it is up
        FakeWorker spare = workers.started.get(1);
        assertThat(spare.slot).isEqualTo(WorkerSlot.SPARE_ID);
        hello(supervisor, spare);
        assertThat(supervisor.status().spare().state()).isEqualTo(WorkerState.IDLE);

        exit(supervisor, worker, 1);

        assertThat(supervisor.status().workers().get(0).pid()).isEqualTo(spare.pid());
        assertThat(supervisor.status().workers().get(0).state()).isEqualTo(WorkerState.IDLE);
        assertThat(supervisor.idleWorkers()).isEqualTo(1);
        FakeWorker nextSpare = workers.started.get(2);
        assertThat(nextSpare.slot).isEqualTo(WorkerSlot.SPARE_ID);

        Task task = aQueuedTask();
        assign(supervisor, task);
        assertThat(spare.runs()).containsExactly(task.id().toString());
        frame(supervisor, spare, new Frame.Result(spare.lastRequestId(), "{}"));
        assertThat(recorder.outcomes).singleElement().matches(TaskOutcome::isSuccess);
    }

    @Test
    void theSparesOwnCrashIsCountedAndReplaced() {
        Supervisor supervisor = poolOf(1, 0, true);
        FakeWorker spare = workers.started.get(1);
        hello(supervisor, spare);

        exit(supervisor, spare, 134);

        assertThat(supervisor.status().restartsByReason()).containsOnlyKeys("crash");
        assertThat(workers.started).hasSize(3);
        assertThat(workers.started.get(2).slot).isEqualTo(WorkerSlot.SPARE_ID);
    }

    @Test
    void claimedWorkWaitsForABusyWorkerAndAChunkRunsInOrder() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task running = aQueuedTask();
        Task firstItem = aQueuedTask();
        Task secondItem = aQueuedTask();
        assign(supervisor, running);

        assign(supervisor, firstItem, secondItem);
        assertThat(worker.runs()).containsExactly(running.id().toString());

        frame(supervisor, worker, new Frame.Result(worker.lastRequestId(), "{}"));
        assertThat(worker.runs()).containsExactly(running.id().toString(), firstItem.id().toString(),
                secondItem.id().toString());
        assertThat(recorder.started).containsExactly(List.of(running), List.of(firstItem, secondItem));
    }

    @Test
    void garbageOnStdoutFailsTheTaskWithAProtocolError() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task task = aQueuedTask();
        assign(supervisor, task);

        frame(supervisor, worker, new Frame.Result(worker.lastRequestId() + 1, "{}"));

        assertThat(worker.killed).isTrue();
        assertThat(recorder.failureCodes(task)).containsExactly("WORKER_PROTOCOL_ERROR");
        exit(supervisor, worker, 137);
        assertThat(supervisor.status().restartsByReason()).containsOnlyKeys("protocol_error");
    }

    @Test
    void aWorkerThatExitsBeforeItsHelloIsRestartedWithABackOff() {
        supervisor = new Supervisor(properties(1, 0, false), CANCEL_GRACE, workers, recorder,
                new SimpleMeterRegistry(), new ManualClock(Instant.parse("2026-03-01T10:00:00Z")), () -> nanos);
        supervisor.launchAll();
        exit(supervisor, workers.started.get(0), 1);
        assertThat(workers.started).hasSize(1);
        assertThat(supervisor.status().failedStartsInARow()).isEqualTo(1);

        advance(Duration.ofMillis(99));
        assertThat(workers.started).hasSize(1);
        advance(Duration.ofMillis(1));
        assertThat(workers.started).hasSize(2);
    }

    @Test
    void aHeartbeatTimeoutKillsTheWorkerAndFailsItsTask() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task task = aQueuedTask().toBuilder().timeoutMs(3_600_000).build();
        assign(supervisor, task);
        frame(supervisor, worker, new Frame.Ack(worker.lastRequestId()));

        advance(Duration.ofSeconds(29));
        frame(supervisor, worker, new Frame.Heartbeat());
        advance(Duration.ofSeconds(29));
        assertThat(worker.killed).isFalse();
        advance(Duration.ofSeconds(2));

        assertThat(worker.killed).isTrue();
        assertThat(recorder.failureCodes(task)).containsExactly("WORKER_CRASHED");
    }

    @Test
    void aRollingRestartReplacesOneWorkerAtATimeAndABusyOneAfterItsTask() {
        Supervisor supervisor = poolOf(2, 0, false);
        FakeWorker busy = workers.started.get(0);
        FakeWorker idle = workers.started.get(1);
        Task task = aQueuedTask();
        assign(supervisor, task);
        assertThat(busy.runs()).containsExactly(task.id().toString());

        supervisor.post(new RestartRequested());
        step(supervisor);
        assertThat(busy.sent).doesNotContain(new Frame.Shutdown());
        assertThat(idle.sent).doesNotContain(new Frame.Shutdown());

        frame(supervisor, busy, new Frame.Result(busy.lastRequestId(), "{}"));
        assertThat(busy.sent).last().isEqualTo(new Frame.Shutdown());
        assertThat(idle.sent).doesNotContain(new Frame.Shutdown());
        exit(supervisor, busy, 0);
        hello(supervisor, workers.started.get(2));
        assertThat(idle.sent).containsExactly(new Frame.Shutdown());
        exit(supervisor, idle, 0);
        hello(supervisor, workers.started.get(3));

        assertThat(supervisor.status().restartsByReason()).containsOnly(Map.entry("restart", 2L));
        assertThat(supervisor.status().idle()).isEqualTo(2);
        assertThat(recorder.outcomes).singleElement().matches(TaskOutcome::isSuccess);
    }

    @Test
    void aTasksLogLinesAreHandedOverAtMostEveryIntervalAndTheLastBeforeItsOutcome() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task task = aQueuedTask();
        assign(supervisor, task);
        long request = worker.lastRequestId();

        frame(supervisor, worker, new Frame.Log(request, "first"));
        frame(supervisor, worker, new Frame.Log(request, "second"));
        assertThat(recorder.order).containsExactly("log first\n");
        advance(Duration.ofNanos(TaskLogs.WRITE_INTERVAL_NANOS - 1));
        assertThat(recorder.order).containsExactly("log first\n");
        advance(Duration.ofNanos(1));
        assertThat(recorder.order).containsExactly("log first\n", "log second\n");

        frame(supervisor, worker, new Frame.Log(request, "third"));
        frame(supervisor, worker, new Frame.Result(request, "{}"));
        assertThat(recorder.order).containsExactly("log first\n", "log second\n", "log third\n", "outcome SUCCEEDED");
    }

    @Test
    void aWorkerThatDiesInAChunkFailsOnlyTheRunningItemAndReturnsTheRest() {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task first = aQueuedTask();
        Task second = aQueuedTask();
        Task third = aQueuedTask();
        assign(supervisor, first, second, third);
        frame(supervisor, worker, new Frame.Ack(worker.runRequestIds().get(0)));

        exit(supervisor, worker, 134);

        assertThat(recorder.failureCodes(first)).containsExactly("WORKER_CRASHED");
        assertThat(recorder.unclaimed).containsExactly(second.id(), third.id());
        assertThat(recorder.outcomes).hasSize(1);
    }

    @Test
    void stoppingKillsTheWorkersAndReturnsWorkThatWaitedForThem() throws Exception {
        Supervisor supervisor = poolOf(1, 0, false);
        FakeWorker worker = workers.started.get(0);
        Task running = aQueuedTask();
        Task waiting = aQueuedTask();
        assign(supervisor, running);
        assign(supervisor, waiting);

        CompletableFuture<Void> stopped = new CompletableFuture<>();
        supervisor.post(new PoolEvent.Stop(stopped));
        step(supervisor);
        assertThat(worker.killed).isTrue();
        assertThat(recorder.unclaimed).containsExactly(waiting.id());
        assertThat(supervisor.finished()).isFalse();

        exit(supervisor, worker, 137);
        assertThat(supervisor.finished()).isTrue();
        assertThat(recorder.outcomes).isEmpty(); // the running task stays RUNNING for recovery
        assertThat(workers.started).hasSize(1);
        assertThat(supervisor.status().restarts()).isZero();
    }

    // ---- driving the supervisor ----

    /** A supervisor whose workers have all said hello, with {@code noop} as their one type. */
    private Supervisor poolOf(int size, int maxTasksPerWorker, boolean warmSpare) {
        supervisor = new Supervisor(properties(size, maxTasksPerWorker, warmSpare), CANCEL_GRACE, workers,
                recorder, new SimpleMeterRegistry(), new ManualClock(Instant.parse("2026-03-01T10:00:00Z")), () -> nanos);
        supervisor.launchAll();
        for (FakeWorker worker : List.copyOf(workers.started)) {
            hello(supervisor, worker);
        }
        assertThat(supervisor.status().ready()).isTrue();
        return supervisor;
    }

    private static WorkerProperties properties(int size, int maxTasksPerWorker, boolean warmSpare) {
        return new WorkerProperties(size, DataSize.ofMegabytes(64), DataSize.ofMegabytes(40),
                DataSize.ofMegabytes(150), List.of(), List.of(), Path.of("plugins"), maxTasksPerWorker, warmSpare,
                Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30),
                List.of("PATH"), new WorkerLimits(null, null, null));
    }

    private void runToResult(Supervisor supervisor, FakeWorker worker, Task task) {
        assign(supervisor, task);
        frame(supervisor, worker, new Frame.Ack(worker.lastRequestId()));
        frame(supervisor, worker, new Frame.Result(worker.lastRequestId(), "{}"));
    }

    private void assign(Supervisor supervisor, Task... tasks) {
        supervisor.post(new Assign(new ArrayList<>(List.of(tasks))));
        step(supervisor);
    }

    private void hello(Supervisor supervisor, FakeWorker worker) {
        frame(supervisor, worker, new Frame.Hello(Frame.PROTOCOL_VERSION, worker.pid(),
                List.of(new Frame.TaskType("noop", "does nothing", null))));
    }

    private void frame(Supervisor supervisor, FakeWorker worker, Frame frame) {
        supervisor.post(new FrameReceived(worker.slot, worker.generation(), frame));
        step(supervisor);
    }

    private void exit(Supervisor supervisor, FakeWorker worker, int exitCode) {
        supervisor.post(new ProcessExited(worker.slot, worker.generation(), exitCode, ""));
        step(supervisor);
    }

    /** Moves the clock on, and lets the supervisor enforce what is due. */
    private void advance(Duration duration) {
        nanos += duration.toNanos();
        step(supervisor);
    }

    private void step(Supervisor supervisor) {
        try {
            supervisor.runOnce(0);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ---- stand-ins ----

    /** Workers that start nothing: they record the frames sent to them and whether they were killed. */
    private static final class FakeWorkers implements WorkerProcesses {
        final List<FakeWorker> started = new ArrayList<>();

        @Override
        public RunningWorker start(int slot, long generation, Consumer<PoolEvent> events) {
            FakeWorker worker = new FakeWorker(slot, generation, 1000 + generation);
            started.add(worker);
            return worker;
        }

        @Override
        public void killLeftoversOf(RunningWorker worker) {
        }

        @Override
        public Optional<Path> crashReport(RunningWorker worker) {
            return Optional.empty();
        }

        @Override
        public List<String> command() {
            return List.of("fake");
        }

        @Override
        public void close() {
        }
    }

    private static final class FakeWorker implements RunningWorker {
        final int slot;
        final long generation;
        final long pid;
        final List<Frame> sent = new ArrayList<>();
        boolean killed;

        FakeWorker(int slot, long generation, long pid) {
            this.slot = slot;
            this.generation = generation;
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public long generation() {
            return generation;
        }

        @Override
        public void send(Frame frame) {
            sent.add(frame);
        }

        @Override
        public void killTree() {
            killed = true;
        }

        @Override
        public long unfinishedFrameFor(long now) {
            return 0;
        }

        List<String> runs() {
            return sent.stream().filter(Frame.Run.class::isInstance).map(f -> ((Frame.Run) f).taskId()).toList();
        }

        List<Long> runRequestIds() {
            return sent.stream().filter(Frame.Run.class::isInstance).map(f -> ((Frame.Run) f).requestId()).toList();
        }

        long lastRequestId() {
            return sent.stream().filter(Frame.Run.class::isInstance).map(f -> ((Frame.Run) f).requestId())
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    private static final class RecordingRecorder implements TaskRecorder {
        final List<TaskOutcome> outcomes = new ArrayList<>();
        final List<List<Task>> started = new ArrayList<>();
        final List<UUID> unclaimed = new ArrayList<>();
        /** Logs and outcomes in the order they were handed over. */
        final List<String> order = new ArrayList<>();

        @Override
        public void started(List<Task> tasks, long pid) {
            started.add(tasks);
        }

        @Override
        public void finished(List<TaskOutcome> ended) {
            outcomes.addAll(ended);
            ended.forEach(o -> order.add("outcome " + (o.isSuccess() ? "SUCCEEDED" : o.failure().code())));
        }

        @Override
        public void progressed(Task task, TaskProgress progress) {
        }

        @Override
        public void logged(Task task, String text) {
            order.add("log " + text);
        }

        @Override
        public int maxLogChars() {
            return 1000;
        }

        @Override
        public void unclaim(Collection<UUID> ids) {
            unclaimed.addAll(ids);
        }

        @Override
        public void typesAnnounced(List<TaskType> types) {
        }

        List<String> failureCodes(Task task) {
            return outcomesOf(task).filter(o -> !o.isSuccess()).map(o -> o.failure().code()).toList();
        }

        TaskOutcome failureOf(Task task) {
            return outcomesOf(task).filter(o -> !o.isSuccess()).findFirst().orElseThrow();
        }

        private Stream<TaskOutcome> outcomesOf(Task task) {
            return outcomes.stream().filter(o -> o.task().id().equals(task.id()));
        }
    }
}
