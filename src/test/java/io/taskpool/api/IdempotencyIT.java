package io.taskpool.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.taskpool.support.BatchTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on task and batch submission: a repeat returns the original, another
 * request with the same key is refused, and concurrent repeats create one resource.
 */
class IdempotencyIT extends BatchTest {

    private static final String KEY = "Idempotency-Key";

    private Response post(String path, String key, String body) {
        return api().contentType(ContentType.JSON).header(KEY, key).body(body).post(path)
                .then().extract().response();
    }

    /** Tasks of a type whose input text is {@code marker}. */
    private List<Map<String, Object>> tasksWithText(String marker) {
        List<Map<String, Object>> items = api().queryParam("type", "hash.sha256").queryParam("limit", 1000)
                .get("/api/v1/tasks").then().statusCode(200).extract().path("items");
        return items.stream().filter(t -> marker.equals(((Map<?, ?>) t.get("input")).get("text"))).toList();
    }

    @Test
    void repeatedTaskSubmissionReturnsTheOriginalTask() {
        String key = UUID.randomUUID().toString();
        String marker = "task-" + key;
        String body = "{\"type\": \"hash.sha256\", \"input\": {\"text\": \"" + marker + "\"}, \"priority\": 2}";
        Response first = post("/api/v1/tasks", key, body);
        assertThat(first.statusCode()).isEqualTo(202);
        String id = first.path("id");
        awaitTerminal(id);

        // Same request with other white space: the same request.
        String reformatted = "{\n  \"type\":\"hash.sha256\",\n\t\"input\" : { \"text\" : \"" + marker + "\" } ,"
                + "\"priority\":2 }";
        for (String repeat : List.of(body, reformatted)) {
            Response again = post("/api/v1/tasks", key, repeat);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.<String>path("id")).isEqualTo(id);
            assertThat(again.header("Location")).isEqualTo("/api/v1/tasks/" + id);
            // The original as it is now, finished.
            assertThat(again.<String>path("state")).isEqualTo("SUCCEEDED");
        }
        assertThat(tasksWithText(marker)).hasSize(1);

        post("/api/v1/tasks", key, body.replace("\"priority\": 2", "\"priority\": 3"))
                .then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:taskpool:problem:idempotency-key-reused"))
                .body("idempotencyKey", equalTo(key))
                .body("detail", containsString(id));
        post("/api/v1/tasks", key, "{\"type\": \"hash.sha256\", \"input\": {\"text\": \"other\"}, \"priority\": 2}")
                .then().statusCode(422)
                .body("type", equalTo("urn:taskpool:problem:idempotency-key-reused"));
        assertThat(tasksWithText(marker)).hasSize(1);
        assertThat(tasksWithText("other")).isEmpty();

