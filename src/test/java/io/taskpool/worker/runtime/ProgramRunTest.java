package io.taskpool.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.taskpool.spi.TaskContext;
import io.taskpool.support.Processes;
import io.taskpool.worker.protocol.Frame.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Program runs with real python3 scripts from {@code src/test/resources/programs}. */
class ProgramRunTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Path SCRIPTS = Path.of("src/test/resources/programs").toAbsolutePath();

    @TempDir
    Path temp;

    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    /** A context that records progress and can be cancelled. */
    private static final class RecordingContext implements TaskContext {
        final List<String> progress = Collections.synchronizedList(new ArrayList<>());
        volatile boolean cancelled;

        @Override
        public String taskId() {
            return "task-42";
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void progress(double fraction, String message) {
            progress.add(fraction + " " + message);
        }
    }

    private static ProgramSpec script(String name) {
        return new ProgramSpec("test." + name, "a test", List.of("python3", SCRIPTS.resolve(name + ".py").toString()),
                null, Map.of(), null);
    }

    private Object run(ProgramSpec spec, String input, TaskContext context, long maxResultBytes) {
        return assertTimeoutPreemptively(DEADLINE,
                () -> new ProgramRun(spec, maxResultBytes, logLines::add).run(input, context));
    }

    private Object run(ProgramSpec spec, String input) {
        return run(spec, input, new RecordingContext(), 1 << 20);
    }

    @Test
    void jsonOnStdoutIsTheResultAndTheTemporaryDirectoryIsRemoved() {
        Object result = run(script("echo"), "{\"text\":\"héllo\",\"n\":[1,2.5,null]}");

        assertThat(result).isInstanceOf(Map.class);
        Map<?, ?> answer = (Map<?, ?>) result;
        assertThat(Json.write(answer.get("input"))).isEqualTo("{\"text\":\"héllo\",\"n\":[1,2.5,null]}");
        assertThat(answer.get("taskId")).isEqualTo("task-42");
        Path cwd = Path.of((String) answer.get("cwd"));
        assertThat(cwd.getFileName().toString()).startsWith("taskpool-task-");
        assertThat(cwd).doesNotExist();
    }

    @Test
    void otherTextOnStdoutIsWrapped() {
        assertThat(run(script("plain"), "{}"))
                .isEqualTo(Map.of("stdout", "hello from a program\nsecond line\n"));
    }

    @Test
    void aNonZeroExitFailsWithTheCodeAndTheTailOfStderr() {
        assertThatThrownBy(() -> run(script("fail"), "{\"code\":3}"))
                .isInstanceOfSatisfying(ReportedFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(FailureKind.TASK_ERROR);
                    assertThat(failure.errorType()).isEqualTo("ProgramFailed");
                    assertThat(failure.getMessage())
                            .contains("exited with code 3", "log line 29", "something went badly wrong")
                            .doesNotContain("log line 5\n");
                });
        assertThat(logLines).contains("log line 0", "something went badly wrong");
    }

    @Test
    void outputOverTheLimitIsResultTooLarge() {
        assertThatThrownBy(() -> run(script("flood"), "{\"bytes\":5000,\"hang\":true}", new RecordingContext(), 4096))
                .isInstanceOfSatisfying(ReportedFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(FailureKind.RESULT_TOO_LARGE);
                    assertThat(failure.getMessage()).contains("4096 bytes");
                });
    }

    @Test
    void outputOfExactlyTheLimitPasses() {
        assertThat(run(script("flood"), "{\"bytes\":4096}", new RecordingContext(), 4096))
                .isEqualTo(Map.of("stdout", "x".repeat(4096)));
    }

    @Test
    void theEnvironmentHoldsOnlyTheAllowedVariables() {
        // env(1) itself: a python3 that is a version manager's shim would add variables of its own.
        ProgramSpec spec = new ProgramSpec("test.env", "", List.of("env"), null, Map.of("GREETING", "hello"), null);
        Map<?, ?> result = (Map<?, ?>) run(spec, "{}");

        Map<String, String> environment = new TreeMap<>();
        ((String) result.get("stdout")).lines()
                .forEach(line -> environment.put(line.substring(0, line.indexOf('=')),
                        line.substring(line.indexOf('=') + 1)));
        Map<String, String> expected = new TreeMap<>(Map.of("GREETING", "hello", "TASKPOOL_TASK_ID", "task-42"));
        for (String name : List.of("PATH", "HOME", "LANG")) {
            if (System.getenv(name) != null) {
                expected.put(name, System.getenv(name));
            }
        }
        assertThat(environment).isEqualTo(expected);
    }

    @Test
    void progressLinesReportProgressAndOtherLinesAreLog() throws Exception {
        RecordingContext context = new RecordingContext();
        Path release = temp.resolve("release");
        CompletableFuture<Object> result = CompletableFuture.supplyAsync(
                () -> run(script("progress"), "{\"release\":\"" + release + "\"}", context, 1 << 20));

        await().atMost(DEADLINE).until(() -> context.progress.contains("0.5 halfway"));
        Files.createFile(release);

        assertThat(result.get()).isEqualTo(Map.of("released", true));
        assertThat(logLines).containsExactly("starting");
    }

    @Test
    void aProgramThatCannotStartFailsTheTask() {
        ProgramSpec spec = new ProgramSpec("test.missing", "", List.of("taskpool-no-such-program"), null, Map.of(), null);

        assertThatThrownBy(() -> run(spec, "{}")).isInstanceOfSatisfying(ReportedFailure.class, failure -> {
            assertThat(failure.errorType()).isEqualTo("ProgramFailed");
            assertThat(failure.getMessage()).contains("could not be started", "taskpool-no-such-program");
        });
    }

    @Test
    void aGivenWorkingDirectoryIsUsedAndKept() {
        ProgramSpec spec = new ProgramSpec("test.echo", "", List.of("python3", SCRIPTS.resolve("echo.py").toString()),
                temp, Map.of(), null);
        Map<?, ?> answer = (Map<?, ?>) run(spec, "{}");

        assertThat(Path.of((String) answer.get("cwd"))).isEqualTo(temp);
        assertThat(temp).isDirectory();
    }

    @Test
    void whatAProgramLeavesRunningIsStoppedWhenItExits() throws Exception {
        Path pidFile = temp.resolve("pids");
        Object result = run(script("grandchild"), "{\"pidFile\":\"" + pidFile + "\",\"exitAfter\":0.3}");

        assertThat(result).isEqualTo(Map.of("stdout", ""));
        long grandchild = Long.parseLong(Files.readString(pidFile).split(" ")[1]);
        await().atMost(DEADLINE).until(() -> !Processes.isRunning(grandchild));
    }

    @Test
    void cancelKillsTheProgramAndItsGrandchild() throws Exception {
        assertCancelKillsTree(false);
    }

    @Test
    void cancelKillsAProgramThatIgnoresSigterm() throws Exception {
        assertCancelKillsTree(true);
    }

    private void assertCancelKillsTree(boolean ignoreTerm) throws Exception {
        RecordingContext context = new RecordingContext();
        Path pidFile = temp.resolve("pids");
        CompletableFuture<Object> result = new CompletableFuture<>();
        // Its own thread, as in the worker: a cancel interrupts the thread that runs the program.
        Thread taskThread = new Thread(() -> {
            try {
                result.complete(new ProgramRun(script("grandchild"), 1 << 20, logLines::add)
                        .run("{\"pidFile\":\"" + pidFile + "\",\"ignoreTerm\":" + ignoreTerm + "}", context));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "test-task-runner");
        taskThread.start();
        await().atMost(DEADLINE).until(() -> Files.exists(pidFile));
        long[] pids = Arrays.stream(Files.readString(pidFile).split(" ")).mapToLong(Long::parseLong).toArray();
        assertThat(Processes.isRunning(pids[0])).isTrue();
        assertThat(Processes.isRunning(pids[1])).isTrue();

        context.cancelled = true;
        taskThread.interrupt();

        assertThatThrownBy(() -> result.get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InterruptedException.class);
        await().atMost(DEADLINE).until(() -> !Processes.isRunning(pids[0]) && !Processes.isRunning(pids[1]));
    }
}
