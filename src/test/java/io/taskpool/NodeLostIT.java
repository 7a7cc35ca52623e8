package io.taskpool;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that takes the service down every time it runs: each restart runs it again, its lost
 * runs not counted against its one attempt, until it has been interrupted more than
 * {@code taskpool.tasks.max-interruptions} times (3); then it fails with NODE_LOST instead of
 * killing the service for ever.
 */
class NodeLostIT {

    private static final int MAX_INTERRUPTIONS = 3;

    @TempDir
    Path workDir;

    private ServiceProcess start() throws Exception {
        Path program = Path.of("src", "test", "resources", "programs", "kill_service.py").toAbsolutePath();
        return ServiceProcess.start(workDir,
                List.of("-cp", ServiceProcess.buildClassPath(), TaskpoolApplication.class.getName()),
                List.of("--taskpool.node-id=doomed", "--taskpool.workers.count=1", "--taskpool.workers.warm-spare=false",
                        "--taskpool.workers.max-heap=64MB", "--taskpool.tasks.max-interruptions=" + MAX_INTERRUPTIONS,
                        "--taskpool.programs.test-kill-service.argv=python3," + program));
    }

    @Test
    void aTaskThatKillsTheServiceEachTimeEndsNodeLostAfterItsInterruptions() throws Exception {
        String id;
        try (ServiceProcess first = start()) {
            id = given().port(first.port).contentType(ContentType.JSON)
                    .body(Map.of("type", "test-kill-service", "maxAttempts", 1)).post("/api/v1/tasks")
                    .then().statusCode(202).extract().path("id");
            awaitDeath(first);
        }
        for (int restart = 1; restart <= MAX_INTERRUPTIONS; restart++) {
            try (ServiceProcess again = start()) {
                Response task = given().port(again.port).get("/api/v1/tasks/{id}", id).then().statusCode(200)
                        .extract().response();
                assertThat(task.<String>path("state")).as("after restart %d", restart).isIn("QUEUED", "RUNNING");
                assertThat(task.<Integer>path("attempt")).isEqualTo(restart + 1);
                awaitDeath(again);
            }
        }

        try (ServiceProcess last = start()) {
            Response task = given().port(last.port).get("/api/v1/tasks/{id}", id).then().statusCode(200)
                    .extract().response();
            assertThat(task.<String>path("state")).isEqualTo("FAILED");
            assertThat(task.<String>path("error.code")).isEqualTo("NODE_LOST");
            assertThat(task.<String>path("error.message")).contains("interrupted 4 times")
                    .contains("taskpool.tasks.max-interruptions (3)");
            assertThat(task.<Integer>path("maxAttempts")).isEqualTo(1);
            // Every finished run is listed: the three re-queued ones and the fourth, which ended the task.
            assertThat(task.<List<Integer>>path("attempts.attempt")).containsExactly(1, 2, 3, 4);
            assertThat(task.<List<String>>path("attempts.error.code")).containsOnly("NODE_LOST");
        }
    }

    /** The task kills the service a few seconds after it starts. */
    private static void awaitDeath(ServiceProcess service) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessHandle.of(service.pid()).map(process -> !process.isAlive()).orElse(true));
    }
}
