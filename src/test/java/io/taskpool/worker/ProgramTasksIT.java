package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.ServiceTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.TestPropertySource;

/**
 * Program task types end to end: real python3 programs, configured through properties, run by
 * real workers and driven over HTTP. The shipped example configuration is loaded as it is.
 */
@TestPropertySource(properties = {
        // A store of its own: the other HTTP tests' service shares this JVM and must not claim these tasks.
        "spring.datasource.url=jdbc:h2:mem:taskpool-program-test;DB_CLOSE_DELAY=-1",
        "taskpool.node-id=program-test",
        "spring.config.additional-location=file:examples/python/application-examples.yaml",
        "taskpool.programs.test-echo.argv[0]=python3",
        "taskpool.programs.test-echo.argv[1]=src/test/resources/programs/echo.py",
        "taskpool.programs.test-echo.description=Echoes its input",
        "taskpool.programs.test-plain.argv=python3,src/test/resources/programs/plain.py",
        "taskpool.programs.test-fail.argv=python3,src/test/resources/programs/fail.py",
        "taskpool.programs.test-flood.argv=python3,src/test/resources/programs/flood.py",
        "taskpool.programs.test-grandchild.argv=python3,src/test/resources/programs/grandchild.py",
        "taskpool.programs.test-progress.argv=python3,src/test/resources/programs/progress.py",
        "taskpool.programs.test-env.argv=env",
        "taskpool.programs.test-env.env.GREETING=hello",
        "taskpool.programs.test-env.env.[API_URL]=https://example.org/api"})
class ProgramTasksIT extends ServiceTest {

    @TempDir
    Path temp;

    private Response awaitSucceeded(String id) {
        Response done = awaitTerminal(id);
        assertThat(done.<String>path("state")).as("%s", done.asString()).isEqualTo("SUCCEEDED");
        return done;
    }

    /** Waits for the program's pid file: {@code <program pid> <grandchild pid>}. */
    private long[] awaitPids(Path pidFile) throws IOException {
        await().atMost(DEADLINE).until(() -> Files.exists(pidFile));
        return Arrays.stream(Files.readString(pidFile).split(" ")).mapToLong(Long::parseLong).toArray();
    }

    @Test
    void programsAreListedAsTaskTypes() {
        List<Map<String, String>> types = api().get("/api/v1/task-types").then().statusCode(200).extract().path("$");
        Map<String, String> descriptions = new TreeMap<>();
        types.forEach(type -> descriptions.put(type.get("type"), type.get("description")));

        assertThat(descriptions).containsEntry("test-echo", "Echoes its input")
                .containsKeys("wordfreq", "test-fail", "noop");
        assertThat(descriptions.get("test-plain")).startsWith("Runs python3 ").endsWith("plain.py");
    }

    @Test
    void theExampleCountsWords() {
        String id = submit("wordfreq", Map.of("text", "The cat and the hat.\nThe end.", "top", 2));
        Response done = awaitSucceeded(id);

        assertThat(done.<Integer>path("result.words")).isEqualTo(7);
        assertThat(done.<Integer>path("result.distinct")).isEqualTo(5);
        assertThat(done.<List<Map<String, Object>>>path("result.top"))
                .containsExactly(Map.of("word", "the", "count", 3), Map.of("word", "and", "count", 1));
        assertThat(done.<Float>path("progress.fraction")).isEqualTo(1.0f);
    }

    @Test
    void theExampleRefusesInputWithoutTextThroughItsInputSchema() {
        Response types = api().get("/api/v1/task-types").then().statusCode(200).extract().response();
        assertThat(types.<List<String>>path("find { it.type == 'wordfreq' }.inputSchema.required"))
                .containsExactly("text");
        assertThat(types.<Object>path("find { it.type == 'test-echo' }.inputSchema")).isNull();

        api().contentType(ContentType.JSON).body(Map.of("type", "wordfreq", "input", Map.of("words", "oops")))
                .post("/api/v1/tasks")
                .then().statusCode(400)
                .body("type", equalTo("urn:taskpool:problem:invalid-input"))
                .body("path", equalTo("$"))
                .body("detail", equalTo("$: required property 'text' not found"));
        api().contentType(ContentType.JSON).body(Map.of("type", "wordfreq", "input", Map.of("text", "a", "top", 0)))
                .post("/api/v1/tasks")
                .then().statusCode(400)
                .body("path", equalTo("$.top"));
    }

    @Test
    void jsonOnStdoutIsTheResultAndTheWorkingDirectoryIsRemoved() {
        String id = submit("test-echo", Map.of("n", 42, "words", List.of("a", "b")));
        Response done = awaitSucceeded(id);

        assertThat(done.<Map<String, Object>>path("result.input"))
                .isEqualTo(Map.of("n", 42, "words", List.of("a", "b")));
        assertThat(done.<String>path("result.taskId")).isEqualTo(id);
        Path workingDir = Path.of(done.<String>path("result.cwd"));
        assertThat(workingDir.getFileName().toString()).startsWith("taskpool-task-");
        assertThat(workingDir).doesNotExist();
    }

    @Test
    void otherOutputIsWrappedAsStdout() {
        Response done = awaitSucceeded(submit("test-plain", Map.of()));

        assertThat(done.<String>path("result.stdout")).isEqualTo("hello from a program\nsecond line\n");
    }

