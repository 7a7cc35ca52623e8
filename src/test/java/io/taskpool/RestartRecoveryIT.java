package io.taskpool;

import static io.restassured.RestAssured.given;
import static io.taskpool.support.StandaloneService.port;
import static io.taskpool.support.TaskRequests.post;
import static io.taskpool.support.TaskRequests.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import io.restassured.response.Response;
import io.taskpool.support.StandaloneService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Orderly restarts on one file store: what was running comes back at the same attempt (a stop
 * that was asked for uses up no attempt), what was queued runs, a full queue answers 429. After a
 * crash the lost run is kept as a NODE_LOST attempt: see {@link ServiceProcessIT} and the store contract.
 */
class RestartRecoveryIT {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return StandaloneService.start("recovery-test",
                "--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("taskpool") + ";WRITE_DELAY=0",
                "--taskpool.tasks.max-attempts=2",
                "--taskpool.queue.capacity=2",
                "--taskpool.shutdown.drain-timeout=1s");
    }

    @Test
    void runningTasksComeBackAfterAnOrderlyRestartWithoutUsingAnAttempt() {
        String longTask;
        String queuedTask;
        try (ConfigurableApplicationContext first = start()) {
            int port = port(first);
            longTask = post(port, Map.of("type", "sleep", "input", Map.of("ms", 120_000))).then().statusCode(202)
                    .extract().path("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(task(port, longTask).path("state")));
            // Queued above the interrupted task's priority, so they run first after the restart.
            queuedTask = post(port, Map.of("type", "noop", "input", Map.of("kept", true), "priority", 10))
                    .then().statusCode(202).extract().path("id");
            post(port, Map.of("type", "noop", "priority", 10)).then().statusCode(202);

            // The queue holds its capacity of two waiting tasks: the next one is refused.
            post(port, Map.of("type", "noop")).then().statusCode(429)
                    .contentType("application/problem+json")
                    .header("Retry-After", notNullValue())
                    .body("detail", org.hamcrest.Matchers.containsString("taskpool.queue.capacity"));
        }

        for (int life = 2; life <= 3; life++) {
            try (ConfigurableApplicationContext next = start()) {
                int port = port(next);
                // The queued tasks ran; the interrupted one runs again, still as attempt 1.
                given().port(port).queryParam("waitMs", 20000).get("/api/v1/tasks/{id}", queuedTask)
                        .then().statusCode(200).body("state", equalTo("SUCCEEDED")).body("result.kept", equalTo(true));
                await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(task(port, longTask).path("state")));
                Response task = task(port, longTask);
                assertThat(task.<Integer>path("attempt")).as("attempt in life %d", life).isEqualTo(1);
                assertThat(task.jsonPath().getList("attempts")).isEmpty();
                given().port(port).get("/api/v1/tasks").then().statusCode(200)
                        .body("items.size()", greaterThanOrEqualTo(3));
            }
        }
    }
}
