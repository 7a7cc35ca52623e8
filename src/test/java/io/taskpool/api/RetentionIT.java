package io.taskpool.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.taskpool.support.StandaloneService;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Retention end to end: with {@code taskpool.tasks.retention=2s} a finished task and a finished
 * batch disappear by themselves, their idempotency keys take new work, and the deletions show in
 * the Prometheus metrics. A service of its own (its own database, one worker) beside the shared
 * test context, whose tasks are kept for the default 24h.
 */
class RetentionIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Long enough for a test to see a task finish before it is gone, short enough to wait for. */
    private static final Duration RETENTION = Duration.ofSeconds(2);
    private static final String KEY = "Idempotency-Key";

    private static ConfigurableApplicationContext service;
    private static int port;
    private static int managementPort;

    @BeforeAll
    static void startService() {
        service = StandaloneService.start("retention-test", "--taskpool.tasks.retention=" + RETENTION.toSeconds() + "s",
                "--taskpool.tasks.retention-sweep-interval=200ms");
        port = StandaloneService.port(service);
        managementPort = StandaloneService.managementPort(service);
        // The client's first request takes seconds to set itself up; a test's first look at a task
        // must come well within the retention after the task finished.
        api().get("/api/v1/workers").then().statusCode(200);
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    private static RequestSpecification api() {
        return given().port(port).accept(ContentType.JSON);
    }

    private static Response post(String path, String key, String body) {
        return api().contentType(ContentType.JSON).header(KEY, key).body(body).post(path)
                .then().extract().response();
    }

    /** Long-polls {@code path} until its state is {@code state}: a poll answers as soon as it gets there. */
    private static void awaitState(String path, String state) {
        await().atMost(DEADLINE).until(() -> state.equals(api().queryParam("waitMs", 5000).get(path)
                .then().statusCode(200).extract().<String>path("state")));
    }

    /** The sum of {@code taskpool_retention_deleted_total} of this kind, from the management port. */
    private static double deleted(String kind) {
        String metrics = given().port(managementPort).get("/actuator/prometheus").then().statusCode(200)
                .extract().asString();
        return metrics.lines()
                .filter(line -> line.startsWith("taskpool_retention_deleted_total{")
                        && line.contains("kind=\"" + kind + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aFinishedTaskDisappearsAndItsIdempotencyKeyTakesANewTask() {
        String key = UUID.randomUUID().toString();
        // The reply waits for the task to finish, so the test sees it SUCCEEDED before it can be gone.
        Response first = api().contentType(ContentType.JSON).header(KEY, key).queryParam("waitMs", 20000)
                .body("{\"type\":\"hash.sha256\",\"input\":{\"text\":\"first\"}}").post("/api/v1/tasks")
                .then().extract().response();
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.<String>path("state")).isEqualTo("SUCCEEDED");
        String id = first.path("id");

        await().atMost(DEADLINE).until(() -> api().get("/api/v1/tasks/{id}", id).statusCode() == 404);
        api().get("/api/v1/tasks/{id}", id).then().statusCode(404)
                .body("type", equalTo("urn:taskpool:problem:task-not-found"));

        // Another request under the same key: a new task, not a repeat (200) or a reused key (422).
        Response second = post("/api/v1/tasks", key, "{\"type\":\"hash.sha256\",\"input\":{\"text\":\"second\"}}");
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.<String>path("id")).isNotEqualTo(id);

        await().atMost(DEADLINE).until(() -> deleted("task") >= 1);
    }

    @Test
    void aFinishedBatchDisappearsWithItsItemsAndItsIdempotencyKeyTakesANewBatch() {
        String key = UUID.randomUUID().toString();
        Response first = post("/api/v1/batches", key,
                "{\"type\":\"hash.sha256\",\"inputs\":[{\"text\":\"a\"},{\"text\":\"b\"},{\"text\":\"c\"}]}");
        assertThat(first.statusCode()).isEqualTo(202);
        String id = first.path("id");
        awaitState("/api/v1/batches/" + id, "SUCCEEDED");

        await().atMost(DEADLINE).until(() -> api().get("/api/v1/batches/{id}", id).statusCode() == 404);
        List<Object> items = api().queryParam("batchId", id).get("/api/v1/tasks").then().statusCode(200)
                .extract().path("items");
        assertThat(items).isEmpty();

        Response second = post("/api/v1/batches", key, "{\"type\":\"hash.sha256\",\"inputs\":[{\"text\":\"d\"}]}");
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.<String>path("id")).isNotEqualTo(id);

        await().atMost(DEADLINE).until(() -> deleted("batch") >= 1 && deleted("task") >= 3);
    }
}