    @Test
    void aNonZeroExitFailsWithTheExitCodeAndTheEndOfStderr() {
        Response failed = awaitTerminal(submit("test-fail", Map.of("code", 3)));

        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("TASK_FAILED");
        assertThat(failed.<String>path("error.message"))
                .startsWith("ProgramFailed: program test-fail exited with code 3")
                .contains("log line 29", "something went badly wrong");
    }

    @Test
    void theProgramsStderrIsTheTasksLog() {
        String id = awaitTerminal(submit("test-fail", Map.of("code", 3))).path("id");

        String log = api().accept("text/plain").get("/api/v1/tasks/{id}/logs", id)
                .then().statusCode(200).extract().asString();

        assertThat(log).startsWith("log line 0\nlog line 1\n").endsWith("log line 29\nsomething went badly wrong\n");
    }

    @Test
    void outputOverTheResultLimitIsResultTooLargeAndStopsTheProgram() {
        // taskpool.tasks.max-result is 128KB here; the program would keep running if not stopped.
        Response failed = awaitTerminal(submit("test-flood", Map.of("bytes", 200_000, "hang", true)));

        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("RESULT_TOO_LARGE");
        assertThat(failed.<String>path("error.message")).contains("131072 bytes");
        awaitFullPool();
    }

    @Test
    void theProgramSeesOnlyTheAllowedEnvironment() {
        String id = submit("test-env", Map.of());
        Response done = awaitSucceeded(id);

        Map<String, String> environment = new TreeMap<>();
        done.<String>path("result.stdout").lines().forEach(line -> environment.put(
                line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        TreeSet<String> allowed = new TreeSet<>(List.of("GREETING", "API_URL", "TASKPOOL_TASK_ID",
                "TASKPOOL_WORKER_TOKEN"));
        List.of("PATH", "HOME", "LANG").stream().filter(name -> System.getenv(name) != null).forEach(allowed::add);

        assertThat(environment.keySet()).isEqualTo(allowed);
        assertThat(environment).containsEntry("GREETING", "hello")
                .containsEntry("API_URL", "https://example.org/api")
                .containsEntry("TASKPOOL_TASK_ID", id);
        // What this JVM (and so the service and its workers) has, the program does not.
        assertThat(System.getenv().keySet().stream().filter(name -> !allowed.contains(name))).isNotEmpty()
                .allSatisfy(name -> assertThat(environment).doesNotContainKey(name));
    }

    @Test
    void progressLinesOnStderrUpdateTheTasksProgress() throws IOException {
        Path release = temp.resolve("release");
        String id = submit("test-progress", Map.of("release", release.toString()));

        await().atMost(DEADLINE).until(() -> "halfway".equals(task(id).path("progress.message")));
        assertThat(task(id).<Float>path("progress.fraction")).isEqualTo(0.5f);
        // The log is readable while the task runs, and progress lines are not in it.
        await().atMost(DEADLINE).until(() -> "starting\n".equals(
                api().accept("text/plain").get("/api/v1/tasks/{id}/logs", id).then().extract().asString()));
        Files.createFile(release);

        assertThat(awaitSucceeded(id).<Boolean>path("result.released")).isTrue();
        assertThat(api().accept("text/plain").get("/api/v1/tasks/{id}/logs", id).then().extract().asString())
                .isEqualTo("starting\n");
    }

    @Test
    void cancelKillsTheProgramAndItsGrandchildButKeepsTheWorker() throws IOException {
        Path pidFile = temp.resolve("pids");
        String id = submit("test-grandchild", Map.of("pidFile", pidFile.toString()));
        long[] pids = awaitPids(pidFile);
        long workerPid = task(id).<Number>path("workerPid").longValue();
        assertThat(alive(pids[0])).isTrue();
        assertThat(alive(pids[1])).isTrue();

        api().post("/api/v1/tasks/{id}/cancel", id).then().statusCode(200).body("state", equalTo("CANCELLED"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pids[0]) && !alive(pids[1]));
        assertThat(alive(workerPid)).as("the worker stopped the program itself, within the cancel grace").isTrue();
        awaitFullPool();
    }

    @Test
    void aWorkerKilledFromOutsideTakesItsProgramAndGrandchildWithIt() throws IOException {
        Path pidFile = temp.resolve("pids");
        String id = submit("test-grandchild", Map.of("pidFile", pidFile.toString()));
        long[] pids = awaitPids(pidFile);
        long workerPid = task(id).<Number>path("workerPid").longValue();

        // Killed the way an operator or the OOM killer would: the worker has no say.
        ProcessHandle.of(workerPid).orElseThrow().destroyForcibly();
        long killedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !alive(pids[0]) && !alive(pids[1]));
        System.out.printf("program tree gone %d ms after its worker was killed%n",
                (System.nanoTime() - killedAt) / 1_000_000);
        assertThat(awaitTerminal(id).<String>path("error.code")).isEqualTo("WORKER_CRASHED");
        awaitFullPool();
    }

    @Test
    void aTimeoutKillsTheProgramAndItsGrandchild() throws IOException {
        Path pidFile = temp.resolve("pids");
        String id = submit(Map.of("type", "test-grandchild", "timeoutMs", 2_000,
                "input", Map.of("pidFile", pidFile.toString(), "ignoreTerm", true)));
        long[] pids = awaitPids(pidFile);

        Response done = awaitTerminal(id);

        assertThat(done.<String>path("state")).isEqualTo("TIMED_OUT");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pids[0]) && !alive(pids[1]));
        awaitFullPool();
    }
}
