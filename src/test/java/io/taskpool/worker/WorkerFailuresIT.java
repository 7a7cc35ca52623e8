package io.taskpool.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.response.Response;
import io.taskpool.support.ServiceTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The failure matrix with real worker processes: each misbehaviour ends its task in the right
 * state with the right code, touches no other task, and leaves the pool full again.
 */
class WorkerFailuresIT extends ServiceTest {

    private long runningPid(String id) {
        await().atMost(DEADLINE).until(() -> task(id).path("workerPid") != null);
        return task(id).<Number>path("workerPid").longValue();
    }

    private double restarts(String reason) {
        String metrics = management().get("/actuator/prometheus").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(line -> line.startsWith("taskpool_workers_restarts_total{") && line.contains(
                        "reason=\"" + reason + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void killingABusyWorkerFailsOnlyItsTask() {
        String victim = submit("sleep", Map.of("ms", 30_000));
        String bystander = submit("sleep", Map.of("ms", 1_000));
        long pid = runningPid(victim);
        double crashesBefore = restarts("crash");

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        Response failed = awaitTerminal(victim);
        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("WORKER_CRASHED");
        assertThat(failed.<String>path("error.message")).contains("SIGKILL");
        assertThat(awaitTerminal(bystander).<String>path("state")).isEqualTo("SUCCEEDED");
        awaitFullPool();
        assertThat(workerPids()).doesNotContain(pid).hasSize(WORKERS);
        assertThat(restarts("crash")).isEqualTo(crashesBefore + 1);
    }

    @Test
    void exitInTaskCodeIsACrashWithTheExitCode() {
        String id = submit("test.exit", Map.of("code", 42));
        Response failed = awaitTerminal(id);
        assertThat(failed.<String>path("error.code")).isEqualTo("WORKER_CRASHED");
        assertThat(failed.<String>path("error.message")).contains("exit code 42");
        awaitFullPool();
        assertThat(awaitTerminal(submit("noop", Map.of())).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void aNativeCrashIsAWorkerCrash() {
        String id = submit("test.segfault", Map.of());
        Response failed = awaitTerminal(id);
        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("WORKER_CRASHED");
        assertThat(failed.<String>path("error.message")).contains("crashed", "fatal error report");
        awaitFullPool();
        assertThat(awaitTerminal(submit("noop", Map.of())).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void outOfMemoryIsReportedAsSuch() {
        double before = restarts("out_of_memory");
        String id = submit("test.oom", Map.of());
        Response failed = awaitTerminal(id);
        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("OUT_OF_MEMORY");
        assertThat(failed.<String>path("error.message")).contains("64MB");
        awaitFullPool();
        // The context is shared with other test classes: only this test's restart counts.
        assertThat(restarts("out_of_memory") - before).isEqualTo(1);
    }

    @Test
    void timeoutKillsTheWorkerAndMarksTheTask() {
        Response accepted = api().contentType("application/json")
                .body(Map.of("type", "test.stubborn", "timeoutMs", 500))
                .post("/api/v1/tasks").then().statusCode(202).extract().response();
        String id = accepted.path("id");
        long pid = runningPid(id);
        Response done = awaitTerminal(id);
        assertThat(done.<String>path("state")).isEqualTo("TIMED_OUT");
        assertThat(done.<String>path("error.code")).isEqualTo("TIMED_OUT");
        assertThat(done.<String>path("error.message")).contains("500 ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pid));
        awaitFullPool();
    }

    @Test
    void cancelOfACooperativeRunningTaskStopsItWithoutAKill() {
        String id = submit("sleep", Map.of("ms", 60_000));
        long pid = runningPid(id);
        api().post("/api/v1/tasks/{id}/cancel", id)
                .then().statusCode(200)
                .body("state", equalTo("CANCELLED"))
                .body("error.code", equalTo("CANCELLED"))
                .body("error.message", containsString("handler stopped"));
        assertThat(alive(pid)).as("a handler that stops on cancel keeps its worker").isTrue();
    }

    @Test
    void cancelOfAStubbornTaskKillsItsWorkerAndItsChildren() {
        String id = submit("test.spawn-child", Map.of());
        long workerPid = runningPid(id);
        await().atMost(DEADLINE).until(() -> {
            String message = task(id).path("progress.message");
            return message != null && message.startsWith("child pid ");
        });
        long childPid = Long.parseLong(task(id).<String>path("progress.message").substring("child pid ".length()));
        assertThat(alive(childPid)).isTrue();

        api().post("/api/v1/tasks/{id}/cancel", id)
                .then().statusCode(200)
                .body("state", equalTo("CANCELLED"))
                .body("error.message", containsString("killed"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(workerPid) && !alive(childPid));
        awaitFullPool();
        assertThat(workerPids()).doesNotContain(workerPid);
    }

    @Test
    void garbageOnStdoutIsAProtocolError() {
        double before = restarts("protocol_error");
        String id = submit("test.garbage", Map.of());
        Response failed = awaitTerminal(id);
        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("WORKER_PROTOCOL_ERROR");
        assertThat(failed.<String>path("error.message")).contains("'h'");
        awaitFullPool();
        assertThat(restarts("protocol_error") - before).isEqualTo(1);
    }

    @Test
    void oversizedFrameIsAProtocolError() {
        String id = submit("test.oversized-frame", Map.of());
        Response failed = awaitTerminal(id);
        assertThat(failed.<String>path("error.code")).isEqualTo("WORKER_PROTOCOL_ERROR");
        assertThat(failed.<String>path("error.message")).contains("frame length");
        awaitFullPool();
    }

    @Test
    void printlnInTaskCodeGoesToTheLogNotTheProtocol() {
        Response done = awaitTerminal(submit("test.println", Map.of()));
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Boolean>path("result.printed")).isTrue();
    }

    @Test
    void floodingStderrDoesNotBlockTheWorker() {
        Response done = awaitTerminal(submit("test.stderr-flood", Map.of("lines", 200_000)));
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(done.<Integer>path("result.lines")).isEqualTo(200_000);
    }

    @Test
    void aLineWithoutEndOnStderrDoesNotExhaustTheService() {
        Response done = awaitTerminal(submit("test.endless-line", Map.of("bytes", 20_000_000)));
        assertThat(done.<String>path("state")).isEqualTo("SUCCEEDED");
        assertThat(awaitTerminal(submit("noop", Map.of())).<String>path("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void resultOverTheLimitFailsTheTaskAndKeepsTheWorker() {
        String id = submit("test.big-result", Map.of("bytes", 129 * 1024));
        Response failed = awaitTerminal(id);
        assertThat(failed.<String>path("state")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error.code")).isEqualTo("RESULT_TOO_LARGE");
        assertThat(failed.<String>path("error.message")).contains("taskpool.tasks.max-result");
        assertThat(awaitTerminal(submit("test.big-result", Map.of("bytes", 100 * 1024))).<String>path("state"))
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void crashesAreVisibleInHealthAndMetrics() {
        management().get("/actuator/health/readiness").then().statusCode(200)
                .body("components.workerPool.status", equalTo("UP"));
        String metrics = management().get("/actuator/prometheus").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("taskpool_workers{", "taskpool_queue_depth", "taskpool_tasks_submitted_total");
        management().get("/actuator/health/liveness").then().statusCode(200);
        management().get("/actuator/info").then().statusCode(200)
                .body("app.name", equalTo("taskpool"))
                .body("build.artifact", equalTo("taskpool"));
        management().get("/actuator/env").then().statusCode(404);
        management().get("/actuator/beans").then().statusCode(404);
    }
}
