package io.taskpool;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.ServiceProcess;
import io.taskpool.support.TaskRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An orderly stop by a real SIGTERM: running work drains, the rest runs again later, clients get answers. */
class DrainIT {

    @TempDir
    Path workDir;

    private ServiceProcess start() throws Exception {
        return ServiceProcess.start(workDir,
                List.of("-cp", ServiceProcess.buildClassPath(), TaskpoolApplication.class.getName()),
                List.of("--taskpool.node-id=drain", "--taskpool.workers.count=2", "--taskpool.workers.max-heap=64MB",
                        "--taskpool.shutdown.drain-timeout=20s"));
    }

    private static String submit(ServiceProcess service, int sleepMs) {
        return TaskRequests.submit(service.port, "sleep", Map.of("ms", sleepMs));
    }

    private static Response task(ServiceProcess service, String id) {
        return TaskRequests.task(service.port, id);
    }

    @Test
    void sigtermDrainsRunningTasksRequeuesTheRestUncountedEndsClientRequestsAndExitsZero() throws Exception {
        String shortTask;
        String longTask;
        CompletableFuture<HttpResponse<String>> longPoll;
        CompletableFuture<HttpResponse<String>> resultStream;
        try (ServiceProcess service = start()) {
            shortTask = submit(service, 8000);
            longTask = submit(service, 120_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> "RUNNING".equals(task(service, shortTask).path("state"))
                    && "RUNNING".equals(task(service, longTask).path("state")));
            longPoll = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:"
                            + service.port + "/api/v1/tasks/" + longTask + "?waitMs=60000")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String batch = given().port(service.port).contentType(ContentType.JSON)
                    .body(Map.of("type", "noop", "inputs", List.of(Map.of())))
                    .post("/api/v1/batches").then().statusCode(202).extract().path("id");
            resultStream = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:"
                            + service.port + "/api/v1/batches/" + batch + "/results"))
                    .header("Accept", "application/x-ndjson").build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).until(() -> given().port(service.managementPort)
                    .get("/actuator/prometheus").asString().lines()
                    .anyMatch(line -> line.startsWith("taskpool_tasks_waiters") && line.endsWith(" 1.0")));

            int exit = service.terminate(Duration.ofSeconds(90));

            assertThat(exit).as("exit status after SIGTERM").isZero();
        }
        // The long poll got an answer, the task as it was, rather than a reset connection.
        HttpResponse<String> answer = longPoll.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"state\":\"RUNNING\"");
        // The batch's result stream (its item waited behind the busy workers) ended cleanly too.
        assertThat(resultStream.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        try (ServiceProcess again = start()) {
            // The short task finished during the drain; the long one runs again at the same attempt.
            assertThat(task(again, shortTask).<String>path("state")).isEqualTo("SUCCEEDED");
            Response requeued = task(again, longTask);
            assertThat(requeued.<String>path("state")).isIn("QUEUED", "RUNNING");
            assertThat(requeued.<Integer>path("attempt")).isEqualTo(1);
            given().port(again.port).post("/api/v1/tasks/{id}/cancel", longTask).then().statusCode(200);
        }
    }
}