        // Without the key, the same body is a new task.
        String another = api().contentType(ContentType.JSON).body(body).post("/api/v1/tasks")
                .then().statusCode(202).extract().path("id");
        assertThat(another).isNotEqualTo(id);
        awaitTerminal(another);
    }

    @Test
    void repeatedBatchSubmissionReturnsTheOriginalBatch() {
        String key = UUID.randomUUID().toString();
        String marker = "batch-" + key;
        String body = "{\"type\": \"hash.sha256\", \"chunkSize\": 2, \"inputs\": [{\"text\": \"" + marker + "\"},"
                + " {\"text\": \"" + marker + "\"}, {\"text\": \"" + marker + "\"}]}";
        Response first = post("/api/v1/batches", key, body);
        assertThat(first.statusCode()).isEqualTo(202);
        String id = first.path("id");
        awaitBatchTerminal(id);

        String reformatted = body.replace(", ", ",\n    ").replace(": ", ":").replace("{", "{ ");
        for (String repeat : List.of(body, reformatted)) {
            Response again = post("/api/v1/batches", key, repeat);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.<String>path("id")).isEqualTo(id);
            assertThat(again.header("Location")).isEqualTo("/api/v1/batches/" + id);
            assertThat(again.<String>path("state")).isEqualTo("SUCCEEDED");
            assertThat(again.<Integer>path("counts.succeeded")).isEqualTo(3);
        }
        assertThat(tasksWithText(marker)).hasSize(3).allSatisfy(t -> assertThat(t.get("batchId")).isEqualTo(id));

        // Another input, another chunk size, or one input more: another request.
        for (String other : List.of(body.replace("\"chunkSize\": 2", "\"chunkSize\": 3"),
                body.replaceFirst(marker, "changed"),
                body.replace("]}", ", {\"text\": \"" + marker + "\"}]}"))) {
            post("/api/v1/batches", key, other)
                    .then().statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:taskpool:problem:idempotency-key-reused"))
                    .body("idempotencyKey", equalTo(key))
                    .body("detail", containsString(id));
        }
        assertThat(tasksWithText(marker)).hasSize(3);
        assertThat(tasksWithText("changed")).isEmpty();
    }

    @Test
    void concurrentRepeatsOfATaskCreateOneTask() throws Exception {
        String key = UUID.randomUUID().toString();
        String marker = "race-task-" + key;
        String body = "{\"type\": \"hash.sha256\", \"input\": {\"text\": \"" + marker + "\"}}";
        List<Response> replies = race(8, () -> post("/api/v1/tasks", key, body));

        assertThat(replies).extracting(Response::statusCode).containsOnly(200, 202);
        assertThat(replies).filteredOn(r -> r.statusCode() == 202).as("created once").hasSize(1);
        assertThat(replies.stream().map(r -> r.<String>path("id")).distinct()).hasSize(1);
        String id = replies.get(0).path("id");
        List<Map<String, Object>> stored = tasksWithText(marker);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).get("id")).isEqualTo(id);
        awaitTerminal(id);
    }

    @Test
    void concurrentRepeatsOfABatchCreateOneBatch() throws Exception {
        String key = UUID.randomUUID().toString();
        String marker = "race-batch-" + key;
        StringBuilder inputs = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            inputs.append(i == 0 ? "" : ", ").append("{\"text\": \"").append(marker).append("\", \"i\": ").append(i)
                    .append('}');
        }
        String body = "{\"type\": \"hash.sha256\", \"chunkSize\": 10, \"inputs\": [" + inputs + "]}";
        List<Response> replies = race(8, () -> post("/api/v1/batches", key, body));

        assertThat(replies).extracting(Response::statusCode).containsOnly(200, 202);
        assertThat(replies).filteredOn(r -> r.statusCode() == 202).as("created once").hasSize(1);
        assertThat(replies.stream().map(r -> r.<String>path("id")).distinct()).hasSize(1);
        String id = replies.get(0).path("id");
        assertThat(replies).allSatisfy(r -> assertThat(r.<Integer>path("size")).isEqualTo(50));

        assertThat(awaitBatchTerminal(id).<Integer>path("counts.succeeded")).isEqualTo(50);
        assertThat(itemTasks(id)).hasSize(50);
        List<Map<String, Object>> stored = tasksWithText(marker);
        assertThat(stored).as("items of every batch with these inputs").hasSize(50)
                .allSatisfy(t -> assertThat(t.get("batchId")).isEqualTo(id));
    }

    @Test
    void aKeyOfTheWrongShapeIs400() {
        String body = "{\"type\": \"noop\", \"input\": {}}";
        String batch = "{\"type\": \"noop\", \"inputs\": [{}]}";
        for (String key : List.of("k".repeat(300), "has space", "caf\u00e9")) {
            for (String[] request : List.of(new String[] {"/api/v1/tasks", body}, new String[] {"/api/v1/batches", batch})) {
                api().contentType(ContentType.JSON).header(KEY, key).body(request[1]).post(request[0])
                        .then().statusCode(400)
                        .contentType("application/problem+json")
                        .body("type", equalTo("urn:taskpool:problem:invalid-field"))
                        .body("field", equalTo(KEY));
            }
        }
        // The longest allowed key is fine.
        String longest = "k".repeat(199) + UUID.randomUUID().toString().substring(0, 1);
        String id = post("/api/v1/tasks", longest, body).then().statusCode(202).extract().path("id");
        assertThat(post("/api/v1/tasks", longest, body).<String>path("id")).isEqualTo(id);
        awaitTerminal(id);
    }

    @Test
    void aTaskRepeatWithItsFieldsInAnotherOrderIsTheSameRequest() {
        String key = UUID.randomUUID().toString();
        Response created = post("/api/v1/tasks", key, "{\"type\": \"noop\", \"priority\": 1, \"input\": {\"n\": 1}}");
        assertThat(created.statusCode()).isEqualTo(202);
        String id = created.path("id");
        awaitTerminal(id);
        Response again = post("/api/v1/tasks", key, "{\"input\": {\"n\": 1}, \"priority\": 1, \"type\": \"noop\"}");
        assertThat(again.statusCode()).as(again.asString()).isEqualTo(200);
        assertThat(again.<String>path("id")).isEqualTo(id);
    }

    /** Runs {@code request} on {@code threads} threads released at once by a start gate. */
    private static List<Response> race(int threads, java.util.concurrent.Callable<Response> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return request.call();
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<Response> replies = new ArrayList<>();
            for (Future<Response> future : futures) {
                replies.add(future.get(60, TimeUnit.SECONDS));
            }
            return replies;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchRepeatWithItsFieldsInAnotherOrderIsTheSameRequest() {
        String key = UUID.randomUUID().toString();
        String first = "{\"type\": \"noop\", \"priority\": 1, \"inputs\": [{\"n\": 1}]}";
        String reordered = "{\"inputs\": [{\"n\": 1}], \"priority\": 1, \"type\": \"noop\"}";
        Response created = post("/api/v1/batches", key, first);
        assertThat(created.statusCode()).isEqualTo(202);
        String id = created.path("id");
        awaitBatchTerminal(id);
        Response again = post("/api/v1/batches", key, reordered);
        assertThat(again.statusCode()).as(again.asString()).isEqualTo(200);
        assertThat(again.<String>path("id")).isEqualTo(id);
    }
}
