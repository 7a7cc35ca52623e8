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
 * Restarts on one file store: what was running is re-queued for another attempt or, out of
 * attempts, failed; what was queued runs; a full queue answers 429.
 */
class RestartRecoveryIT {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return StandaloneService.start("recovery-test",
                "--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("taskpool") + ";WRITE_DELAY=0",
                "--taskpool.tasks.max-attempts=2",
                "--taskpool.queue.capacity=2");
    }

    @Test
    void runningTasksAreRequeuedOnRestartUntilTheyRunOutOfAttempts() {
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

        try (ConfigurableApplicationContext second = start()) {
            int port = port(second);
            // The queued tasks run, then the interrupted one comes back as attempt 2.
            given().port(port).queryParam("waitMs", 20000).get("/api/v1/tasks/{id}", queuedTask)
                    .then().statusCode(200).body("state", equalTo("SUCCEEDED")).body("result.kept", equalTo(true));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Response task = task(port, longTask);
                return "RUNNING".equals(task.path("state")) && task.<Integer>path("attempt") == 2;
            });
        }

        try (ConfigurableApplicationContext third = start()) {
            int port = port(third);
            // Interrupted again, on its last attempt: failed, and said why.
            Response task = task(port, longTask);
            assertThat(task.<String>path("state")).isEqualTo("FAILED");
            assertThat(task.<String>path("error.code")).isEqualTo("WORKER_CRASHED");
            assertThat(task.<String>path("error.message")).contains("service restarted");
            assertThat(task.<Integer>path("attempt")).isEqualTo(2);
            given().port(port).get("/api/v1/tasks").then().statusCode(200)
                    .body("items.size()", greaterThanOrEqualTo(3));
        }
    }
}
