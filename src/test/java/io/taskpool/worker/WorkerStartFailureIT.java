package io.taskpool.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import io.taskpool.support.StandaloneService;
import io.taskpool.support.TaskRequests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** Workers that cannot start: a clear start-up failure, or a crash loop that health reports. */
class WorkerStartFailureIT {

    @TempDir
    Path dir;

    private ConfigurableApplicationContext start(String... extra) {
        // A database of its own for each start: DB_CLOSE_DELAY=-1 keeps each one after its context closes.
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=jdbc:h2:mem:start-failure-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1",
                "--taskpool.workers.max-restart-backoff=500ms"));
        args.addAll(List.of(extra));
        return StandaloneService.start("start-failure-test", args.toArray(String[]::new));
    }

    @Test
    void workersThatCannotStartStopStartUpWithAClearMessage() {
        assertThatThrownBy(() -> start("--taskpool.workers.jvm-options=-XX:+NoSuchOptionInAnyJvm",
                "--taskpool.workers.start-timeout=3s"))
                .hasStackTraceContaining("taskpool.workers.jvm-options")
                .hasStackTraceContaining("NoSuchOptionInAnyJvm");
    }

    @Test
    void aCrashLoopTurnsReadinessDownUntilWorkersStartAgain() throws Exception {
        crashLoop(dir.resolve("poison"), "exit code 99", "poisoned");
    }

    @Test
    void garbageBeforeHelloIsAFailedStartWithBackOff() throws Exception {
        crashLoop(dir.resolve("poison-garbage"), "signal 9", "before saying hello");
    }

    @Test
    void aSpareThatCannotStartLeavesTheWorkersRunningAndStartsOnceItCan() throws Exception {
        Path poison = dir.resolve("poison-spare");
        try (ConfigurableApplicationContext context = start(
                "--taskpool.workers.jvm-options=-Dtaskpool.test.poison=" + poison)) {
            int port = StandaloneService.port(context);
            int management = StandaloneService.managementPort(context);
            await().atMost(Duration.ofSeconds(30)).until(() -> "IDLE".equals(
                    given().port(port).get("/api/v1/workers").path("spare.state")));

            Files.createFile(poison);
            long spare = given().port(port).get("/api/v1/workers").then().extract().<Number>path("spare.pid")
                    .longValue();
            ProcessHandle.of(spare).orElseThrow().destroyForcibly();
            // The spares that follow exit before their hello: the pool's own workers are unaffected.
            await().atMost(Duration.ofSeconds(30)).until(() -> management(management).contains(
                    "taskpool_workers_restarts_total{reason=\"start_failure\"}"));
            assertThat(given().port(management).get("/actuator/health/readiness").statusCode()).isEqualTo(200);
            String before = TaskRequests.submit(port, Map.of("type", "noop"));
            given().port(port).queryParam("waitMs", 20000).get("/api/v1/tasks/{id}", before)
                    .then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("SUCCEEDED"));

            Files.delete(poison);
            await().atMost(Duration.ofSeconds(30)).until(() -> "IDLE".equals(
                    given().port(port).get("/api/v1/workers").path("spare.state")));
            long ready = given().port(port).get("/api/v1/workers").then().extract().<Number>path("spare.pid")
                    .longValue();
            assertThat(ready).isNotEqualTo(spare);
        }
    }

    private static String management(int port) {
        return given().port(port).get("/actuator/prometheus").then().statusCode(200).extract().asString();
    }

    /** Workers fail to start while {@code poison} exists; readiness says so, then recovers. */
    private void crashLoop(Path poison, String... failureWords) throws Exception {
        // Without the warm spare, which started before the poison and would take the killed worker's place.
        try (ConfigurableApplicationContext context = start(
                "--taskpool.workers.jvm-options=-Dtaskpool.test.poison=" + poison, "--taskpool.workers.warm-spare=false")) {
            int port = StandaloneService.port(context);
            int management = StandaloneService.managementPort(context);
            assertThat(given().port(management).get("/actuator/health/readiness").statusCode()).isEqualTo(200);

            Files.createFile(poison);
            long pid = given().port(port).get("/api/v1/workers").then().extract().<Number>path("workers[0].pid")
                    .longValue();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            Response down = await().atMost(Duration.ofSeconds(30)).until(
                    () -> given().port(management).get("/actuator/health/readiness"),
                    response -> response.statusCode() == 503);
            assertThat(down.<String>path("components.workerPool.status")).isEqualTo("DOWN");
            assertThat(down.<String>path("components.workerPool.details.lastStartFailure"))
                    .contains(failureWords);

            // Work submitted meanwhile waits, and runs once workers start again.
            String id = TaskRequests.submit(port, Map.of("type", "noop"));
            Files.delete(poison);
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> given().port(management).get("/actuator/health/readiness").statusCode() == 200);
            given().port(port).queryParam("waitMs", 20000).get("/api/v1/tasks/{id}", id)
                    .then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("SUCCEEDED"));
        }
    }
}
